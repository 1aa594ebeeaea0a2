"""Window arithmetic shared by the connectors; which day it is comes from `accounts.calendar`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from accounts.calendar import local_today
from accounts.models import SocialAccount


def spans(start: dt.date, end: dt.date, days: int) -> Iterator[tuple[dt.date, dt.date]]:
    """start..end cut into consecutive inclusive spans of at most `days` days."""
    while start <= end:
        stop = min(start + dt.timedelta(days=days - 1), end)
        yield start, stop
        start = stop + dt.timedelta(days=1)


def snapshot_day(account: SocialAccount, start: dt.date, end: dt.date) -> dt.date | None:
    """The day a "current totals" snapshot taken now is stored for, if it lies in start..end.

    The nightly sync runs in the small hours, so a snapshot is the end-of-day total of
    yesterday; a window that reaches only today stores it for today. Older windows get
    nothing: a platform without history cannot tell what the totals were back then.
    """
    today = local_today(account)
    for day in (today - dt.timedelta(days=1), today):
        if start <= day <= end:
            return day
    return None
