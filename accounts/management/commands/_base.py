from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organization


class ServiceCommand(BaseCommand):
    """Turns validation errors into a clean stderr message and a non-zero exit."""

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None

    @staticmethod
    def organization(slug: str) -> Organization:
        try:
            return Organization.objects.get(slug=slug)
        except Organization.DoesNotExist:
            raise CommandError(f"no organization with slug {slug!r}") from None
