"""Reads the ingestion path needs from what is already stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from accounts.models import SocialAccount
from analytics.models import PostDailyMetric

from .models import IngestionRun


def post_counters_on(
    *, account: SocialAccount, date: dt.date, external_ids: Iterable[str], counters: tuple[str, ...]
) -> dict[str, dict[str, int | None]]:
    """The stored lifetime `counters` of the account's posts on `date` by external id; posts without a row are absent."""
    rows = PostDailyMetric.objects.filter(
        post__account=account, post__external_id__in=list(external_ids), date=date
    ).values("post__external_id", *counters)
    return {row.pop("post__external_id"): row for row in rows}


def sync_run_for_task(*, account: SocialAccount, run_id: int | None, task_id: str) -> IngestionRun | None:
    """The run a `sync_account` task works on: by id, else the one its first attempt created."""
    runs = IngestionRun.objects.filter(account=account)
    if run_id:
        return runs.filter(pk=run_id).first()
    return runs.filter(task_id=task_id).first() if task_id else None
