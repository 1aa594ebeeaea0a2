"""Sending a run's task to the queue, and what happens when the queue (Redis) is down."""

from __future__ import annotations

import logging
from collections.abc import Callable

import redis
from django.core.exceptions import ValidationError
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

QUEUE_ERRORS = (OperationalError, redis.RedisError, OSError)
# What a client is told to wait before trying again (the API's Retry-After).
QUEUE_RETRY_AFTER_SECONDS = 30


class QueueUnavailable(ValidationError):
    """The task could not be queued; its run was failed, not left "queued" for ever.

    A ValidationError so that the dashboards and the commands, which show those as messages,
    tell the user instead of crashing; the API answers it with a 503 and Retry-After.
    """


def runs_enqueue(send: Callable[[], object], *, runs: list) -> None:
    """`send()` the runs' task(s); if the queue is down, fail the runs and raise QueueUnavailable."""
    from .services import ingestion_run_fail  # services imports this module

    try:
        send()
    except QUEUE_ERRORS as exc:
        logger.error("queue unavailable, runs %s not queued: %s", [run.pk for run in runs], exc)
        for run in runs:
            ingestion_run_fail(run=run, error=f"任务队列暂时不可用，未能排队：{exc}")
        raise QueueUnavailable("任务队列（Redis）暂时不可用，同步未排队；请稍后重试。", code="queue_unavailable") from exc
