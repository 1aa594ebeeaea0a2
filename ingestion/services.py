"""The one write path for ingested data: connectors and importers both end here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import random
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter

import requests
from celery import chain
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from accounts.calendar import PLATFORM_TIME_ZONE, PLATFORM_TZ, local_yesterday
from accounts.models import AccountStatus, SocialAccount
from analytics.models import (
    ACCOUNT_METRICS,
    CAMPAIGN_COUNTERS,
    CAMPAIGN_MONEY,
    POST_COUNTERS,
    POST_RATES,
    PROVENANCE_COLUMNS,
    Campaign,
    Post,
)

from . import windows
from .connectors.base import AuthError, PlatformDataError, QuotaExceeded, TransientError, connector_for
from .connectors.dates import snapshot_day
from .locks import RunLock, lock_holders
from .models import IngestionRun, RunSource, RunStatus, SeriesGap, SeriesProgress
from .queueing import runs_enqueue
from .records import AccountDay, Batch, CampaignDay, FollowerSourceDay, PostDay, PostInfo
from .upsert import upsert
from .windows import ACCOUNT_DAYS, CAMPAIGN_DAYS, POST_DAYS

POST_DAY_COLUMNS = (*POST_COUNTERS, *POST_RATES)
CAMPAIGN_DAY_COLUMNS = (*CAMPAIGN_MONEY, *CAMPAIGN_COUNTERS)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WriteResult:
    received: int  # rows upserted
    changed: int  # rows inserted or actually modified (0 when re-ingesting identical data)
    # Rows changed that another source had written, per table and that source: {"account_days": {"api": 3}}
    replaced: dict = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Provenance:
    """What every daily row written records (analytics.models.Provenance)."""

    source: str | None = None
    run_id: int | None = None

    def upsert_kwargs(self, replaced: dict) -> dict:
        # Sources are plain words: the rows stay "text free" for the fast COPY path (NULL = no source).
        # Only a file import reports what it replaced (an extra join): syncs re-read windows nightly.
        return {"carry_columns": PROVENANCE_COLUMNS, "text_free": True,
                "replaced": replaced if self.source == RunSource.FILE else None}


def _merge(records: Iterable, key) -> list:
    """One record per natural key: later non-None values win, so duplicates cannot clash."""
    merged: dict = {}
    for record in records:
        k = key(record)
        previous = merged.get(k)
        if previous is None:
            merged[k] = record
        elif previous is record or previous == record:
            continue  # post snapshots repeat their post (usually the same object): nothing to merge
        else:
            updates = {
                f.name: getattr(record, f.name)
                for f in dataclasses.fields(record)
                if getattr(record, f.name) not in (None, "")
            }
            merged[k] = dataclasses.replace(previous, **updates)
    return list(merged.values())


def _write_account_days(account: SocialAccount, days: list[AccountDay], by: Provenance, replaced: dict):
    days = _merge(days, key=attrgetter("date"))
    values = attrgetter("date", *ACCOUNT_METRICS)
    rows = [(account.pk, *values(d), by.source, by.run_id) for d in days]
    changed = upsert(
        table="analytics_accountdailymetric", constraint="uniq_account_day",
        key_columns=("account_id", "date"), value_columns=ACCOUNT_METRICS, rows=rows, **by.upsert_kwargs(replaced),
    )
    return len(rows), changed


def _write_posts(account: SocialAccount, posts: list[PostInfo]) -> tuple[dict[str, int], int]:
    posts = _merge(posts, key=attrgetter("external_id"))
    rows = [(account.pk, p.external_id, p.kind, p.title, p.url, p.published_at, p.published_time_known) for p in posts]
    changed = upsert(
        table="analytics_post", constraint="uniq_post",
        key_columns=("account_id", "external_id"),
        value_columns=("kind", "title", "url", "published_at", "published_time_known"),
        rows=rows, touch_column=None, keep_text_when_blank=("kind", "title", "url"),
    )
    ids = dict(
        Post.objects.filter(account=account, external_id__in=[p.external_id for p in posts]).values_list("external_id", "pk")
    )
    return ids, changed


def _write_post_days(post_ids: dict[str, int], days: list[PostDay], by: Provenance, replaced: dict):
    days = _merge(days, key=attrgetter("post.external_id", "date"))
    values = attrgetter("date", *POST_DAY_COLUMNS)
    rows = [(post_ids[d.post.external_id], *values(d), by.source, by.run_id) for d in days]
    changed = upsert(
        table="analytics_postdailymetric", constraint="uniq_post_day",
        key_columns=("post_id", "date"), value_columns=POST_DAY_COLUMNS, rows=rows, **by.upsert_kwargs(replaced),
    )
    return len(rows), changed


def _write_campaign_days(account: SocialAccount, days: list[CampaignDay], by: Provenance, replaced: dict):
    days = _merge(days, key=attrgetter("campaign", "date", "attach_account"))
    names = sorted({d.campaign for d in days})
    Campaign.objects.bulk_create(
        [Campaign(organization_id=account.organization_id, platform=account.platform, name=n) for n in names],
        ignore_conflicts=True,
    )
    campaign_ids = dict(
        Campaign.objects.filter(
            organization_id=account.organization_id, platform=account.platform, name__in=names
        ).values_list("name", "pk")
    )
    values = attrgetter("date", *CAMPAIGN_DAY_COLUMNS)
    rows = [(campaign_ids[d.campaign], account.pk if d.attach_account else None, *values(d), by.source, by.run_id)
            for d in days]
    changed = upsert(
        table="analytics_campaigndailymetric", constraint="uniq_campaign_day",
        key_columns=("campaign_id", "account_id", "date"), value_columns=CAMPAIGN_DAY_COLUMNS, rows=rows,
        **by.upsert_kwargs(replaced),
    )
    return len(rows), changed


def _write_follower_sources(account: SocialAccount, days: list[FollowerSourceDay]) -> tuple[int, int]:
    days = _merge(days, key=attrgetter("date", "source"))
    rows = [(account.pk, d.date, d.source, d.followers_gained, d.followers_lost) for d in days]
    changed = upsert(
        table="analytics_followersourceday", constraint="uniq_follower_source_day",
        key_columns=("account_id", "date", "source"), value_columns=("followers_gained", "followers_lost"),
        rows=rows, text_free=True,
    )
    return len(rows), changed


def metrics_write(*, account: SocialAccount, batch: Batch, by: Provenance | None = None) -> WriteResult:
    """Upsert everything in `batch` for `account` in one transaction: all of it or none. Every daily
    row records `by` (source and run); rows another source wrote that change are counted."""
    received = changed = 0
    by = by or Provenance()
    replaced = {"account_days": {}, "post_days": {}, "campaign_days": {}}
    with transaction.atomic():
        r, c = _write_account_days(account, batch.account_days, by, replaced["account_days"])
        received, changed = received + r, changed + c
        # Snapshots repeat their post, usually as the same object: drop those repeats cheaply.
        post_infos = list({id(p): p for p in (*batch.posts, *(d.post for d in batch.post_days))}.values())
        if post_infos:
            post_ids, c = _write_posts(account, post_infos)
            received, changed = received + len(batch.posts), changed + c
            r, c = _write_post_days(post_ids, batch.post_days, by, replaced["post_days"])
            received, changed = received + r, changed + c
        r, c = _write_campaign_days(account, batch.campaign_days, by, replaced["campaign_days"])
        received, changed = received + r, changed + c
        r, c = _write_follower_sources(account, batch.follower_sources)
        received, changed = received + r, changed + c
    return WriteResult(received=received, changed=changed,
                       replaced={table: counts for table, counts in replaced.items() if counts})


# --- Ingestion runs -----------------------------------------------------------------------

# "<platform> <endpoint>: <code field> <code> …" or "… HTTP <status>": how connector errors begin.
ERROR_WHERE = re.compile(r"^(?P<platform>[a-z][a-z0-9_]*) (?P<endpoint>/\S*):(?: (?P<field>[a-z_]+) (?P<code>-?\d+)\b)?")
HTTP_STATUS = re.compile(r"\bHTTP (?P<status>\d{3})\b")


def error_detail(exc: Exception) -> dict:
    """Platform, endpoint and code of a connector error, read from its message (see `connectors.http`)."""
    message = str(exc)
    detail = {"type": type(exc).__name__}
    if match := ERROR_WHERE.match(message):
        detail |= {"platform": match["platform"], "endpoint": match["endpoint"]}
        if match["code"]:
            detail["code"] = f"{match['field']} {match['code']}"
    if "code" not in detail and (status := HTTP_STATUS.search(message)):
        detail["code"] = f"HTTP {status['status']}"
    return detail


def ingestion_run_create(
    *,
    account: SocialAccount,
    source: str,
    kind: str = "",
    window_start=None,
    window_end=None,
    file_name: str = "",
    status: str = RunStatus.QUEUED,
    task_id: str = "",
) -> IngestionRun:
    running = status == RunStatus.RUNNING
    return IngestionRun.objects.create(
        account=account,
        source=source,
        kind=kind,
        window_start=window_start,
        window_end=window_end,
        file_name=file_name,
        status=status,
        task_id=task_id,
        started_at=timezone.now() if running else None,
        attempt=1 if running else 0,
    )


def ingestion_run_start(*, run: IngestionRun, task_id: str = "") -> None:
    """A new attempt begins (the first, a retry, or the redelivery of a killed one)."""
    run.status, run.started_at, run.error, run.error_detail = RunStatus.RUNNING, timezone.now(), "", {}
    run.attempt, run.next_attempt_at, run.requests_made = run.attempt + 1, None, 0
    run.task_id = task_id or run.task_id
    run.save(
        update_fields=[
            "status",
            "started_at",
            "error",
            "error_detail",
            "attempt",
            "next_attempt_at",
            "requests_made",
            "task_id",
        ]
    )


def _rows_by_table(batch: Batch) -> dict[str, int]:
    rows = {
        ACCOUNT_DAYS: len(batch.account_days),
        "posts": len({d.post.external_id for d in batch.post_days} | {p.external_id for p in batch.posts}),
        POST_DAYS: len(batch.post_days),
        CAMPAIGN_DAYS: len(batch.campaign_days),
    }
    return {table: n for table, n in rows.items() if n}


def ingestion_run_succeed(
    *, run: IngestionRun, rows_written: int, rows_by_table: dict | None = None, requests_made: int | None = None
) -> None:
    run.status, run.rows_written, run.finished_at = RunStatus.SUCCEEDED, rows_written, timezone.now()
    run.rows_by_table = rows_by_table if rows_by_table is not None else run.rows_by_table
    run.requests_made = requests_made if requests_made is not None else run.requests_made
    run.save(update_fields=["status", "rows_written", "rows_by_table", "requests_made", "finished_at"])
    if run.source != RunSource.FILE:  # "last synced" means the platform was reached
        SocialAccount.objects.filter(pk=run.account_id).update(last_synced_at=run.finished_at)


def ingestion_run_fail(
    *,
    run: IngestionRun,
    error: str,
    status: str = RunStatus.FAILED,
    exc: Exception | None = None,
    requests_made: int | None = None,
) -> None:
    """Finish the run as failed (or deferred / skipped), with the error and where it came from."""
    run.status, run.error, run.finished_at, run.next_attempt_at = status, error, timezone.now(), None
    run.error_detail = error_detail(exc) if exc is not None else run.error_detail
    run.requests_made = requests_made if requests_made is not None else run.requests_made
    run.save(update_fields=["status", "error", "error_detail", "requests_made", "finished_at", "next_attempt_at"])


def ingestion_run_retry(
    *, run: IngestionRun, error: str, exc: Exception, next_attempt_at: dt.datetime, requests_made: int
) -> None:
    """The attempt failed transiently and Celery will try again at `next_attempt_at`."""
    run.status, run.error, run.error_detail = RunStatus.RETRYING, error, error_detail(exc)
    run.next_attempt_at, run.requests_made = next_attempt_at, requests_made
    run.save(update_fields=["status", "error", "error_detail", "next_attempt_at", "requests_made"])


def batch_ingest(*, run: IngestionRun, batch: Batch, requests_made: int | None = None) -> WriteResult:
    """Write a fetched or parsed batch and record the outcome on its run."""
    account = run.account
    result = metrics_write(account=account, batch=batch, by=Provenance(source=run.source, run_id=run.pk))
    if result.replaced:
        run.replaced = result.replaced
        run.save(update_fields=["replaced"])
    ingestion_run_succeed(
        run=run, rows_written=result.received, rows_by_table=_rows_by_table(batch), requests_made=requests_made
    )
    return result


# --- Platform sync --------------------------------------------------------------------------

# Celery time limits of one account's sync (tasks.sync_account).
SYNC_SOFT_TIME_LIMIT = 15 * 60
SYNC_TIME_LIMIT = 20 * 60

# The nightly run always re-reads this many days: platforms revise recent days after the fact.
SYNC_WINDOW_DAYS = windows.REREAD_DAYS


class AccountBusy(Exception):
    """Another run holds the account's sync lock."""


