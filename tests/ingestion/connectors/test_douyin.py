import datetime as dt
import time

import pytest

from accounts.calendar import local_midnight, local_today
from accounts.models import Platform, SocialAccount
from analytics.models import AccountDailyMetric, PostDailyMetric
from ingestion.connectors.base import AuthError, PlatformDataError, QuotaExceeded, TransientError, connector_for
from ingestion.connectors.douyin import date_type_for
from ingestion.connectors.http import MAX_ATTEMPTS
from ingestion.services import metrics_write
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
CREDENTIALS = {"client_key": "ck", "client_secret": "cs", "open_id": "oid-1", "access_token": "act.1",
               "refresh_token": "rft.1"}


@pytest.fixture
def account(platform_server, settings):
    settings.DOUYIN_API_BASE = platform_server.url
    return SocialAccountFactory(platform=Platform.DOUYIN, credentials=dict(CREDENTIALS))


def envelope(data):
    return {"data": {**data, "error_code": 0, "description": ""}, "extra": {"error_code": "0", "logid": "x", "now": 1}}


def error(code, where="data"):
    body = {"data": {"error_code": 0, "description": ""}, "extra": {"error_code": 0, "logid": "x"}}
    body[where] = {**body[where], "error_code": code, "description": "错误"}
    return body


def series(account, fields):
    """Answers like the platform: one row per day of the date_type window ending yesterday."""
    yesterday = local_today(account) - DAY

    def answer(request):
        n = int(request.query["date_type"])
        days = [yesterday - DAY * i for i in range(n)]
        return envelope({"result_list": [{"date": d.isoformat(), **fields(d)} for d in days]})

    return answer


def serve_series(server, account, **overrides):
    routes = {
        "item": series(account, lambda d: {"new_issue": 1, "new_play": str(1000 + d.day), "total_issue": 50}),
        "fans": series(account, lambda d: {"new_fans": 10, "total_fans": 5000 + d.day}),
        "like": series(account, lambda d: {"new_like": "200"}),
        "comment": series(account, lambda d: {"new_comment": 30}),
        "share": series(account, lambda d: {"new_share": 4}),
        "profile": series(account, lambda d: {}),  # profile_uv omitted
    }
    routes.update(overrides)
    for name, answer in routes.items():
        answers = answer if isinstance(answer, list) else [answer]
        server.add("GET", f"/data/external/user/{name}/", *answers)


def test_date_type_is_the_smallest_window_covering_the_request():
    yesterday = dt.date(2026, 10, 31)
    assert date_type_for(yesterday, yesterday) == 7
    assert date_type_for(yesterday - 6 * DAY, yesterday) == 7
    assert date_type_for(yesterday - 7 * DAY, yesterday) == 15
    assert date_type_for(yesterday - 14 * DAY, yesterday) == 15
    assert date_type_for(yesterday - 15 * DAY, yesterday) == 30
    assert date_type_for(yesterday - 90 * DAY, yesterday) == 30


def test_series_are_merged_per_day_and_stored(account, platform_server):
    yesterday = local_today(account) - DAY
    start, end = yesterday - 9 * DAY, yesterday - 2 * DAY  # eight days, inside the 15-day window
    serve_series(platform_server, account)
    batch = connector_for(account).fetch(start, end)

    calls = [s for s in platform_server.seen if s.path.startswith("/data/external/user/")]
    assert len(calls) == 6
    seen = {(c.query["date_type"], c.query["open_id"], c.headers["access-token"]) for c in calls}
    assert seen == {("15", "oid-1", "act.1")}
    assert [d.date for d in batch.account_days] == [start + DAY * i for i in range(8)]
    first = batch.account_days[0]
    assert (first.posts_published, first.views, first.followers_gained, first.followers) == (1, 1000 + start.day, 10,
                                                                                            5000 + start.day)
    assert (first.likes, first.comments, first.shares, first.profile_visits) == (200, 30, 4, None)
    assert batch.post_days == []  # the window does not reach the day video snapshots are for

    metrics_write(account=account, batch=batch)
    row = AccountDailyMetric.objects.get(account=account, date=end)
    assert (row.views, row.likes, row.followers, row.profile_visits, row.saves) == (1000 + end.day, 200, 5000 + end.day,
                                                                                    None, None)


