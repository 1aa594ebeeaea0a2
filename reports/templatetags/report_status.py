"""`{% report_failures organization %}`: the data page's line about reports that failed to build or send."""

import datetime as dt

from django import template
from django.utils import timezone

from reports.models import FAILED_STATUSES, Report

register = template.Library()
RECENT_DAYS = 14
SHOWN = 3


@register.inclusion_tag("reports/failures_line.html")
def report_failures(organization):
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    failed = (
        Report.objects.filter(organization=organization, status__in=FAILED_STATUSES, created_at__gte=since)
        .select_related("schedule")
        .defer("pdf", "xlsx")
        .order_by("-created_at")
    )
    return {"failed_reports": list(failed[:SHOWN]), "recent_days": RECENT_DAYS}