BUSY = "账号正在被另一个同步占用，推迟到下次同步"


def _account_needs_reauth(*, account: SocialAccount, detail: str) -> None:
    account.status, account.status_detail = AccountStatus.NEEDS_REAUTH, detail
    SocialAccount.objects.filter(pk=account.pk).update(status=account.status, status_detail=detail)


class _RequestCounter:
    """Counts the platform's answers to a connector's HTTP sessions (a `requests` response hook)."""

    def __init__(self, connector):
        self.count = 0
        for client in vars(connector).values():
            session = getattr(client, "session", None)
            if isinstance(session, requests.Session):
                session.hooks["response"].append(self._seen)

    def _seen(self, response, *args, **kwargs):
        self.count += 1


def _series_progress_record(*, account: SocialAccount, batch: Batch, start: dt.date, end: dt.date) -> None:
    """After a successful read of start..end: how far each of the account's series is now read."""
    yesterday = local_yesterday(account)
    snapshot = snapshot_day(account, start, end)
    # Days the platform called not final (WeChat `is_delay`), on the batch or on its records.
    provisional = sorted(batch.provisional_days | {d.date for d in (*batch.account_days, *batch.post_days)
                                                   if d.provisional})
    stored = {p.series: p for p in SeriesProgress.objects.filter(account=account)}
    for series in windows.series_of(account.platform):
        dates = [row.date for row in getattr(batch, series.name)]
        if series.snapshot:
            last = max(dates) if dates else snapshot
        elif series.name == windows.ACCOUNT_DAYS and dates:
            last = max(dates)  # a day is read once it is actually stored
        else:
            last = min(end, yesterday) if start <= yesterday else None  # read: days without rows had no data
        if last is None:
            continue
        previous = stored.get(series.name)
        provisional_from = provisional[0] if provisional else None
        if previous is not None:
            last = max(last, previous.last_day)
            if provisional_from is None and previous.provisional_from and previous.provisional_from < start:
                provisional_from = previous.provisional_from  # not re-read by this window: still provisional
        SeriesProgress.objects.update_or_create(
            account=account,
            series=series.name,
            defaults={"last_day": last, "provisional_from": provisional_from},
        )