def test_request_older_than_thirty_days_gets_what_is_available(account, platform_server):
    yesterday = local_today(account) - DAY
    serve_series(platform_server, account)
    batch = connector_for(account).fetch(yesterday - 44 * DAY, yesterday - 20 * DAY)
    assert {c.query["date_type"] for c in platform_server.seen} == {"30"}
    assert [d.date for d in batch.account_days] == [yesterday - 29 * DAY + DAY * i for i in range(10)]

    platform_server.seen.clear()
    assert len(connector_for(account).fetch(yesterday - 80 * DAY, yesterday - 40 * DAY)) == 0
    assert platform_server.seen == []


def test_videos_are_paged_and_their_lifetime_totals_stored_for_yesterday(account, platform_server):
    yesterday = local_today(account) - DAY
    serve_series(platform_server, account)
    recent = int(local_midnight(account, yesterday - 3 * DAY).timestamp())
    old = int(local_midnight(account, yesterday - 40 * DAY).timestamp())

    def video_list(request):
        if request.query["cursor"] == "0":
            return envelope({"list": [
                {"item_id": "@v1", "title": "开箱", "create_time": recent, "share_url": "https://www.iesdouyin.com/v1"},
            ], "cursor": "1700000000", "has_more": True})
        assert request.query["cursor"] == "1700000000"
        return envelope({"list": [
            {"item_id": "@v2", "title": "教程", "create_time": str(recent - 3600)},
            {"item_id": "@old", "title": "旧视频", "create_time": old},
        ], "cursor": 1600000000, "has_more": True})

    totals = {"@v1": {"total_play": "9000", "total_like": 700, "total_comment": 50, "total_share": 8,
                      "avg_play_duration": 12.5},
              "@v2": {"total_play": 100}}
    platform_server.add("GET", "/video/list/", video_list)
    platform_server.add("GET", "/data/external/item/base/",
                        lambda r: envelope({"result": totals[r.query["item_id"]]}))

    batch = connector_for(account).fetch(yesterday - 2 * DAY, yesterday)
    assert len(platform_server.calls("/video/list/")) == 2  # stopped: the second page reaches past 30 days
    assert [c.query["item_id"] for c in platform_server.calls("/data/external/item/base/")] == ["@v1", "@v2"]
    v1, v2 = batch.post_days
    assert (v1.date, v1.views, v1.likes, v1.comments, v1.shares, v1.avg_watch_seconds) == (yesterday, 9000, 700, 50, 8,
                                                                                           12.5)
    assert (v2.views, v2.likes, v2.avg_watch_seconds) == (100, None, None)
    assert v1.post.published_at.timestamp() == recent
    assert v1.post.url == "https://www.iesdouyin.com/v1"

    metrics_write(account=account, batch=batch)
    stored = PostDailyMetric.objects.get(post__external_id="@v1", date=yesterday)
    assert (stored.views, stored.likes, stored.avg_watch_seconds, stored.saves) == (9000, 700, 12.5, None)
    assert AccountDailyMetric.objects.filter(account=account).count() == 3


@pytest.mark.parametrize("code", [28001003, "28001008", 2190002])  # 2190002: access_token无效 (old table)
def test_rejected_token_is_refreshed_stored_and_the_call_retried(account, platform_server, code):
    yesterday = local_today(account) - DAY
    serve_series(platform_server, account, fans=[error(code), series(account, lambda d: {"total_fans": 1})])
    platform_server.add("POST", "/oauth/refresh_token/", envelope(
        {"access_token": "act.2", "expires_in": "1296000", "refresh_token": "rft.2", "open_id": "oid-1"}))
    batch = connector_for(account).fetch(yesterday - 3 * DAY, yesterday - 2 * DAY)

    (refresh,) = platform_server.calls("/oauth/refresh_token/")
    assert refresh.form == {"client_key": "ck", "grant_type": "refresh_token", "refresh_token": "rft.1"}
    assert [c.headers["access-token"] for c in platform_server.calls("/data/external/user/fans/")] == ["act.1", "act.2"]
    assert platform_server.calls("/data/external/user/share/")[0].headers["access-token"] == "act.2"
    assert batch.account_days[0].followers == 1
    stored = SocialAccount.objects.get(pk=account.pk).credentials
    assert (stored["access_token"], stored["refresh_token"], stored["client_key"]) == ("act.2", "rft.2", "ck")
    assert stored["access_token_expires_at"] > time.time() + 14 * 86400


