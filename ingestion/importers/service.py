"""`file_import`: the one entry point for importing a back-office export or template file."""

from __future__ import annotations

import datetime as dt
import io
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import BinaryIO

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone

from accounts.calendar import local_today
from accounts.models import Platform, SocialAccount
from comments.services import comments_write
from ingestion.models import IngestionRun, RunSource, RunStatus
from ingestion.queueing import QueueUnavailable, runs_enqueue
from ingestion.records import Batch
from ingestion.services import (
    Provenance,
    ingestion_run_create,
    ingestion_run_fail,
    ingestion_run_succeed,
    metrics_write,
)

from .errors import ImportFileError, file_problem
from .formats import KINDS, Layout
from .parsing import file_parse
from .progress import RunProgress
from .uploads import upload_open, upload_remove, upload_store


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
    replaced: dict = field(default_factory=dict)  # rows another source had written: {"account_days": {"api": 3}}

    def notice(self) -> str:
        """What the import replaced, e.g. "替换了 3 天 API 数据" ("" when nothing)."""
        return replaced_notice(self.replaced)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["notice"] = self.notice()
        data["date_start"] = self.date_start.isoformat() if self.date_start else None
        data["date_end"] = self.date_end.isoformat() if self.date_end else None
        return data

    def summary(self) -> str:
        counts = "，".join(f"{table} {n} 行" for table, n in self.rows.items() if n)
        return (
            f"已导入 {self.file_name}（{self.kind}/{self.layout}）：{counts}，"
            f"日期 {self.date_start}..{self.date_end}，run {self.run_id}"
            + (f"；{self.notice()}" if self.replaced else "")
        )


_REPLACED_UNITS = {"account_days": "天", "post_days": "条作品快照", "campaign_days": "天投放"}
_SOURCE_NAMES = {RunSource.API: "API", RunSource.FILE: "导入文件", RunSource.SANDBOX: "沙盒"}


def _replaced_add(total: dict, replaced: dict) -> None:
    """Adds one batch's replaced rows ({table: {source: n}}) to the file's."""
    for table, counts in replaced.items():
        for source, n in counts.items():
            total.setdefault(table, {})[source] = total.get(table, {}).get(source, 0) + n


def replaced_notice(replaced: dict) -> str:
    parts = [f"{n} {_REPLACED_UNITS.get(table, '行')} {_SOURCE_NAMES.get(source, source)} 数据"
             for table, counts in replaced.items() for source, n in sorted(counts.items())]
    return f"替换了 {'，'.join(parts)}" if parts else ""


def _source(file, file_name: str) -> BinaryIO:
    """`file` as a seekable binary stream, refused if over `IMPORT_MAX_BYTES`."""
    if isinstance(file, (bytes, bytearray, memoryview)):
        file = io.BytesIO(bytes(file))
    elif isinstance(file, File):  # an upload: its underlying file object streams
        file = file.file
    size = file.seek(0, io.SEEK_END)
    file.seek(0)
    if size > settings.IMPORT_MAX_BYTES:
        raise file_problem(file_name, f"文件超过大小上限 {settings.IMPORT_MAX_BYTES // (1024 * 1024)} MB")
    return file


def _check_platform(layout: Layout, account: SocialAccount, file_name: str) -> None:
    platform = layout.platform
    if platform and platform != account.platform:
        raise file_problem(
            file_name,
            f"这是{layout.label}文件（{Platform(platform).label}），但账号「{account.name}」属于"
            f"{Platform(account.platform).label}",
        )


def _read_ahead(batches: Iterator[Batch], depth: int = 2) -> Iterator[Batch]:
    """`batches`, parsed in a thread up to `depth` ahead: parsing (Python) overlaps the database's
    work on the previous batch (psycopg2 waits for it without holding the GIL)."""
    slots: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def offer(item) -> bool:  # False once the caller has stopped reading
        while not stop.is_set():
            try:
                slots.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def produce():
        try:
            for batch in batches:
                if not offer(batch):
                    return
            offer(done)
        except BaseException as exc:  # ImportFileError above all: re-raised in the caller's thread
            offer(exc)

    thread = threading.Thread(target=produce, name="import-parse", daemon=True)
    thread.start()
    try:
        while (item := slots.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=10)


def _run_parsing(*, run: IngestionRun) -> None:
    run.status, run.started_at, run.error, run.rows_read = RunStatus.PARSING, timezone.now(), "", 0
    run.save(update_fields=["status", "started_at", "error", "rows_read"])


def _run_reject(*, run: IngestionRun, error: ImportFileError, rows_read: int) -> None:
    run.rows_read, run.import_report = rows_read, {
        "file": error.file_name, "truncated": error.truncated,
        "problems": [{"row": p.row, "column": p.column, "value": p.value, "detail": str(p)} for p in error.problems],
    }
    run.save(update_fields=["rows_read", "import_report"])
    ingestion_run_fail(run=run, error=str(error))
    error.run_id = run.pk


