"""`manage.py send_report --schedule ID [--date YYYY-MM-DD]`: build and deliver the report of the period
that ended before DATE (default today), as the schedule does, in this process."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from accounts.calendar import local_today
from reports.models import ReportSchedule
from reports.services import schedule_report_request


class Command(BaseCommand):
    help = "Build and deliver a scheduled report for the period that ended before --date (default today)."

    def add_arguments(self, parser):
        parser.add_argument("--schedule", type=int, required=True, help="report schedule id")
        parser.add_argument("--date", help="YYYY-MM-DD (default: today, local time)")

    def handle(self, *args, schedule, date=None, **options):
        try:
            day = dt.date.fromisoformat(date) if date else local_today()
        except ValueError:
            raise CommandError(f"--date {date!r} is not a date (YYYY-MM-DD)") from None
        found = ReportSchedule.objects.filter(pk=schedule).select_related("organization").first()
        if found is None:
            raise CommandError(f"no report schedule with id {schedule}")
        report = schedule_report_request(schedule=found, day=day, inline=True)
        if report.failed:
            raise CommandError(f"report {report.pk} ({report.start}..{report.end}) {report.status}: {report.error}")
        sent = sum(1 for d in report.deliveries if d["ok"])
        self.stdout.write(
            f"report {report.pk}: {found.organization.slug} {report.start}..{report.end} {report.status} "
            f"(pdf {report.pdf_size / 1024:.0f} KB, xlsx {report.xlsx_size / 1024:.0f} KB, "
            f"{report.build_seconds:.1f} s), delivered {sent}/{len(report.deliveries)}"
        )
