import datetime as dt
import threading

import pytest

from accounts.calendar import frozen_today, local_today
from accounts.models import Platform
from ingestion.connectors.base import connector_for
from ingestion.connectors.dates import snapshot_day
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db
FROZEN = dt.date(2025, 2, 3)


def test_frozen_today_moves_the_connectors_today_and_restores_it():
    account = SocialAccountFactory(platform=Platform.WEIBO, timezone="America/Los_Angeles")
    real = local_today(account)
    with frozen_today(FROZEN):
        assert local_today(account) == FROZEN
        assert snapshot_day(account, FROZEN - dt.timedelta(days=9), FROZEN) == FROZEN - dt.timedelta(days=1)
        with frozen_today(FROZEN + dt.timedelta(days=5)):
            assert local_today(account) == FROZEN + dt.timedelta(days=5)
        assert local_today(account) == FROZEN
        seen_elsewhere = []
        other = threading.Thread(target=lambda: seen_elsewhere.append(local_today(account)))
        other.start()
        other.join()
        assert seen_elsewhere == [real]  # other threads keep the real calendar
    assert local_today(account) == real


def test_a_snapshot_connector_stores_for_the_frozen_yesterday(platform_server, settings):
    settings.WEIBO_API_BASE = platform_server.url
    account = SocialAccountFactory(platform=Platform.WEIBO, credentials={"uid": "1", "access_token": "tok"})
    platform_server.add("GET", "/2/users/show.json", {"followers_count": 10})
    platform_server.add("GET", "/2/statuses/user_timeline.json", {"statuses": [], "total_number": 0})
    with frozen_today(FROZEN):
        batch = connector_for(account).fetch(FROZEN - dt.timedelta(days=2), FROZEN)
    assert [(d.date, d.followers) for d in batch.account_days] == [(FROZEN - dt.timedelta(days=1), 10)]