def file_import(
    *, account: SocialAccount, file, file_name: str, kind: str = "auto", as_of: dt.date | None = None,
    run: IngestionRun | None = None, progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import one export/template file into `account`, all or nothing.

    `file` is bytes or a seekable binary file object (an uploaded file, an open file); its content
    is sniffed, never trusted by name, and streamed: the file's limits (`ImportLimits`) are checked
    before the expensive work, and its rows are validated and written in batches inside one
    transaction. `kind` is "auto" (detect from the header row) or one of `KINDS`. Post exports are
    stored as lifetime counters dated `as_of` (default: the account's today).

    Every import records an `IngestionRun(source=file)` (or carries on `run`, a queued one): it is
    "parsing" with `rows_read` updated about every second (also passed to `progress`), then
    succeeded or failed with its `import_report`.

    Raises `ImportFileError` (its `.problems` list each row/column/value/message, its
    `.run_id` the FAILED run) when anything in the file is wrong; then nothing is written.
    Importing the same file twice changes nothing (`ImportResult.changed == 0`).
    """
    if kind != "auto" and kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}; expected auto or one of {', '.join(KINDS)}")
    as_of = as_of or local_today(account)
    if run is None:
        run = ingestion_run_create(
            account=account, source=RunSource.FILE, file_name=file_name[:255], kind=kind if kind != "auto" else "",
        )
    _run_parsing(run=run)
    reporter = RunProgress(run.pk, echo=progress)
    parse = None
    try:
        parse = file_parse(_source(file, file_name), file_name=file_name, kind=kind, as_of=as_of)
        _check_platform(parse.layout, account, file_name)
        received = changed = 0
        by, replaced = Provenance(source=RunSource.FILE, run_id=run.pk), {}
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Foreign keys checked as each batch is written, while the next one parses, rather
                # than all at once on commit (a million deferred checks there).
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                # Every lookup of this write is by key. Statistics taken while the tables were empty
                # (a new workspace, or just after an autoanalyze) make the planner scan the posts
                # once per written row in the snapshot-range trigger: minutes instead of seconds.
                cursor.execute("SET LOCAL enable_seqscan = off")
            for batch in _read_ahead(parse.batches(progress=reporter.update)):
                if batch.comments:  # a comments_csv file: comments are not daily metrics
                    written = comments_write(account=account, comments=batch.comments)
                else:
                    written = metrics_write(account=account, batch=batch, by=by)
                    _replaced_add(replaced, written.replaced)
                received, changed = received + written.received, changed + written.changed
    except ImportFileError as exc:
        reporter.stop()
        _run_reject(run=run, error=exc, rows_read=parse.rows_read if parse else 0)
        raise
    except Exception as exc:
        reporter.stop()
        ingestion_run_fail(run=run, error=f"写入失败：{exc}")
        raise
    reporter.stop()
    result = ImportResult(
        kind=parse.layout.kind, layout=parse.layout.name, file_name=file_name, rows=parse.counts,
        date_start=parse.start, date_end=parse.end, changed=changed, run_id=run.pk, replaced=replaced,
    )
    run.kind, run.window_start, run.window_end = parse.layout.kind, parse.start, parse.end
    run.rows_read, run.import_report, run.replaced = parse.rows_read, {"result": result.as_dict()}, replaced
    run.save(update_fields=["kind", "window_start", "window_end", "rows_read", "import_report", "replaced"])
    ingestion_run_succeed(run=run, rows_written=received)
    return result


# --- Imports off the request path: the upload is stored, a worker imports it ------------------


def import_request(*, account: SocialAccount, file, file_name: str, kind: str = "auto") -> IngestionRun:
    """Store an uploaded file and queue its import; the task is sent once the caller's transaction
    commits. Poll the returned (queued) run: parsing with rows_read, then succeeded or failed."""
    from ingestion.tasks import import_uploaded_file  # tasks import this module

    if kind != "auto" and kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}; expected auto or one of {', '.join(KINDS)}")
    task_id = str(uuid.uuid4())
    with transaction.atomic():
        run = ingestion_run_create(
            account=account, source=RunSource.FILE, file_name=file_name[:255], kind=kind if kind != "auto" else "",
        )
        run.task_id, run.import_report = task_id, {"requested_kind": kind}
        run.save(update_fields=["task_id", "import_report"])
        upload_store(run=run, file=file.file if isinstance(file, File) else file)
        transaction.on_commit(lambda: _import_enqueue(run, send=lambda: import_uploaded_file.apply_async(
            args=(run.pk,), task_id=task_id)))
    return run


def _import_enqueue(run: IngestionRun, *, send) -> None:
    try:
        runs_enqueue(send, runs=[run])
    except QueueUnavailable:
        upload_remove(run=run)  # the run is failed: its file would never be read
        raise


def uploaded_file_import(*, run: IngestionRun, time_limit: float) -> None:
    """Import a run's stored upload (what the worker does), then remove the upload whatever happened.

    A redelivered task finds its run finished and does nothing; one whose worker died mid-import
    starts again (the dead worker's transaction wrote nothing), unless that attempt had run into
    the task's `time_limit` (seconds): then the file is too big for it, and trying again cannot help."""
    if run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
        upload_remove(run=run)
        return
    if run.status == RunStatus.PARSING and run.started_at < timezone.now() - dt.timedelta(seconds=time_limit):
        minutes = f"{time_limit / 60:.0f}"
        ingestion_run_fail(run=run, error=f"导入超过时限（{minutes} 分钟）被中止，未写入数据；请拆分文件后重新导入")
        upload_remove(run=run)
        return
    kind = run.import_report.get("requested_kind", "auto")
    try:
        with upload_open(run=run) as source:
            file_import(account=run.account, file=source, file_name=run.file_name, kind=kind, run=run)
    except ImportFileError:
        pass  # recorded on the run
    finally:
        upload_remove(run=run)


def import_run_wait(*, run: IngestionRun, seconds: float) -> IngestionRun:
    """`run` as it stands once finished, or after `seconds` (what a request may wait for a small file)."""
    deadline = time.monotonic() + seconds
    while True:
        run.refresh_from_db()
        if run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED) or time.monotonic() >= deadline:
            return run
        time.sleep(min(0.2, max(deadline - time.monotonic(), 0)))
