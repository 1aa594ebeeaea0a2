from collections import Counter

from django.core.management.base import BaseCommand
from django.db import transaction

from ingestion.services import night_yesterday, sync_all_inline, sync_all_request

from ._dates import iso_date


class Command(BaseCommand):
    help = (
        "Sync every active account's gap-aware nightly windows (what the 02:30 schedule runs): "
        "queued for the Celery workers, or run here with --inline."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", type=iso_date, help="last day of the windows, YYYY-MM-DD (default: yesterday)")
        parser.add_argument("--inline", action="store_true", help="run the night in this process, one run at a time")

    def handle(self, *args, date, inline, **options):
        if inline:
            runs = sync_all_inline(day=date)
        else:
            with transaction.atomic():
                runs = sync_all_request(day=date)
        accounts = len({run.account_id for run in runs})
        first = min((run.window_start for run in runs), default=None)
        span = f"{first}..{night_yesterday(date)}" if runs else f"the night up to {night_yesterday(date)}"
        if not inline:
            self.stdout.write(f"{len(runs)} runs of {accounts} accounts enqueued for {span}")
            return
        outcomes = Counter(run.status for run in runs)
        summary = ", ".join(f"{status} {n}" for status, n in sorted(outcomes.items())) or "nothing to do"
        self.stdout.write(f"{len(runs)} runs of {accounts} accounts for {span}: {summary}")
