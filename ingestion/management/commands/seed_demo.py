from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Membership, Organization, Role

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "socialmetrics-demo"
DEMO_ORG = "demo"


class Command(BaseCommand):
    help = "Create (idempotently) the demo workspace and its login."

    def handle(self, *args, **options):
        with transaction.atomic():
            org, _ = Organization.objects.get_or_create(slug=DEMO_ORG, defaults={"name": "演示品牌 Demo Brand"})
            user, created = get_user_model().objects.get_or_create(
                username=DEMO_USERNAME, defaults={"is_staff": True, "is_superuser": True}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            Membership.objects.get_or_create(user=user, organization=org, defaults={"role": Role.OWNER})
        self.stdout.write(f"demo login: {DEMO_USERNAME} / {DEMO_PASSWORD}")