def account_sync(
    *,
    account: SocialAccount,
    start: dt.date,
    end: dt.date,
    run: IngestionRun | None = None,
    source: str = RunSource.API,
    task_id: str = "",
    retry_in: float | None = None,
) -> IngestionRun:
    """Fetch one account's window from its platform and write it in one transaction, holding the
    account's lock (`AccountBusy` if another run holds it).

    Every failure is recorded on the run and leaves the stored data as it was. Transient errors
    are re-raised so the Celery task can retry them: the run is then `retrying` (due in
    `retry_in` seconds), or `failed` when no retry follows. Quota errors defer the run; auth
    errors flag the account for re-authorisation; a window with nothing to read is `skipped`.
    """
    created_here = run is None
    if run is None:
        run = ingestion_run_create(
            account=account,
            source=source,
            kind=account.platform,
            window_start=start,
            window_end=end,
            task_id=task_id,
        )
    lock = RunLock(account_id=account.pk, run_id=run.pk)
    if not lock.acquire():
        if created_here:  # nobody will come back for it
            ingestion_run_fail(run=run, status=RunStatus.DEFERRED, error=BUSY)
        raise AccountBusy(f"account {account.pk} is being synced by another run")
    with lock:
        ingestion_run_start(run=run, task_id=task_id)
        counter = None
        try:
            connector = connector_for(account)
            counter = _RequestCounter(connector)
            batch = connector.fetch(start, end)
            with transaction.atomic():
                if not len(batch) and not counter.count:
                    ingestion_run_fail(
                        run=run,
                        status=RunStatus.SKIPPED,
                        requests_made=0,
                        error="这个时间窗在平台上没有可读取的内容，未调用平台接口",
                    )
                else:
                    batch_ingest(run=run, batch=batch, requests_made=counter.count)
                    _series_progress_record(account=account, batch=batch, start=start, end=end)
                if account.status == AccountStatus.NEEDS_REAUTH:  # the platform took the credentials again
                    account.status, account.status_detail = AccountStatus.ACTIVE, ""
                    account.save(update_fields=["status", "status_detail"])
        except TransientError as exc:
            made = counter.count if counter else 0
            error = f"平台暂时不可用（可重试）：{exc}"
            if retry_in is None:
                ingestion_run_fail(run=run, error=error, exc=exc, requests_made=made)
            else:
                ingestion_run_retry(
                    run=run,
                    error=error,
                    exc=exc,
                    requests_made=made,
                    next_attempt_at=timezone.now() + dt.timedelta(seconds=retry_in),
                )
            raise
        except QuotaExceeded as exc:
            ingestion_run_fail(
                run=run,
                error=f"配额已用完，推迟到下次同步：{exc}",
                status=RunStatus.DEFERRED,
                exc=exc,
                requests_made=counter.count if counter else 0,
            )
        except AuthError as exc:
            ingestion_run_fail(
                run=run, error=f"授权失效，需要重新授权：{exc}", exc=exc, requests_made=counter.count if counter else 0
            )
            _account_needs_reauth(account=account, detail=str(exc))
        except PlatformDataError as exc:
            ingestion_run_fail(
                run=run, error=f"平台返回的数据有误：{exc}", exc=exc, requests_made=counter.count if counter else 0
            )
        except Exception as exc:  # a bug or a time limit: record it on the run rather than lose it in a log
            logger.exception("sync of account %s failed", account.pk)
            ingestion_run_fail(
                run=run,
                error=f"同步失败：{type(exc).__name__}: {exc}",
                exc=exc,
                requests_made=counter.count if counter else 0,
            )
    return run


