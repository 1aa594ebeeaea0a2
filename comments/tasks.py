"""Thin Celery task: comment scoring runs here, never in a web request."""

from __future__ import annotations

from celery import shared_task

from accounts.models import SocialAccount

from . import services


@shared_task(acks_late=True, soft_time_limit=30 * 60, time_limit=31 * 60)
def score_comments(account_id: int) -> int:
    account = SocialAccount.objects.filter(pk=account_id).first()
    return services.comments_score(account=account) if account else 0
