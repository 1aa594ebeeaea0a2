from django.core.management.base import BaseCommand, CommandError

from accounts.models import SocialAccount
from comments.services import comments_score, comments_sync


class Command(BaseCommand):
    help = "Read one account's recent comments through its platform's comment API, then score them (inline)."

    def add_arguments(self, parser):
        parser.add_argument("--account", type=int, required=True)

    def handle(self, *args, account, **options):
        found = SocialAccount.objects.filter(pk=account).first()
        if found is None:
            raise CommandError(f"account {account} does not exist")
        try:
            result = comments_sync(account=found)
        except Exception as exc:
            raise CommandError(f"comments of account {account} not read: {exc}") from exc
        if result is None:
            raise CommandError(f"{found.get_platform_display()} has no comment API here: import a comments_csv file")
        scored = comments_score(account=found)
        self.stdout.write(f"account {account}: {result.received} comments read, {result.changed} changed, {scored} scored")
