"""Thin Celery tasks: ids and ISO dates in, one service call each."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings

from accounts.models import SocialAccount

from . import selectors, services
from .connectors.base import REGISTRY, TransientError
from .models import FINISHED, IngestionRun, RunStatus

logger = logging.getLogger(__name__)

# A sync that finds its account busy does not hold a worker: it comes back this much later,
# as often as it takes the busy run to end (it cannot outlive the hard time limit).
LOCK_RETRY_SECONDS = 60
LOCK_WAITS = services.SYNC_TIME_LIMIT // LOCK_RETRY_SECONDS + 2


def _outcome(run) -> dict:
    if run.status != RunStatus.SUCCEEDED:
        logger.warning("run %s %s: %s", run.pk, run.status, run.error)
    return {"run": run.pk, "status": run.status, "rows": run.rows_written}


@shared_task(
    bind=True,
    acks_late=True,
    max_retries=settings.SYNC_MAX_RETRIES + LOCK_WAITS,
    soft_time_limit=services.SYNC_SOFT_TIME_LIMIT,
    time_limit=services.SYNC_TIME_LIMIT,
)
def sync_account(self, account_id: int, start: str, end: str, run_id: int | None = None) -> dict | None:
    account = SocialAccount.objects.filter(pk=account_id).first()
    if account is None:
        logger.warning("sync_account: account %s no longer exists", account_id)
        return None
    # A retry or a redelivery (acks_late) finds the run of its first attempt.
    task_id = self.request.id or ""
    run = selectors.sync_run_for_task(account=account, run_id=run_id, task_id=task_id)
    services.ingestion_runs_expire(keep=run.pk if run else None)  # not this one: it is redone right here
    if run is not None and run.status in FINISHED:
        return _outcome(run)
    start_day, end_day = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    if run is None:
        run = services.ingestion_run_create(
            account=account,
            source=services.RunSource.API,
            kind=account.platform,
            window_start=start_day,
            window_end=end_day,
            task_id=task_id,
        )
    retry_in = services.retry_delay(run.attempt + 1)
    try:
        run = services.account_sync(
            account=account, start=start_day, end=end_day, run=run, task_id=task_id, retry_in=retry_in
        )
    except services.AccountBusy:
        if self.request.retries >= self.max_retries:
            services.ingestion_run_fail(run=run, error="账号一直被另一个同步占用，推迟到下次同步", status=RunStatus.DEFERRED)
            return _outcome(run)
        raise self.retry(countdown=LOCK_RETRY_SECONDS) from None
    except TransientError as exc:
        if retry_in is None:
            return _outcome(run)  # the last attempt: the run is failed, the window read again next night
        raise self.retry(countdown=retry_in, exc=exc) from None
    return _outcome(run)


def sync_queue(platform: str) -> str:
    """Each platform's syncs wait on a queue of their own: one platform's rate limits and outages
    hold up only its own accounts, and a worker can be given (`-Q`) only some platforms."""
    return f"{settings.SYNC_QUEUE_PREFIX}{platform}"


def sync_queues() -> list[str]:
    return [sync_queue(platform) for platform in sorted(REGISTRY)]


def sync_route(name, args, kwargs, options, task=None, **kw):
    """The Celery router (CELERY_TASK_ROUTES): an account's sync goes to its platform's queue,
    whoever sends it; a queue named by the sender wins."""
    if name != sync_account.name:
        return None
    account_id = args[0] if args else (kwargs or {}).get("account_id")
    platform = SocialAccount.objects.filter(pk=account_id).values_list("platform", flat=True).first()
    return {"queue": sync_queue(platform)} if platform else None


@shared_task(acks_late=True, soft_time_limit=5 * 60, time_limit=6 * 60)
def sync_all(date: str | None = None) -> int:
    """The nightly fan-out: the gap-aware windows of every active account with credentials."""
    runs = services.sync_all_request(day=dt.date.fromisoformat(date) if date else None)
    return len(runs)


# Imports: a 1,000,000-row export takes about a minute; a hostile file is refused in milliseconds.
IMPORT_SOFT_TIME_LIMIT = 15 * 60
IMPORT_TIME_LIMIT = 20 * 60


@shared_task(acks_late=True, soft_time_limit=IMPORT_SOFT_TIME_LIMIT, time_limit=IMPORT_TIME_LIMIT)
def import_uploaded_file(run_id: int) -> dict | None:
    """Import the file uploaded for run `run_id` (see `importers.service.import_request`)."""
    from .importers.service import uploaded_file_import

    run = IngestionRun.objects.select_related("account").filter(pk=run_id).first()
    if run is None:
        logger.warning("import_uploaded_file: run %s no longer exists", run_id)
        return None
    uploaded_file_import(run=run, time_limit=IMPORT_TIME_LIMIT)
    return {"run": run.pk, "status": run.status, "rows": run.rows_written}