def _enqueue(runs: list[IngestionRun]) -> None:
    """Send the runs' tasks once the caller's transaction commits; several runs of one account go
    as a chain, one after the other, so they do not wait on each other's lock."""
    from .tasks import sync_account  # tasks import this module

    signatures = [
        sync_account.si(run.account_id, run.window_start.isoformat(), run.window_end.isoformat(), run_id=run.pk).set(
            task_id=run.task_id
        )
        for run in runs
    ]
    send = (chain(*signatures) if len(signatures) > 1 else signatures[0]).apply_async
    transaction.on_commit(lambda: runs_enqueue(send, runs=runs))


def _queued_runs_create(*, account: SocialAccount, windows_: list[tuple[dt.date, dt.date]]) -> list[IngestionRun]:
    runs = [
        IngestionRun(
            account=account,
            source=RunSource.API,
            kind=account.platform,
            window_start=start,
            window_end=end,
            status=RunStatus.QUEUED,
            task_id=str(uuid.uuid4()),
        )
        for start, end in windows_
    ]
    return IngestionRun.objects.bulk_create(runs)


def sync_request(*, account: SocialAccount, start: dt.date, end: dt.date) -> IngestionRun:
    """Queue a sync of one account's window; the task is sent once the caller's transaction commits."""
    if end < start:
        raise ValidationError(f"end {end} is before start {start}")
    if not account.credentials:
        raise ValidationError(f"account {account.pk} has no API credentials; its data comes from export files")
    [run] = _queued_runs_create(account=account, windows_=[(start, end)])
    _enqueue([run])
    return run


