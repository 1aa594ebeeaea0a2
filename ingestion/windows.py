"""Which days tonight's sync reads, per account and series: gap-aware, bounded by each platform.

A series (an account's daily rows, its post snapshots, its campaign days) that the platform can
serve for past days is read from the day after the last day an API run stored, up to yesterday;
recent days are always re-read (platforms revise them), and so are days the platform called
provisional. How far back is bounded by the platform (`Series.reach_days`) and by
`settings.SYNC_MAX_BACKFILL_DAYS`. A snapshot-only series tells only the present: a night it was
not read is lost, and is recorded as a gap (`ingestion.models.SeriesGap`).

Pure functions of the stored progress; the services read and write the rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from accounts.calendar import window_days
from accounts.models import Platform

ACCOUNT_DAYS, POST_DAYS, CAMPAIGN_DAYS = "account_days", "post_days", "campaign_days"
# Days re-read every night because platforms revise them (PLATFORMS.md, "Common rules").
REREAD_DAYS = 3


@dataclass(frozen=True)
class Series:
    name: str  # a `Batch` table: ACCOUNT_DAYS, POST_DAYS or CAMPAIGN_DAYS
    reach_days: int | None = None  # the platform serves only the last N days (ending yesterday); None: no limit
    snapshot: bool = False  # the platform reports current totals only: just tonight's day can be read
    span_days: int | None = None  # the longest window one run should ask for


def snapshot(name: str) -> Series:
    return Series(name, reach_days=1, snapshot=True)


# Per platform, the series its connector reads (PLATFORMS.md). Adding a platform is one entry.
PLATFORM_SERIES: dict[str, tuple[Series, ...]] = {
    # datacube: long history, in spans of at most 7 days (getusersummary / getusercumulate).
    Platform.WECHAT: (Series(ACCOUNT_DAYS, span_days=7), Series(POST_DAYS, span_days=7)),
    # user data: the fixed windows reach 30 days back; item/base: current totals of recent videos.
    Platform.DOUYIN: (Series(ACCOUNT_DAYS, reach_days=30), snapshot(POST_DAYS)),
    # 聚光 offline account report: kept to the last 90 days, the range its report pages serve reliably.
    Platform.XIAOHONGSHU: (Series(CAMPAIGN_DAYS, reach_days=90, span_days=30),),
    Platform.WEIBO: (snapshot(ACCOUNT_DAYS), snapshot(POST_DAYS)),
    Platform.BILIBILI: (snapshot(ACCOUNT_DAYS), snapshot(POST_DAYS)),
    "kuaishou": (snapshot(ACCOUNT_DAYS), snapshot(POST_DAYS)),
    "wechat_channels": (snapshot(ACCOUNT_DAYS),),
}
# A platform without an entry (a new connector, the tests' fake platform): history without a limit.
DEFAULT_SERIES = (Series(ACCOUNT_DAYS), Series(POST_DAYS))

GAP_SNAPSHOT = _("快照接口只能读取当天，这一晚没有读到")
GAP_OUT_OF_REACH = _("平台只提供最近 %(days)s 天的数据，这一天已无法补读")
GAP_OVER_MAXIMUM = _("超过最长回补天数（%(days)s 天），未补读")


def series_of(platform: str) -> tuple[Series, ...]:
    return PLATFORM_SERIES.get(platform, DEFAULT_SERIES)


@dataclass(frozen=True)
class Progress:
    last_day: dt.date
    provisional_from: dt.date | None = None


@dataclass(frozen=True)
class NightPlan:
    windows: list[tuple[dt.date, dt.date]]  # the runs to queue, oldest first
    gaps: dict[str, list[tuple[dt.date, str]]]  # series -> (day, reason) that can no longer be read


def night_plan(*, platform: str, yesterday: dt.date, progress: dict[str, Progress], max_days: int) -> NightPlan:
    """Tonight's windows for one account whose series were read up to `progress`, and the days lost."""
    start, gaps, span = yesterday, {}, None
    for series in series_of(platform):
        reach = min(series.reach_days or max_days, max_days)
        oldest = yesterday - dt.timedelta(days=reach - 1)
        done = progress.get(series.name)
        if series.snapshot:
            first = yesterday
        elif done is None:  # never read by the API: the usual re-read of recent days
            first = max(yesterday - dt.timedelta(days=REREAD_DAYS - 1), oldest)
        else:
            wanted = min(done.last_day + dt.timedelta(days=1), yesterday - dt.timedelta(days=REREAD_DAYS - 1))
            if done.provisional_from is not None:
                wanted = min(wanted, done.provisional_from)
            first = max(wanted, oldest)
        if done is not None and done.last_day + dt.timedelta(days=1) < first:
            missed = window_days(done.last_day + dt.timedelta(days=1), first - dt.timedelta(days=1))
            lost_before = yesterday - dt.timedelta(days=max_days - 1)
            gaps[series.name] = [
                (
                    day,
                    str(GAP_OVER_MAXIMUM % {"days": max_days})
                    if day < lost_before
                    else str(GAP_SNAPSHOT)
                    if series.snapshot
                    else str(GAP_OUT_OF_REACH % {"days": reach}),
                )
                for day in missed[-max_days:]  # never more rows than the maximum a night could have read
            ]
        start = min(start, first)
        if series.span_days and not series.snapshot:
            span = min(span or series.span_days, series.span_days)
    windows = []
    day = start
    while day <= yesterday:
        stop = min(day + dt.timedelta(days=(span or (yesterday - start).days + 1) - 1), yesterday)
        windows.append((day, stop))
        day = stop + dt.timedelta(days=1)
    return NightPlan(windows=windows, gaps=gaps)
