"""Thin Celery tasks: ids and ISO dates in, one service call each."""

from __future__ import annotations

import datetime as dt
import logging

import redis
from celery import shared_task
from django.conf import settings

from accounts.models import SocialAccount

from . import services
from .connectors.base import TransientError
from .models import IngestionRun, RunStatus

logger = logging.getLogger(__name__)

# Outlives the hard time limit, so a killed task's lock expires on its own.
LOCK_TIMEOUT = services.SYNC_TIME_LIMIT + 60
# A sync that finds its account busy does not hold a worker: it comes back this much later.
LOCK_RETRY_SECONDS = 60


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def account_lock(account_id: int):
    """One sync per account at a time, across every worker on every machine."""
    return _redis().lock(f"sync-account:{account_id}", timeout=LOCK_TIMEOUT, blocking=False)


@shared_task(
    bind=True, acks_late=True, autoretry_for=(TransientError,), max_retries=settings.SYNC_MAX_RETRIES,
    retry_backoff=settings.SYNC_RETRY_BACKOFF, retry_backoff_max=60 * 60, retry_jitter=True,
    soft_time_limit=services.SYNC_SOFT_TIME_LIMIT, time_limit=services.SYNC_TIME_LIMIT,
)
def sync_account(self, account_id: int, start: str, end: str, run_id: int | None = None) -> dict | None:
    account = SocialAccount.objects.filter(pk=account_id).first()
    if account is None:
        logger.warning("sync_account: account %s no longer exists", account_id)
        return None
    # A retry or a redelivery (acks_late) finds the run of its first attempt.
    task_id = self.request.id or ""
    runs = IngestionRun.objects.filter(account=account)
    run = runs.filter(pk=run_id).first() if run_id else runs.filter(task_id=task_id).first() if task_id else None
    if run is not None and run.status in (RunStatus.SUCCEEDED, RunStatus.DEFERRED):
        return {"run": run.pk, "status": run.status, "rows": run.rows_written}
    lock = account_lock(account.pk)
    if not lock.acquire():
        raise self.retry(countdown=LOCK_RETRY_SECONDS)
    try:
        run = services.account_sync(
            account=account, start=dt.date.fromisoformat(start), end=dt.date.fromisoformat(end),
            run=run, task_id=task_id,
        )
    finally:
        lock.release()
    return {"run": run.pk, "status": run.status, "rows": run.rows_written}


@shared_task(acks_late=True, soft_time_limit=5 * 60, time_limit=6 * 60)
def sync_all(date: str | None = None) -> int:
    """The nightly fan-out: one `sync_account` per active account with credentials."""
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