def night_yesterday(day: dt.date | None = None) -> dt.date:
    """The last day a night reads: `day`, by default yesterday on the platforms' calendar."""
    return day or local_yesterday()


def retry_delay(attempt: int) -> float | None:
    """Seconds before the attempt after `attempt` (doubling, with jitter), None when it was the last one."""
    if attempt > settings.SYNC_MAX_RETRIES:
        return None
    base = settings.SYNC_RETRY_BACKOFF
    return min(base * 2 ** (attempt - 1), 60 * 60) + random.uniform(0, base)


STALE_RUNNING = "工作进程中断或超过时限，这次没有写入数据；这段时间窗会在下次同步重新读取"
STALE_QUEUED = "任务一直没有被执行（队列中的消息丢失），这段时间窗会在下次同步重新读取"
STALE_IMPORT = "导入中断（进程被终止），没有写入数据；请重新上传文件"


def ingestion_runs_expire(*, now: dt.datetime | None = None, keep: int | None = None) -> int:
    """Fail the runs a dead process left behind, so none stays "running" or "queued" forever.

    A sync run that is running holds its account's lock, renewed every few seconds: one whose
    lock is gone (after a grace of two TTLs from its start) died with its process, and so did any
    still running past the hard time limit. A file import has no lock: past the time limit it
    died. A queued or retrying run whose task never came within `SYNC_STALE_QUEUED_SECONDS` lost
    its message. `keep` is a run its redelivered task is about to take over.
    """
    now = now or timezone.now()
    grace = now - dt.timedelta(seconds=2 * settings.SYNC_LOCK_TTL)
    hard_limit = now - dt.timedelta(seconds=SYNC_TIME_LIMIT)
    running = list(
        IngestionRun.objects.filter(status=RunStatus.RUNNING, started_at__lt=grace)
        .exclude(pk=keep)
        .values_list("pk", "account_id", "source", "started_at")
    )
    holders = lock_holders(sorted({account_id for _, account_id, source, _ in running if source != RunSource.FILE}))
    dead_syncs = [
        pk
        for pk, account_id, source, started in running
        if source != RunSource.FILE and (holders.get(account_id) != pk or started < hard_limit)
    ]
    dead_imports = [pk for pk, _, source, started in running if source == RunSource.FILE and started < hard_limit]
    stale = now - dt.timedelta(seconds=settings.SYNC_STALE_QUEUED_SECONDS)
    expired = 0
    with transaction.atomic():
        # `status=RUNNING` again at update time: a run that finished meanwhile keeps its outcome.
        for pks, error in ((dead_syncs, STALE_RUNNING), (dead_imports, STALE_IMPORT)):
            expired += IngestionRun.objects.filter(pk__in=pks, status=RunStatus.RUNNING).update(
                status=RunStatus.FAILED, finished_at=now, error=error, error_detail={"type": "WorkerLost"}
            )
        expired += IngestionRun.objects.filter(
            Q(status=RunStatus.QUEUED, created_at__lt=stale) | Q(status=RunStatus.RETRYING, next_attempt_at__lt=stale)
        ).update(
            status=RunStatus.FAILED,
            finished_at=now,
            next_attempt_at=None,
            error=STALE_QUEUED,
            error_detail={"type": "TaskLost"},
        )
    return expired


