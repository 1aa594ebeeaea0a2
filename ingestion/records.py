"""The frozen record types every connector and importer yields.

A record carries only what the source reported: a metric left at `None` means "not
reported" and never overwrites a stored value (see `ingestion.services`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, make_dataclass
from decimal import Decimal

from analytics.metrics import ACCOUNT_METRICS, POST_COUNTERS

# One account's counters for one local calendar day: one field per account metric of
# analytics/metrics.py (None = not reported), then `provisional`: the platform says the day is
# not final yet (WeChat `is_delay`), so it is stored and read again later.
AccountDay = make_dataclass(
    "AccountDay",
    [("date", dt.date), *((name, int | None, field(default=None)) for name in ACCOUNT_METRICS),
     ("provisional", bool, field(default=False))],
    frozen=True, slots=True,
)
AccountDay.__module__ = __name__
AccountDay.__doc__ = "One account's counters for one local calendar day (KPIS.md raw metrics)."


@dataclass(frozen=True, slots=True)
class PostInfo:
    """A post's identity and descriptive fields; `external_id` is its natural key."""

    external_id: str
    kind: str = ""
    title: str = ""
    url: str = ""
    published_at: dt.datetime | None = None
    published_time_known: bool = True  # False: the source gives the day only (published_at = local midnight)


# A post's lifetime counters as of `date`: one field per post metric of analytics/metrics.py, then
# its rates and `provisional` (as AccountDay's).
PostDay = make_dataclass(
    "PostDay",
    [("post", PostInfo), ("date", dt.date), *((name, int | None, field(default=None)) for name in POST_COUNTERS),
     ("completion_rate", float | None, field(default=None)), ("avg_watch_seconds", float | None, field(default=None)),
     ("provisional", bool, field(default=False))],
    frozen=True, slots=True,
)
PostDay.__module__ = __name__
PostDay.__doc__ = "A post's lifetime counters as of `date`."


@dataclass(frozen=True, slots=True)
class CampaignDay:
    """Paid results of one campaign for one day (optionally attributed to the account)."""

    campaign: str
    date: dt.date
    spend: Decimal | None = None
    impressions: int | None = None
    clicks: int | None = None
    engagements: int | None = None
    conversions: int | None = None
    revenue: Decimal | None = None
    followers_gained: int | None = None
    attach_account: bool = True


@dataclass(frozen=True, slots=True)
class FollowerSourceDay:
    """One day's follows and unfollows of an Official Account from one `user_source`."""

    date: dt.date
    source: int
    followers_gained: int | None = None
    followers_lost: int | None = None


@dataclass(slots=True)
class Batch:
    """Everything one ingest of one account's window produced, written in one transaction."""

    account_days: list[AccountDay] = field(default_factory=list)
    post_days: list[PostDay] = field(default_factory=list)
    posts: list[PostInfo] = field(default_factory=list)
    campaign_days: list[CampaignDay] = field(default_factory=list)
    follower_sources: list[FollowerSourceDay] = field(default_factory=list)
    # Days the platform reported as not final yet (WeChat `is_delay`): stored, and read again until final.
    provisional_days: set[dt.date] = field(default_factory=set)
    comments: list = field(default_factory=list)  # comments.records.CommentRecord, from a comments_csv file

    def __len__(self) -> int:
        return (len(self.account_days) + len(self.post_days) + len(self.campaign_days) + len(self.posts)
                + len(self.follower_sources))
