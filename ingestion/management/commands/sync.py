from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import SocialAccount
from ingestion.connectors.base import TransientError
from ingestion.models import RunStatus
from ingestion.services import AccountBusy, account_sync, sync_request

from ._dates import iso_date


class Command(BaseCommand):
    help = "Sync one account's window from its platform, through Celery unless --inline."

    def add_arguments(self, parser):
        parser.add_argument("--account", required=True, type=int, help="account id")
        parser.add_argument("--start", required=True, type=iso_date, help="first day, YYYY-MM-DD")
        parser.add_argument("--end", required=True, type=iso_date, help="last day, YYYY-MM-DD")
        parser.add_argument("--inline", action="store_true", help="run here instead of in a Celery worker")

    def handle(self, *args, account, start, end, inline, **options):
        if end < start:
            raise CommandError(f"--end {end} is before --start {start}")
        try:
            account = SocialAccount.objects.get(pk=account)
        except SocialAccount.DoesNotExist:
            raise CommandError(f"no account with id {account}") from None
        if not inline:
            try:
                with transaction.atomic():
                    run = sync_request(account=account, start=start, end=end)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from None
            self.stdout.write(f"run {run.pk} queued: account {account.pk} {start}..{end} (task {run.task_id})")
            return
        if not account.credentials:
            raise CommandError(f"account {account.pk} has no API credentials; its data comes from export files")
        try:
            run = account_sync(account=account, start=start, end=end)
        except (TransientError, AccountBusy) as exc:
            raise CommandError(f"account {account.pk} {start}..{end}: {exc} (try again later)") from None
        summary = f"run {run.pk} {run.status}: account {account.pk} {start}..{end}, {run.rows_written} rows"
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(f"{summary}: {run.error}")
        self.stdout.write(summary)