def _night_runs_create(*, day: dt.date | None) -> list[IngestionRun]:
    """Tonight's runs of every active account with credentials (gap-aware windows), and the gaps
    of its snapshot series recorded, in one transaction."""
    ingestion_runs_expire()
    yesterday = night_yesterday(day)
    # Credentials are encrypted, so "has any" can only be checked after decryption;
    # accounts fed only by export files have none and are not synced.
    accounts = [a for a in SocialAccount.objects.filter(status=AccountStatus.ACTIVE).order_by("pk") if a.credentials]
    progress: dict[int, dict[str, windows.Progress]] = defaultdict(dict)
    for row in SeriesProgress.objects.filter(account__in=accounts):
        progress[row.account_id][row.series] = windows.Progress(row.last_day, row.provisional_from)
    runs, gaps = [], []
    with transaction.atomic():
        for account in accounts:
            plan = windows.night_plan(
                platform=account.platform,
                yesterday=yesterday,
                progress=progress[account.pk],
                max_days=settings.SYNC_MAX_BACKFILL_DAYS,
            )
            runs += _queued_runs_create(account=account, windows_=plan.windows)
            gaps += [
                SeriesGap(account=account, series=series, date=date, reason=reason)
                for series, days in plan.gaps.items()
                for date, reason in days
            ]
        SeriesGap.objects.bulk_create(gaps, ignore_conflicts=True)
    return runs


