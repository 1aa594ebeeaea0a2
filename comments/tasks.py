"""Thin Celery tasks: comment scoring and the nightly comment read run here, never in a web request."""

from __future__ import annotations

from celery import shared_task

from accounts.models import AccountStatus, SocialAccount
from ingestion.connectors.base import TransientError

from . import services


@shared_task(acks_late=True, soft_time_limit=30 * 60, time_limit=31 * 60)
def score_comments(account_id: int) -> int:
    account = SocialAccount.objects.filter(pk=account_id).first()
    return services.comments_score(account=account) if account else 0


@shared_task(
    acks_late=True,
    autoretry_for=(TransientError,),
    max_retries=3,
    retry_backoff=60,
    retry_jitter=True,
    soft_time_limit=15 * 60,
    time_limit=20 * 60,
)
def sync_comments(account_id: int) -> int | None:
    account = SocialAccount.objects.filter(pk=account_id, status=AccountStatus.ACTIVE).first()
    result = services.comments_sync(account=account) if account else None
    return result.received if result else None


@shared_task
def sync_all_comments() -> int:
    """The nightly fan-out: one sync_comments per active account."""
    accounts = SocialAccount.objects.filter(status=AccountStatus.ACTIVE).values_list("pk", flat=True)
    for account_id in accounts:
        sync_comments.delay(account_id)
    return len(accounts)
