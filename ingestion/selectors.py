"""Reads the ingestion path needs from what is already stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from accounts.models import SocialAccount
from analytics.models import PostDailyMetric


def post_counters_on(
    *, account: SocialAccount, date: dt.date, external_ids: Iterable[str], counters: tuple[str, ...]
) -> dict[str, dict[str, int | None]]:
    """The stored lifetime `counters` of the account's posts on `date` by external id; posts without a row are absent."""
    rows = PostDailyMetric.objects.filter(
        post__account=account, post__external_id__in=list(external_ids), date=date
    ).values("post__external_id", *counters)
    return {row.pop("post__external_id"): row for row in rows}
