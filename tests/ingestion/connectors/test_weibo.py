import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from accounts.calendar import local_today
from accounts.models import Platform
from analytics.models import AccountDailyMetric, PostDailyMetric
from ingestion.connectors.base import AuthError, PlatformDataError, QuotaExceeded, TransientError, connector_for
from ingestion.connectors.http import MAX_ATTEMPTS
from ingestion.records import Batch, PostDay, PostInfo
from ingestion.services import metrics_write
from tests.factories import SocialAccountFactory

from . import published
from .conftest import Reply

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def account(platform_server, settings):
    settings.WEIBO_API_BASE = platform_server.url
    return SocialAccountFactory(platform=Platform.WEIBO, credentials={"uid": "1750070171", "access_token": "2.00tok"})


def weibo_time(day: dt.date, hour: int = 17) -> str:
    return dt.datetime.combine(day, dt.time(hour, 46, 55), tzinfo=SHANGHAI).strftime("%a %b %d %H:%M:%S %z %Y")


def status(n: int, published: dt.date, likes, comments=3, reposts=1) -> dict:
    return {"id": 4000000000000000 + n, "idstr": str(4000000000000000 + n), "created_at": weibo_time(published),
            "text": f"微博正文 {n}", "attitudes_count": likes, "comments_count": comments, "reposts_count": reposts}


def serve(server, statuses, followers="88000"):
    server.add("GET", "/2/users/show.json", {"id": 1750070171, "followers_count": followers, "statuses_count": 999})

    def timeline(request):
        page, count = int(request.query["page"]), int(request.query["count"])
        return {"statuses": statuses[(page - 1) * count: page * count], "total_number": len(statuses)}

    server.add("GET", "/2/statuses/user_timeline.json", timeline)


def test_first_sync_stores_snapshots_and_leaves_unknown_increases_null(account, platform_server):
    yesterday = local_today(account) - DAY
    statuses = [status(n, yesterday - 5 * DAY, likes=str(n)) for n in range(150)]
    serve(platform_server, statuses)
    batch = connector_for(account).fetch(yesterday - 2 * DAY, yesterday)

    pages = platform_server.calls("/2/statuses/user_timeline.json")
    assert [(c.query["page"], c.query["count"], c.query["access_token"]) for c in pages] == [
        ("1", "100", "2.00tok"), ("2", "100", "2.00tok")]
    (day,) = batch.account_days
    assert (day.date, day.followers, day.likes, day.comments, day.shares, day.views) == (yesterday, 88000, None, None,
                                                                                        None, None)
    assert len(batch.post_days) == 150
    post_day = batch.post_days[7]
    assert (post_day.date, post_day.likes, post_day.comments, post_day.shares) == (yesterday, 7, 3, 1)
    assert post_day.post.external_id == "4000000000000007"
    assert post_day.post.published_at == dt.datetime.combine(yesterday - 5 * DAY, dt.time(17, 46, 55), tzinfo=SHANGHAI)

    metrics_write(account=account, batch=batch)
    row = AccountDailyMetric.objects.get(account=account, date=yesterday)
    assert (row.followers, row.likes, row.views) == (88000, None, None)
    assert PostDailyMetric.objects.filter(post__account=account, date=yesterday).count() == 150


def test_account_interactions_are_the_sum_of_counter_increases(account, platform_server):
    yesterday = local_today(account) - DAY
    old_a = PostInfo(external_id="4000000000000001", published_at=dt.datetime(2026, 1, 1, tzinfo=SHANGHAI))
    old_b = PostInfo(external_id="4000000000000002", published_at=dt.datetime(2026, 1, 2, tzinfo=SHANGHAI))
    metrics_write(account=account, batch=Batch(post_days=[
        PostDay(post=old_a, date=yesterday - DAY, likes=10, comments=5, shares=2),
        PostDay(post=old_b, date=yesterday - DAY, likes=100, comments=20, shares=0),
    ]))
    serve(platform_server, [
        status(3, yesterday, likes=4, comments=1, reposts="2"),  # new that day: counts from zero
        status(1, yesterday - 30 * DAY, likes=15, comments=5, reposts=3),
        status(2, yesterday - 29 * DAY, likes="99", comments=21, reposts=0),  # an un-like: the net change counts
    ])
    batch = connector_for(account).fetch(yesterday, yesterday)
    (day,) = batch.account_days
    assert (day.likes, day.comments, day.shares) == (4 + 5 - 1, 1 + 0 + 1, 2 + 1 + 0)

    metrics_write(account=account, batch=batch)
    row = AccountDailyMetric.objects.get(account=account, date=yesterday)
    assert (row.likes, row.comments, row.shares, row.followers, row.views) == (8, 2, 3, 88000, None)


