"""`file_import`: the one entry point for importing a back-office export or template file."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.utils import timezone

from accounts.models import Platform, SocialAccount
from comments.services import comments_import
from ingestion.models import RunSource, RunStatus
from ingestion.services import batch_ingest, ingestion_run_create, ingestion_run_fail

from .errors import ImportFileError, file_problem
from .formats import KINDS
from .parsing import Parsed, parse_file


@dataclass(frozen=True)
class ImportResult:
    kind: str  # one of KINDS
    layout: str  # the exact layout within the kind, e.g. "xhs_trend"
    file_name: str
    rows: dict[str, int] = field(default_factory=dict)  # per table: account_days, posts, post_days, campaign_days
    date_start: dt.date | None = None
    date_end: dt.date | None = None
    changed: int = 0  # rows inserted or modified; 0 when the same file is imported again
    run_id: int | None = None

    def as_dict(self) -> dict:
        data = asdict(self)
        data["date_start"] = self.date_start.isoformat() if self.date_start else None
        data["date_end"] = self.date_end.isoformat() if self.date_end else None
        return data

    def summary(self) -> str:
        counts = "，".join(f"{table} {n} 行" for table, n in self.rows.items() if n)
        return (
            f"已导入 {self.file_name}（{self.kind}/{self.layout}）：{counts}，"
            f"日期 {self.date_start}..{self.date_end}，run {self.run_id}"
        )


def _read(file, file_name: str) -> bytes:
    if isinstance(file, (bytes, bytearray)):
        data = bytes(file)
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(settings.IMPORT_MAX_BYTES + 1)
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise file_problem(file_name, f"文件超过大小上限 {settings.IMPORT_MAX_BYTES // (1024 * 1024)} MB")
    return data


def _check_platform(parsed: Parsed, account: SocialAccount, file_name: str) -> None:
    platform = parsed.layout.platform
    if platform and platform != account.platform:
        raise file_problem(
            file_name,
            f"这是{parsed.layout.label}文件（{Platform(platform).label}），但账号「{account.name}」属于"
            f"{Platform(account.platform).label}",
        )


def file_import(
    *, account: SocialAccount, file, file_name: str, kind: str = "auto", as_of: dt.date | None = None
) -> ImportResult:
    """Import one export/template file into `account`, all or nothing.

    `file` is bytes or a binary file object (an uploaded file, an open file); its content is
    sniffed, never trusted by name. `kind` is "auto" (detect from the header row) or one of
    `KINDS`. Post exports are stored as lifetime counters dated `as_of` (default: today in
    Asia/Shanghai). Every import records an `IngestionRun(source=file)`.

    Raises `ImportFileError` (its `.problems` list each row/column/value/message, its
    `.run_id` the FAILED run) when anything in the file is wrong; then nothing is written.
    Importing the same file twice changes nothing (`ImportResult.changed == 0`).
    """
    if kind != "auto" and kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}; expected auto or one of {', '.join(KINDS)}")
    as_of = as_of or timezone.localdate()
    parsed = None
    try:
        parsed = parse_file(_read(file, file_name), file_name=file_name, kind=kind, as_of=as_of)
        _check_platform(parsed, account, file_name)
    except ImportFileError as exc:
        run = ingestion_run_create(
            account=account, source=RunSource.FILE, file_name=file_name[:255], status=RunStatus.RUNNING,
            kind=parsed.layout.kind if parsed else (kind if kind != "auto" else ""),
        )
        ingestion_run_fail(run=run, error=str(exc))
        exc.run_id = run.pk
        raise
    run = ingestion_run_create(
        account=account, source=RunSource.FILE, kind=parsed.layout.kind, file_name=file_name[:255],
        window_start=parsed.start, window_end=parsed.end, status=RunStatus.RUNNING,
    )
    try:
        if parsed.layout.records == "comments":
            written = comments_import(run=run, account=account, comments=list(parsed.comments))
        else:
            written = batch_ingest(run=run, batch=parsed.batch)
    except Exception as exc:
        ingestion_run_fail(run=run, error=f"写入失败：{exc}")
        raise
    batch = parsed.batch
    rows = {
        "account_days": len(batch.account_days),
        "posts": len({d.post.external_id for d in batch.post_days}),
        "post_days": len(batch.post_days),
        "campaign_days": len(batch.campaign_days),
    }
    if parsed.comments:
        rows["comments"] = len(parsed.comments)
    return ImportResult(
        kind=parsed.layout.kind, layout=parsed.layout.name, file_name=file_name, rows=rows,
        date_start=parsed.start, date_end=parsed.end, changed=written.changed, run_id=run.pk,
    )
