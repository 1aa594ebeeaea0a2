"""Thin Celery tasks: build and deliver one report (with a time limit), and the beat check for due schedules."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from . import services
from .models import Report


@shared_task(
    acks_late=True, soft_time_limit=settings.REPORT_BUILD_TIME_LIMIT, time_limit=settings.REPORT_BUILD_TIME_LIMIT + 60
)
def report_build_deliver(report_id: int) -> dict | None:
    report = Report.objects.filter(pk=report_id).select_related("organization", "schedule").first()
    if report is None:
        return None
    try:
        report = services.report_run(report=report)
    except SoftTimeLimitExceeded:
        services.report_failed(report=report, reason=f"time limit of {settings.REPORT_BUILD_TIME_LIMIT} s exceeded")
        raise
    return {"report": report.pk, "status": report.status}


@shared_task(soft_time_limit=60, time_limit=90)
def reports_due() -> list[int]:
    return [report.pk for report in services.due_reports_request()]
