"""The frozen record types every connector and importer yields.

A record carries only what the source reported: a metric left at `None` means "not
reported" and never overwrites a stored value (see `ingestion.services`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class AccountDay:
    """One account's counters for one local calendar day (KPIS.md raw metrics)."""

    date: dt.date
    followers: int | None = None
    followers_gained: int | None = None
    followers_lost: int | None = None
    impressions: int | None = None
    views: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    posts_published: int | None = None
    profile_visits: int | None = None
    coins: int | None = None
    danmaku: int | None = None
    recommends: int | None = None
    # The platform says the day is not final yet (WeChat `is_delay`): store it, read it again later.
    provisional: bool = False


@dataclass(frozen=True, slots=True)
class PostInfo:
    """A post's identity and descriptive fields; `external_id` is its natural key."""

    external_id: str
    kind: str = ""
    title: str = ""
    url: str = ""
    published_at: dt.datetime | None = None
    published_time_known: bool = True  # False: the source gives the day only (published_at = local midnight)


@dataclass(frozen=True, slots=True)
class PostDay:
    """A post's lifetime counters as of `date`."""

    post: PostInfo
    date: dt.date
    impressions: int | None = None
    views: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    coins: int | None = None
    danmaku: int | None = None
    recommends: int | None = None
    followers_gained: int | None = None
    profile_visits: int | None = None
    completion_rate: float | None = None
    avg_watch_seconds: float | None = None
    provisional: bool = False  # as AccountDay.provisional


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