def sync_all_request(*, day: dt.date | None = None) -> list[IngestionRun]:
    """Queue the nightly windows of every active account that has API credentials (first failing
    the runs a dead worker left behind)."""
    runs = _night_runs_create(day=day)
    for _account_id, account_runs in groupby(runs, key=attrgetter("account_id")):
        _enqueue(list(account_runs))
    return runs


def sync_all_inline(*, day: dt.date | None = None) -> list[IngestionRun]:
    """The nightly fan-out run here, one run after the other, as the queued tasks would (without
    Celery's retries: a transient failure fails its run and the night goes on)."""
    runs = _night_runs_create(day=day)
    for run in runs:
        try:
            account_sync(account=run.account, start=run.window_start, end=run.window_end, run=run)
        except TransientError:
            pass  # recorded on the run; the window is read again next night
        except AccountBusy:
            ingestion_run_fail(run=run, status=RunStatus.DEFERRED, error=BUSY)
        run.refresh_from_db()
    return runs


# --- The data page's ops actions ------------------------------------------------------------

RETRYABLE = (RunStatus.FAILED, RunStatus.DEFERRED)


def run_window_retry(*, run: IngestionRun) -> IngestionRun:
    """Queue the window of a failed or deferred platform run again, as a new run."""
    if run.source == RunSource.FILE or run.status not in RETRYABLE or run.window_start is None:
        raise ValidationError(f"run {run.pk} is {run.status}: only a failed or deferred sync can be retried")
    return sync_request(account=run.account, start=run.window_start, end=run.window_end)


def nightly_schedule_update(*, hour: int, minute: int, enabled: bool) -> PeriodicTask:
    """Move (or pause) the nightly sync; beat picks the change up by itself (django-celery-beat)."""
    from .selectors import NIGHTLY_TASK, nightly_schedule

    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=str(minute),
        hour=str(hour),
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=PLATFORM_TZ,
    )
    task = nightly_schedule().task or PeriodicTask(name="每日同步 nightly sync_all", task=NIGHTLY_TASK)
    task.crontab, task.interval, task.enabled = crontab, None, enabled
    task.description = f"{hour:02d}:{minute:02d} {PLATFORM_TIME_ZONE}: the gap-aware nightly windows of every active account"
    task.save()
    return task
