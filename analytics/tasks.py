"""Thin Celery tasks of the analytics app."""

from celery import shared_task

from .partitions import partitions_ensure as _partitions_ensure


@shared_task(acks_late=True, soft_time_limit=10 * 60, time_limit=12 * 60)
def partitions_ensure() -> dict[str, int]:
    """Daily: the fact tables' partitions for the coming months (see analytics.partitions)."""
    return _partitions_ensure()
