"""Thin Celery tasks: evaluate an organization's day, send what is due on one channel."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings

from accounts.models import Organization

from . import services


@shared_task(acks_late=True, soft_time_limit=10 * 60, time_limit=12 * 60)
def evaluate_alerts(organization_id: int, date: str) -> dict | None:
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return None
    summary = services.organization_alerts_evaluate(organization=organization, day=dt.date.fromisoformat(date))
    return {"evaluated": summary.evaluated, "fired": summary.fired, "waiting": summary.waiting}


@shared_task(bind=True, acks_late=True, max_retries=None, soft_time_limit=2 * 60, time_limit=3 * 60)
def deliveries_send(self, channel_key: str) -> dict:
    outcome = services.alert_deliveries_send(channel_key=channel_key)
    if outcome.retry_in is not None and self.request.retries < settings.ALERT_DELIVERY_MAX_ATTEMPTS:
        raise self.retry(countdown=outcome.retry_in)
    return {"sent": outcome.sent, "failed": outcome.failed}
