"""Local-day arithmetic shared by the connectors (platform days are the account's local days).

"Today" decides which day a snapshot is stored for and where history windows end. It is the
account's local date, unless code runs inside `frozen_today(day)`: the demo replays past
nightly syncs against the sandbox that way, with the sandbox's clock set to the same day.
Only the calendar day is frozen; token expiry and request signatures keep the real clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import SocialAccount

_frozen_today: ContextVar[dt.date | None] = ContextVar("frozen_today", default=None)


def local_today(account: SocialAccount) -> dt.date:
    """The account's local date now, or the day set by an enclosing `frozen_today`."""
    frozen = _frozen_today.get()
    return frozen if frozen is not None else timezone.now().astimezone(ZoneInfo(account.timezone)).date()


@contextmanager
def frozen_today(day: dt.date) -> Iterator[None]:
    """Within the block, `local_today` is `day` for every account (in this thread or async task only)."""
    token = _frozen_today.set(day)
    try:
        yield
    finally:
        _frozen_today.reset(token)


def local_midnight(account: SocialAccount, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(account.timezone))


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
