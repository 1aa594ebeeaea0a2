import json

from django.core.management.base import CommandError

from accounts.models import Platform
from accounts.services import account_create

from ._base import ServiceCommand


class Command(ServiceCommand):
    help = "Add a platform account to an organization; prints the new account id."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True)
        parser.add_argument("--platform", required=True, choices=Platform.values)
        parser.add_argument("--external-id", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--credentials-json", default="")

    def handle(self, *args, org, platform, external_id, name, credentials_json, **options):
        try:
            credentials = json.loads(credentials_json) if credentials_json else {}
        except json.JSONDecodeError as exc:
            raise CommandError(f"--credentials-json is not valid JSON: {exc}") from None
        account = account_create(
            organization=self.organization(org), platform=platform, external_id=external_id,
            name=name, credentials=credentials,
        )
        self.stdout.write(str(account.pk))
