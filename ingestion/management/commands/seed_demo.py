import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.calendar import local_yesterday
from accounts.models import Membership, Organization, Role
from comments.models import Comment
from comments.services import comments_score, comments_sync
from ingestion.connectors.base import ConnectorError
from ingestion.sandbox.demo import (
    SandboxUnavailable,
    demo_accounts_ensure,
    demo_import,
    demo_sync,
    sandbox_for_demo,
)

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "socialmetrics-demo"
DEMO_ORG = "demo"


class Command(BaseCommand):
    help = (
        "Create (idempotently) the demo workspace and its login, and fill it through the real connectors "
        "against the platform sandbox (started here unless the *_API_BASE settings point at one)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=180, help="days of history, ending yesterday (default 180)")
        parser.add_argument("--seed", type=int, default=1, help="seed of an in-process sandbox")
        parser.add_argument("--resync", action="store_true", help="read nights and files already ingested again")

    def handle(self, *args, days, seed, resync, **options):
        if not 1 <= days <= 730:
            raise CommandError(f"--days must be between 1 and 730, got {days}")
        with transaction.atomic():
            org, _ = Organization.objects.get_or_create(slug=DEMO_ORG, defaults={"name": "演示品牌 Demo Brand"})
            user, created = get_user_model().objects.get_or_create(
                username=DEMO_USERNAME, defaults={"is_staff": True, "is_superuser": True}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            Membership.objects.get_or_create(user=user, organization=org, defaults={"role": Role.OWNER})
            accounts = demo_accounts_ensure(organization=org)
        end = local_yesterday()
        start = end - dt.timedelta(days=days - 1)
        try:
            with sandbox_for_demo(seed=seed) as root:
                self.stdout.write(f"seeding {start}..{end} from the platform sandbox at {root}")
                report = demo_sync(accounts=accounts, start=start, end=end, root=root, resync=resync,
                                   progress=lambda line: self.stdout.write(f"  {line}"))
                for account in accounts:  # comments of recent posts (comment APIs), scored inline
                    if not resync and Comment.objects.filter(account=account).exists():
                        continue
                    try:
                        read = comments_sync(account=account)
                    except ConnectorError as exc:
                        self.stderr.write(f"comments of {account} not read: {exc}")
                        continue
                    if read is not None:
                        self.stdout.write(f"  comments: {account} {read.received}, scored {comments_score(account=account)}")
        except SandboxUnavailable as exc:
            raise CommandError(str(exc)) from None
        for summary in demo_import(accounts=accounts, start=start, end=end, seed=seed, resync=resync):
            self.stdout.write(f"  {summary}")
        synced = ", ".join(f"{p} {n}" for p, n in sorted(report.synced.items())) or "nothing new"
        self.stdout.write(f"sync runs: {synced}")
        for failure in report.failed[:10]:
            self.stderr.write(f"sync failed: {failure}")
        self.stdout.write(f"demo login: {DEMO_USERNAME} / {DEMO_PASSWORD}")
