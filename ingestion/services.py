"""The one write path for ingested data: connectors and importers both end here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

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

from .connectors.base import AuthError, PlatformDataError, QuotaExceeded, TransientError, connector_for
from .models import IngestionRun, RunSource, RunStatus
from .queueing import run_enqueue
from .records import AccountDay, Batch, CampaignDay, FollowerSourceDay, PostDay, PostInfo
from .upsert import upsert

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
        Post.objects.filter(account=account, external_id__in=[p.external_id for p in posts])
        .values_list("external_id", "pk")
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


def ingestion_run_create(
    *, account: SocialAccount, source: str, kind: str = "", window_start=None, window_end=None,
    file_name: str = "", status: str = RunStatus.QUEUED,
) -> IngestionRun:
    return IngestionRun.objects.create(
        account=account, source=source, kind=kind, window_start=window_start,
        window_end=window_end, file_name=file_name, status=status,
        started_at=timezone.now() if status == RunStatus.RUNNING else None,
    )


def ingestion_run_start(*, run: IngestionRun, task_id: str = "") -> None:
    run.status, run.started_at, run.error = RunStatus.RUNNING, timezone.now(), ""
    run.task_id = task_id or run.task_id
    run.save(update_fields=["status", "started_at", "error", "task_id"])


def ingestion_run_succeed(*, run: IngestionRun, rows_written: int) -> None:
    run.status, run.rows_written, run.finished_at = RunStatus.SUCCEEDED, rows_written, timezone.now()
    run.save(update_fields=["status", "rows_written", "finished_at"])
    if run.source != RunSource.FILE:  # "last synced" means the platform was reached
        SocialAccount.objects.filter(pk=run.account_id).update(last_synced_at=run.finished_at)


def ingestion_run_fail(*, run: IngestionRun, error: str, status: str = RunStatus.FAILED) -> None:
    run.status, run.error, run.finished_at = status, error, timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])


def batch_ingest(*, run: IngestionRun, batch: Batch) -> WriteResult:
    """Write a fetched or parsed batch and record the outcome on its run."""
    account = run.account
    result = metrics_write(account=account, batch=batch, by=Provenance(source=run.source, run_id=run.pk))
    if result.replaced:
        run.replaced = result.replaced
        run.save(update_fields=["replaced"])
    ingestion_run_succeed(run=run, rows_written=result.received)
    return result


# --- Platform sync --------------------------------------------------------------------------

# Celery time limits of one account's sync (tasks.sync_account).
SYNC_SOFT_TIME_LIMIT = 15 * 60
SYNC_TIME_LIMIT = 20 * 60

# Platform "days" are China's calendar days, whatever the server's clock says.
PLATFORM_TZ = ZoneInfo("Asia/Shanghai")
# The nightly run re-reads this many days: platforms revise recent days after the fact.
SYNC_WINDOW_DAYS = 3


def _account_needs_reauth(*, account: SocialAccount, detail: str) -> None:
    account.status, account.status_detail = AccountStatus.NEEDS_REAUTH, detail
    SocialAccount.objects.filter(pk=account.pk).update(status=account.status, status_detail=detail)


def account_sync(
    *, account: SocialAccount, start: dt.date, end: dt.date, run: IngestionRun | None = None,
    source: str = RunSource.API, task_id: str = "",
) -> IngestionRun:
    """Fetch one account's window from its platform and write it in one transaction.

    Every failure is recorded on the run and leaves the stored data as it was. Transient
    errors are re-raised (after recording) so the Celery task can retry them; quota errors
    defer the run; auth errors flag the account for re-authorisation.
    """
    if run is None:
        run = ingestion_run_create(
            account=account, source=source, kind=account.platform, window_start=start, window_end=end,
        )
    ingestion_run_start(run=run, task_id=task_id)
    try:
        batch = connector_for(account).fetch(start, end)
        with transaction.atomic():
            batch_ingest(run=run, batch=batch)
            if account.status == AccountStatus.NEEDS_REAUTH:  # the platform took the credentials again
                account.status, account.status_detail = AccountStatus.ACTIVE, ""
                account.save(update_fields=["status", "status_detail"])
    except TransientError as exc:
        ingestion_run_fail(run=run, error=f"平台暂时不可用（可重试）：{exc}")
        raise
    except QuotaExceeded as exc:
        ingestion_run_fail(run=run, error=f"配额已用完，推迟到下次同步：{exc}", status=RunStatus.DEFERRED)
    except AuthError as exc:
        ingestion_run_fail(run=run, error=f"授权失效，需要重新授权：{exc}")
        _account_needs_reauth(account=account, detail=str(exc))
    except PlatformDataError as exc:
        ingestion_run_fail(run=run, error=f"平台返回的数据有误：{exc}")
    except Exception as exc:  # a bug or a time limit: record it on the run rather than lose it in a log
        logger.exception("sync of account %s failed", account.pk)
        ingestion_run_fail(run=run, error=f"同步失败：{type(exc).__name__}: {exc}")
    return run


def sync_request(*, account: SocialAccount, start: dt.date, end: dt.date) -> IngestionRun:
    """Queue a sync of one account's window; the task is sent once the caller's transaction commits."""
    from .tasks import sync_account  # tasks import this module

    if end < start:
        raise ValidationError(f"end {end} is before start {start}")
    if not account.credentials:
        raise ValidationError(f"account {account.pk} has no API credentials; its data comes from export files")
    task_id = str(uuid.uuid4())
    run = IngestionRun.objects.create(
        account=account, source=RunSource.API, kind=account.platform, window_start=start, window_end=end,
        status=RunStatus.QUEUED, task_id=task_id,
    )
    transaction.on_commit(lambda: run_enqueue(
        sync_account, run=run, args=(account.pk, start.isoformat(), end.isoformat()), kwargs={"run_id": run.pk},
        task_id=task_id,
    ))
    return run


def sync_window(day: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The nightly window: the last `SYNC_WINDOW_DAYS` days up to `day` (default: yesterday in China)."""
    end = day or timezone.localdate(timezone=PLATFORM_TZ) - dt.timedelta(days=1)
    return end - dt.timedelta(days=SYNC_WINDOW_DAYS - 1), end


def ingestion_runs_expire(*, now: dt.datetime | None = None) -> int:
    """Fail the runs still "running" past the sync's hard time limit: the worker was killed (the
    limit, or a crash) before it could record anything, and its transaction wrote nothing."""
    now = now or timezone.now()
    return IngestionRun.objects.filter(
        status=RunStatus.RUNNING, started_at__lt=now - dt.timedelta(seconds=SYNC_TIME_LIMIT)
    ).update(status=RunStatus.FAILED, finished_at=now, error="同步超过时限或工作进程中断，未写入数据；将在下次同步重试")


def sync_all_request(*, day: dt.date | None = None) -> list[IngestionRun]:
    """Queue the nightly window of every active account that has API credentials (first failing
    the runs a killed worker left "running")."""
    ingestion_runs_expire()
    start, end = sync_window(day)
    accounts = SocialAccount.objects.filter(status=AccountStatus.ACTIVE).order_by("pk")
    # Credentials are encrypted, so "has any" can only be checked after decryption;
    # accounts fed only by export files have none and are not synced.
    return [sync_request(account=a, start=start, end=end) for a in accounts if a.credentials]
