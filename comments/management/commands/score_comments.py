from django.core.management.base import BaseCommand, CommandError

from accounts.models import SocialAccount
from comments.services import comments_score


class Command(BaseCommand):
    help = "Score the comments not scored yet (sentiment, label, topics), as the queued task does."

    def add_arguments(self, parser):
        parser.add_argument("--account", type=int, help="only this account (default: every account)")

    def handle(self, *args, account=None, **options):
        accounts = SocialAccount.objects.all()
        if account is not None:
            accounts = accounts.filter(pk=account)
            if not accounts.exists():
                raise CommandError(f"account {account} does not exist")
        scored = sum(comments_score(account=a) for a in accounts.order_by("pk"))
        self.stdout.write(f"scored {scored} comments")
