import datetime as dt

import pytest
from django.utils import timezone

from accounts.calendar import (
    PLATFORM_TZ,
    frozen_today,
    local_date,
    local_midnight,
    local_today,
    local_yesterday,
    window_days,
)
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db

# 2026-03-01 02:30 in Shanghai is still 2026-02-28 in Los Angeles (UTC-8).
SHANGHAI_NIGHT = dt.datetime(2026, 3, 1, 2, 30, tzinfo=PLATFORM_TZ)


def test_an_account_in_another_zone_gets_its_own_today_and_yesterday(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: SHANGHAI_NIGHT.astimezone(dt.UTC))
    china = SocialAccountFactory()
    california = SocialAccountFactory(timezone="America/Los_Angeles")
    assert local_today(china) == dt.date(2026, 3, 1)
    assert local_yesterday(china) == dt.date(2026, 2, 28)
    assert local_today(california) == dt.date(2026, 2, 28)
    assert local_yesterday(california) == dt.date(2026, 2, 27)
    assert local_today() == dt.date(2026, 3, 1)  # no account: the platforms' calendar
    assert local_date(california, SHANGHAI_NIGHT) == dt.date(2026, 2, 28)


def test_frozen_today_applies_to_every_account_and_to_none():
    california = SocialAccountFactory(timezone="America/Los_Angeles")
    with frozen_today(dt.date(2025, 2, 3)):
        assert local_today(california) == dt.date(2025, 2, 3)
        assert local_yesterday() == dt.date(2025, 2, 2)


def test_local_midnight_is_the_start_of_the_accounts_day():
    california = SocialAccountFactory(timezone="America/Los_Angeles")
    midnight = local_midnight(california, dt.date(2026, 7, 1))
    assert midnight.astimezone(dt.UTC) == dt.datetime(2026, 7, 1, 7, 0, tzinfo=dt.UTC)  # PDT is UTC-7
    assert local_midnight(None, dt.date(2026, 7, 1)).utcoffset() == dt.timedelta(hours=8)


def test_window_days_are_inclusive():
    assert window_days(dt.date(2026, 2, 27), dt.date(2026, 3, 1)) == [
        dt.date(2026, 2, 27),
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 1),
    ]
    assert window_days(dt.date(2026, 3, 2), dt.date(2026, 3, 1)) == []
