"""Alerts are evaluated right after each account's nightly sync, without the ingestion code knowing.

A receiver on IngestionRun's post_save sees a platform sync (not a file import) reach a final
state and, once that transaction commits, queues `evaluate_alerts` for the account's organization
and the run's last day. Scopes whose accounts are still queued or running wait (evaluation.py),
so the last account of an organization to finish is the one whose evaluation judges the
organization-wide rules. Requests within ALERT_EVALUATION_DELAY seconds collapse into one task.
"""

import logging

import redis
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from ingestion.models import IngestionRun, RunSource
from ingestion.queueing import QUEUE_ERRORS

from .evaluation import FINAL_STATUSES

logger = logging.getLogger(__name__)


def _first_request(organization_id: int, day: str, delay: int) -> bool:
    """Whether no evaluation of this organization and day is already queued to start within `delay`."""
    if delay <= 0:
        return True
    try:
        return bool(
            redis.Redis.from_url(settings.REDIS_URL).set(f"alerts-eval:{organization_id}:{day}", 1, nx=True, ex=delay)
        )
    except redis.RedisError:
        return True


def _enqueue(organization_id: int, day: str) -> None:
    from .tasks import evaluate_alerts  # noqa: PLC0415 - tasks import services, which import evaluation

    delay = settings.ALERT_EVALUATION_DELAY
    if not _first_request(organization_id, day, delay):
        return
    try:
        evaluate_alerts.apply_async(args=(organization_id, day), countdown=delay)
    except QUEUE_ERRORS as exc:  # the queue is down: the run's own outcome matters more than its alerts
        logger.error("queue unavailable, alerts of organization %s for %s not evaluated now: %s",
                     organization_id, day, exc)


@receiver(post_save, sender=IngestionRun, dispatch_uid="alerts.evaluate_after_sync")
def evaluate_after_sync(sender, instance: IngestionRun, **kwargs):
    if instance.status not in FINAL_STATUSES or instance.source == RunSource.FILE or instance.window_end is None:
        return
    organization_id, day = instance.account.organization_id, instance.window_end.isoformat()
    transaction.on_commit(lambda: _enqueue(organization_id, day))
