from django.core.management.base import CommandError

from accounts.management.commands._base import ServiceCommand
from accounts.models import Organization
from alerts.models import AlertDelivery, DeliveryStatus
from alerts.services import organization_alerts_evaluate
from ingestion.management.commands._dates import iso_date


class Command(ServiceCommand):
    help = (
        "Evaluate every alert rule for one day and deliver what fires, as the post-ingest job does; "
        "re-running a day sends nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", help="organization slug (default: every organization)")
        parser.add_argument("--date", type=iso_date, required=True, help="the day to evaluate, YYYY-MM-DD")

    def handle(self, *args, org, date, **options):
        organizations = [self.organization(org)] if org else list(Organization.objects.order_by("pk"))
        if not organizations:
            raise CommandError("there is no organization to evaluate")
        totals = {"evaluated": 0, "fired": 0, "waiting": 0, "deliveries": 0}
        for organization in organizations:
            summary = organization_alerts_evaluate(organization=organization, day=date, inline=True)
            for name in totals:
                totals[name] += getattr(summary, name)
        sent = AlertDelivery.objects.filter(
            alert__date=date, status=DeliveryStatus.SENT, alert__organization__in=organizations
        ).count()
        self.stdout.write(
            f"{date}: {totals['evaluated']} rule scopes evaluated in {len(organizations)} organization(s), "
            f"{totals['fired']} alerts fired, {totals['deliveries']} deliveries queued ({sent} sent for the day), "
            f"{totals['waiting']} waiting for a sync"
        )
