"""The platform calendar: which day it is for an account, in one place.

Platform "days" are an account's local calendar days (`SocialAccount.timezone`, China's by
default), whatever the server's clock or `TIME_ZONE` says. Without an account (the nightly
fan-out, date presets, export files that carry no zone) the day is the platforms' own,
`PLATFORM_TZ`.

"Today" decides which day a snapshot is stored for and where windows end. Inside
`frozen_today(day)` it is `day` for every account: the demo replays past nightly syncs that way,
with the sandbox's clock set to the same day. Only the calendar day is frozen; token expiry and
request signatures keep the real clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.utils import timezone

if TYPE_CHECKING:
    from .models import SocialAccount

PLATFORM_TIME_ZONE = "Asia/Shanghai"
PLATFORM_TZ = ZoneInfo(PLATFORM_TIME_ZONE)

_frozen_today: ContextVar[dt.date | None] = ContextVar("frozen_today", default=None)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def account_zone(account: SocialAccount | None = None) -> ZoneInfo:
    """The account's time zone; the platforms' without an account."""
    return _zone(account.timezone) if account is not None else PLATFORM_TZ


def local_today(account: SocialAccount | None = None) -> dt.date:
    """The account's local date now, or the day set by an enclosing `frozen_today`."""
    frozen = _frozen_today.get()
    return frozen if frozen is not None else timezone.now().astimezone(account_zone(account)).date()


def local_yesterday(account: SocialAccount | None = None) -> dt.date:
    """The last day the account's platform has finished (KPIS.md, "Complete days")."""
    return local_today(account) - dt.timedelta(days=1)


def window_days(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every day of the inclusive window start..end."""
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def local_date(account: SocialAccount | None, moment: dt.datetime) -> dt.date:
    """The account's day a moment falls on (naive moments are taken as already local)."""
    return moment.astimezone(account_zone(account)).date() if moment.tzinfo else moment.date()


def local_midnight(account: SocialAccount | None, day: dt.date) -> dt.datetime:
    """The moment `day` begins for the account."""
    return dt.datetime.combine(day, dt.time(), tzinfo=account_zone(account))


@contextmanager
def frozen_today(day: dt.date) -> Iterator[None]:
    """Within the block, `local_today` is `day` for every account (in this thread or async task only)."""
    token = _frozen_today.set(day)
    try:
        yield
    finally:
        _frozen_today.reset(token)
