"""Account daily counts from the lifetime counters of its posts, for platforms that report current totals only.

Weibo and Bilibili answer "how many likes does this post have now", never "how many likes did the
account get yesterday". Synced every night, the day's count is the sum over posts of each
counter's increase since the night before (PLATFORMS.md, "Weibo").
"""

from __future__ import annotations

import datetime as dt

from accounts.calendar import local_date
from accounts.models import SocialAccount
from ingestion.records import AccountDay, Batch, PostDay
from ingestion.selectors import post_counters_on


def counter_increases(
    *, account: SocialAccount, day: dt.date, post_days: list[PostDay], metrics: tuple[str, ...]
) -> dict[str, int | None]:
    """Σ over posts of (the day's lifetime counter − the previous day's stored one); a post published that day starts at 0.

    A metric is NULL for the day when any post's previous value is unknown (the first sync, a post
    first seen late) or its current one is missing, because a partial sum would understate the day.
    An un-like or a deleted comment lowers the day's count: the net change counts.
    """
    previous = post_counters_on(
        account=account, date=day - dt.timedelta(days=1),
        external_ids=[p.post.external_id for p in post_days], counters=metrics,
    )
    new_that_day = {
        p.post.external_id for p in post_days
        if p.post.published_at is not None and local_date(account, p.post.published_at) == day
    }
    totals: dict[str, int | None] = {}
    for metric in metrics:
        total: int | None = 0
        for post_day in post_days:
            external_id = post_day.post.external_id
            before = previous.get(external_id, {}).get(metric, 0 if external_id in new_that_day else None)
            now = getattr(post_day, metric)
            if before is None or now is None:
                total = None
                break
            total += now - before
        totals[metric] = total
    return totals


def snapshot_batch(
    *, account: SocialAccount, day: dt.date, followers: int | None, post_days: list[PostDay], metrics: tuple[str, ...]
) -> Batch:
    """A snapshot platform's night: the follower count and the posts' lifetime counters, with the
    account's daily counts as the counters' increases (`counter_increases`)."""
    interactions = counter_increases(account=account, day=day, post_days=post_days, metrics=metrics)
    return Batch(account_days=[AccountDay(date=day, followers=followers, **interactions)], post_days=post_days)
