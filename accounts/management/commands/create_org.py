from accounts.services import organization_create

from ._base import ServiceCommand


class Command(ServiceCommand):
    help = "Create an organization (a brand, or an agency's client)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)

    def handle(self, *args, slug, name, **options):
        org = organization_create(slug=slug, name=name)
        self.stdout.write(f"created organization {org.slug} (id {org.pk})")