def test_token_is_refreshed_before_it_expires(account, platform_server):
    account.credentials = {**CREDENTIALS, "access_token_expires_at": int(time.time()) + 3600}
    account.save()
    serve_series(platform_server, account)
    platform_server.add("POST", "/oauth/refresh_token/", envelope({"access_token": "act.2", "expires_in": 1296000}))
    yesterday = local_today(account) - DAY
    connector_for(account).fetch(yesterday - 3 * DAY, yesterday - 2 * DAY)
    assert platform_server.seen[0].path == "/oauth/refresh_token/"
    assert {c.headers["access-token"] for c in platform_server.seen[1:]} == {"act.2"}
    assert SocialAccount.objects.get(pk=account.pk).credentials["refresh_token"] == "rft.1"  # none issued: kept


def test_expired_refresh_token_is_an_auth_error(account, platform_server):
    serve_series(platform_server, account, item=[error(28001008)])
    platform_server.add("POST", "/oauth/refresh_token/", error(10010))
    yesterday = local_today(account) - DAY
    with pytest.raises(AuthError, match="refresh_token/: error_code 10010"):
        connector_for(account).fetch(yesterday - 3 * DAY, yesterday - 2 * DAY)
    assert SocialAccount.objects.get(pk=account.pk).credentials == CREDENTIALS


def test_token_rejected_again_after_refresh_is_an_auth_error(account, platform_server):
    serve_series(platform_server, account, item=[error(28001003)])
    platform_server.add("POST", "/oauth/refresh_token/", envelope({"access_token": "act.2", "expires_in": 1296000}))
    yesterday = local_today(account) - DAY
    with pytest.raises(AuthError, match="item/: error_code 28001003"):
        connector_for(account).fetch(yesterday - 3 * DAY, yesterday - 2 * DAY)
    assert len(platform_server.calls("/oauth/refresh_token/")) == 1


@pytest.mark.parametrize(("answer", "error_class", "message", "attempts"), [
    (error(28001005), TransientError, "error_code 28001005", MAX_ATTEMPTS),
    (error("28001006", where="extra"), TransientError, "error_code 28001006", MAX_ATTEMPTS),
    (error(28003017), QuotaExceeded, "error_code 28003017", 1),
    (error(28001056), PlatformDataError, r"error_code 28001056 错误 \(API offline\)", 1),
    (error(28001014), AuthError, r"28001014 错误 \(the app has not been granted any capability: apply for", 1),
    (error(28001016, where="extra"), AuthError, r"28001016 错误 \(the app is banned or offline: contact", 1),
    (error(28001018), AuthError, r"28001018 错误 \(the app lacks this capability: apply for it", 1),
    (error(28001019), AuthError, r"28001019 错误 \(the capability is banned or offline", 1),
    (error(2190001), QuotaExceeded, "error_code 2190001", 1),
    (error(2190008), PlatformDataError, "error_code 2190008", 1),
    ({"data": {"error_code": 0}}, PlatformDataError, "like/: field 'result_list' should be a list", 1),
    (envelope({"result_list": [{"date": "2026-01-01", "new_like": "很多"}]}), PlatformDataError,
     "like/: field 'new_like' is not a number: '很多'", 1),
])
def test_error_codes_are_mapped(account, platform_server, answer, error_class, message, attempts):
    serve_series(platform_server, account, like=[answer])
    yesterday = local_today(account) - DAY
    with pytest.raises(error_class, match=message):
        connector_for(account).fetch(yesterday - 3 * DAY, yesterday - 2 * DAY)
    assert len(platform_server.calls("/data/external/user/like/")) == attempts


def test_transient_error_then_success_is_retried(account, platform_server):
    serve_series(platform_server, account, comment=[error(28001005), series(account, lambda d: {"new_comment": "7"})])
    yesterday = local_today(account) - DAY
    batch = connector_for(account).fetch(yesterday - 3 * DAY, yesterday - 2 * DAY)
    assert {d.comments for d in batch.account_days} == {7}