def test_a_post_first_seen_late_makes_the_day_unknown(account, platform_server):
    yesterday = local_today(account) - DAY
    known = PostInfo(external_id="4000000000000001")
    metrics_write(account=account, batch=Batch(post_days=[PostDay(post=known, date=yesterday - DAY, likes=1, comments=1,
                                                                  shares=None)]))
    serve(platform_server, [status(1, yesterday - 9 * DAY, likes=2, comments=2), status(2, yesterday - 3 * DAY, likes=1)])
    (day,) = connector_for(account).fetch(yesterday, yesterday).account_days
    assert (day.likes, day.comments, day.shares) == (None, None, None)


def test_window_without_the_snapshot_day_reads_nothing(account, platform_server):
    serve(platform_server, [])
    assert len(connector_for(account).fetch(dt.date(2025, 1, 1), dt.date(2025, 1, 31))) == 0
    assert platform_server.seen == []


@pytest.mark.parametrize(("answer", "error_class", "message", "attempts"), [
    (Reply({"request": "/2/users/show.json", "error_code": 10022, "error": "IP requests out of rate limit"}, status=403),
     QuotaExceeded, "error_code 10022 IP requests out of rate limit", 1),
    ({"request": "/2/users/show.json", "error_code": "10023", "error": "User requests out of rate limit"},
     QuotaExceeded, "error_code 10023", 1),
    ({"error_code": 10024, "error": "User requests for (show) out of rate limit"}, QuotaExceeded, "10024", 1),
    (Reply({"error_code": 21327, "error": "expired_token"}, status=401), AuthError, "error_code 21327 expired_token", 1),
    ({"error_code": "21332", "error": "invalid_access_token"}, AuthError, "error_code 21332", 1),
    ({"error_code": 10001, "error": "system error"}, TransientError, "error_code 10001", MAX_ATTEMPTS),
    ({"error_code": 20003, "error": "user does not exists"}, PlatformDataError, "users/show.json: error_code 20003", 1),
    ({"followers_count": "很多"}, PlatformDataError, "users/show.json: field 'followers_count' is not a number", 1),
])
def test_error_codes_are_mapped(account, platform_server, answer, error_class, message, attempts):
    serve(platform_server, [])
    platform_server.add("GET", "/2/users/show.json", answer)
    yesterday = local_today(account) - DAY
    with pytest.raises(error_class, match=message):
        connector_for(account).fetch(yesterday, yesterday)
    assert len(platform_server.calls("/2/users/show.json")) == attempts


def test_malformed_timeline_is_a_data_error(account, platform_server):
    yesterday = local_today(account) - DAY
    serve(platform_server, [{**status(1, yesterday, likes=1), "created_at": "2026-10-01"}])
    with pytest.raises(PlatformDataError, match="user_timeline.json: field 'created_at' is not a Weibo date"):
        connector_for(account).fetch(yesterday, yesterday)


def test_published_timeline_sample_with_absent_idstr_and_attitudes_keeps_every_post(account, platform_server):
    platform_server.add("GET", "/2/users/show.json", {"id": 1750070171, "followers_count": 88000})
    platform_server.add("GET", "/2/statuses/user_timeline.json", published.WEIBO_TIMELINE)
    yesterday = local_today(account) - DAY
    batch = connector_for(account).fetch(yesterday, yesterday)
    assert [(p.post.external_id, p.likes, p.comments, p.shares) for p in batch.post_days] == [
        ("11488058246", 12, 9, 8), ("11488058247", None, 2, 1)]
    assert batch.post_days[1].post.url == "https://weibo.com/1750070171/11488058247"
    metrics_write(account=account, batch=batch)
    assert PostDailyMetric.objects.filter(post__account=account, date=yesterday).count() == 2
