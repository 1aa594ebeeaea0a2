from accounts.services import api_key_create

from ._base import ServiceCommand


class Command(ServiceCommand):
    help = "Create an API key for an organization; the key is printed once, on its own line."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True)
        parser.add_argument("--name", required=True)

    def handle(self, *args, org, name, **options):
        _, key = api_key_create(organization=self.organization(org), name=name)
        self.stderr.write(f"API key {name!r} for {org} (store it now, it is not shown again):")
        self.stdout.write(key)
