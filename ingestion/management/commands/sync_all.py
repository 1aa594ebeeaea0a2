from django.core.management.base import BaseCommand
from django.db import transaction

from ingestion.services import sync_all_request, sync_window

from ._dates import iso_date


class Command(BaseCommand):
    help = "Queue the nightly sync of every active account (what the 02:30 schedule runs)."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=iso_date, help="last day of the window, YYYY-MM-DD (default: yesterday)")

    def handle(self, *args, date, **options):
        start, end = sync_window(date)
        with transaction.atomic():
            runs = sync_all_request(day=date)
        self.stdout.write(f"{len(runs)} accounts enqueued for {start}..{end}")
