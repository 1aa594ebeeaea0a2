import datetime as dt

import pytest

from analytics.models import AccountDailyMetric
from tests.factories import OrganizationFactory, SocialAccountFactory

FIRST_DAY = dt.date(2026, 9, 1)
DAYS = 60
DROP_DAY = dt.date(2026, 10, 14)  # a Wednesday, with four full baseline weeks before it
DIP_DAY = dt.date(2026, 10, 22)


def noise(i: int) -> float:
    """±2 % deterministic wobble."""
    return 1 + ((i * 7919) % 9 - 4) / 200


def write_days(account, *, views: int = 1000, drops: dict | None = None, first_day=FIRST_DAY, days=DAYS):
    """Daily rows for `account`: `views` with a little noise, `drops` {day: fraction lost}."""
    drops = drops or {}
    rows = []
    for i in range(days):
        day = first_day + dt.timedelta(days=i)
        value = round(views * noise(i) * (1 - drops.get(day, 0)))
        rows.append(
            AccountDailyMetric(
                account=account,
                date=day,
                views=value,
                likes=value // 20,
                comments=value // 100,
                shares=value // 200,
                saves=value // 200,
                followers=10_000 + i,
            )
        )
    AccountDailyMetric.objects.bulk_create(rows)


@pytest.fixture
def series_org(db):
    """Two Douyin accounts whose views fall 25 % on DROP_DAY and 15 % on DIP_DAY."""
    org = OrganizationFactory(slug="brand", name="品牌")
    accounts = [SocialAccountFactory(organization=org, name=name) for name in ("主号", "副号")]
    for account, share in zip(accounts, (0.25, 0.25), strict=True):
        write_days(account, drops={DROP_DAY: share, DIP_DAY: 0.15})
    return org, accounts


@pytest.fixture
def robots(settings):
    """The local robot servers, reachable although on loopback (WEBHOOK_ALLOWED_HOSTS)."""
    from tests.alerts.robots import Robots

    with Robots() as server:
        settings.WEBHOOK_ALLOWED_HOSTS = [server.host_port]
        yield server
