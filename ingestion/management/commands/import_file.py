import datetime as dt
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import SocialAccount
from ingestion.importers import KINDS, ImportFileError, file_import


class Command(BaseCommand):
    help = "Import a back-office export or template file into an account (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--account", required=True, type=int, help="SocialAccount id")
        parser.add_argument("path")
        parser.add_argument("--kind", default="auto", choices=["auto", *KINDS])
        parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None,
                            help="day post exports are dated (default: today, Asia/Shanghai)")

    def handle(self, *args, account, path, kind, as_of, **options):
        try:
            target = SocialAccount.objects.get(pk=account)
        except SocialAccount.DoesNotExist:
            raise CommandError(f"no account with id {account}") from None
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"no such file: {path}")
        started = last = time.monotonic()

        def progress(rows_read: int) -> None:  # every 5 s on long files; stdout keeps its one summary line
            nonlocal last
            if time.monotonic() - last >= 5:
                last = time.monotonic()
                self.stderr.write(f"… 已读取 {rows_read:,} 行（{last - started:.0f} 秒）")

        try:
            with file.open("rb") as handle:
                result = file_import(
                    account=target, file=handle, file_name=file.name, kind=kind, as_of=as_of, progress=progress,
                )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(result.summary())
