import datetime as dt
import hashlib
import hmac
import time

import pytest

from accounts.calendar import local_midnight, local_today
from accounts.models import Platform, SocialAccount
from analytics.models import AccountDailyMetric, PostDailyMetric
from ingestion.connectors.base import AuthError, PlatformDataError, QuotaExceeded, TransientError, connector_for
from ingestion.connectors.http import MAX_ATTEMPTS
from ingestion.records import Batch, PostDay, PostInfo
from ingestion.services import metrics_write
from tests.factories import SocialAccountFactory

from .conftest import Reply

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
SECRET = "app-secret"
CREDENTIALS = {"client_id": "cid", "client_secret": SECRET, "access_token": "at.1", "refresh_token": "rt.1"}
X_BILI = ("x-bili-accesskeyid", "x-bili-content-md5", "x-bili-signature-method", "x-bili-signature-nonce",
          "x-bili-signature-version", "x-bili-timestamp")


@pytest.fixture
def account(platform_server, settings):
    settings.BILIBILI_API_BASE = platform_server.url
    settings.BILIBILI_OAUTH_BASE = platform_server.url + "/oauth"
    return SocialAccountFactory(platform=Platform.BILIBILI, credentials=dict(CREDENTIALS))


def ok(data):
    return {"code": 0, "message": "0", "ttl": 1, "data": data}


def signed(answer):
    """Checks the signature the way the platform does (independently of the connector's code) before answering."""
    def check(request):
        h = request.headers
        canonical = "\n".join(f"{name}:{h[name]}" for name in sorted(X_BILI))
        expected = hmac.new(SECRET.encode(), canonical.encode(), hashlib.sha256).hexdigest()
        valid = (
            h["authorization"] == expected and h["x-bili-content-md5"] == hashlib.md5(request.body).hexdigest()
            and h["x-bili-signature-method"] == "HMAC-SHA256" and h["x-bili-signature-version"] == "2.0"
            and h["x-bili-accesskeyid"] == "cid" and abs(int(h["x-bili-timestamp"]) - time.time()) < 60
        )
        if not valid:
            return {"code": 127012, "message": "鉴权错误", "ttl": 1}
        return answer(request) if callable(answer) else answer
    return check


VIDEOS = [f"BV1xx{i:03d}" for i in range(53)]


def view_list(request):
    pn, ps = int(request.query["pn"]), int(request.query["ps"])
    assert request.query["status"] == "all"
    page = VIDEOS[(pn - 1) * ps: pn * ps]
    return ok({"list": [{"resource_id": v, "title": f"列表标题{v}"} for v in page],
               "page": {"pn": pn, "ps": ps, "total": str(len(VIDEOS))}})


def arc_stat(request):
    n = VIDEOS.index(request.query["resource_id"])
    data = {"title": f"视频{n}", "ptime": 1760000000 + n, "view": str(100 * n), "danmaku": n, "reply": 2, "favorite": 3,
            "coin": "4", "share": 5, "like": 6}
    if n == 1:
        del data["coin"], data["title"]
    return ok(data)


def serve(server, **overrides):
    routes = {"/arcopen/fn/data/user/stat": [ok({"following": 10, "follower": "12345", "arc_passed_total": 53})],
              "/arcopen/fn/archive/viewlist": [view_list], "/arcopen/fn/data/arc/stat": [arc_stat]}
    routes.update(overrides)
    for path, answers in routes.items():
        server.add("GET", path, *[signed(a) for a in answers])


def test_snapshot_and_paged_video_stats_are_stored_for_yesterday(account, platform_server):
    yesterday = local_today(account) - DAY
    serve(platform_server)
    batch = connector_for(account).fetch(yesterday - 2 * DAY, yesterday)

    assert [c.query["pn"] for c in platform_server.calls("/arcopen/fn/archive/viewlist")] == ["1", "2"]
    assert len(platform_server.calls("/arcopen/fn/data/arc/stat")) == 53
    assert all(s.headers["access-token"] == "at.1" for s in platform_server.seen)
    assert len({s.headers["x-bili-signature-nonce"] for s in platform_server.seen}) == len(platform_server.seen)
    assert batch.account_days == [batch.account_days[0]]
    assert (batch.account_days[0].date, batch.account_days[0].followers) == (yesterday, 12345)
    first, second = batch.post_days[:2]
    assert (first.date, first.views, first.danmaku, first.comments, first.saves, first.coins, first.shares, first.likes) == (
        yesterday, 0, 0, 2, 3, 4, 5, 6)
    assert (second.post.title, second.coins, second.views) == ("列表标题BV1xx001", None, 100)
    assert first.post.published_at == dt.datetime.fromtimestamp(1760000000, tz=dt.UTC)
    assert first.post.url == "https://www.bilibili.com/video/BV1xx000"

    metrics_write(account=account, batch=batch)
    assert AccountDailyMetric.objects.get(account=account, date=yesterday).followers == 12345
    assert AccountDailyMetric.objects.get(account=account, date=yesterday).followers_gained is None
    stored = PostDailyMetric.objects.get(post__external_id="BV1xx052")
    assert (stored.date, stored.views, stored.coins, stored.danmaku) == (yesterday, 5200, 4, 52)


def test_window_without_the_snapshot_day_reads_nothing(account, platform_server):
    yesterday = local_today(account) - DAY
    serve(platform_server)
    assert len(connector_for(account).fetch(yesterday - 9 * DAY, yesterday - DAY)) == 0
    assert platform_server.seen == []


def test_a_wrong_secret_fails_the_signature_check(account, platform_server):
    account.credentials = {**CREDENTIALS, "client_secret": "not-the-secret"}
    serve(platform_server)
    with pytest.raises(AuthError, match="user/stat: code 127012 鉴权错误 .*check client_secret"):
        connector_for(account).fetch(local_today(account) - DAY, local_today(account) - DAY)


def test_rejected_token_is_refreshed_once_and_the_single_use_pair_stored(account, platform_server):
    serve(platform_server, **{"/arcopen/fn/data/user/stat": [{"code": 127001, "message": "access_token验证错误"},
                                                             ok({"follower": 7})]})
    platform_server.add("POST", "/oauth/x/account-oauth2/v1/refresh_token",
                        ok({"access_token": "at.2", "refresh_token": "rt.2", "expires_in": 2592000}))
    yesterday = local_today(account) - DAY
    batch = connector_for(account).fetch(yesterday, yesterday)

    (refresh,) = platform_server.calls("/oauth/x/account-oauth2/v1/refresh_token")
    assert refresh.query == {"client_id": "cid", "client_secret": SECRET, "grant_type": "refresh_token",
                             "refresh_token": "rt.1"}
    assert [c.headers["access-token"] for c in platform_server.calls("/arcopen/fn/data/user/stat")] == ["at.1", "at.2"]
    assert batch.account_days[0].followers == 7
    stored = SocialAccount.objects.get(pk=account.pk).credentials
    assert (stored["access_token"], stored["refresh_token"]) == ("at.2", "rt.2")


def test_token_about_to_expire_is_refreshed_first(account, platform_server):
    account.credentials = {**CREDENTIALS, "access_token_expires_at": time.time() + 60}
    serve(platform_server)
    platform_server.add("POST", "/oauth/x/account-oauth2/v1/refresh_token",
                        ok({"access_token": "at.2", "refresh_token": "rt.2", "expires_in": "2592000"}))
    yesterday = local_today(account) - DAY
    connector_for(account).fetch(yesterday, yesterday)
    assert platform_server.seen[0].path.endswith("/refresh_token")
    assert {s.headers.get("access-token") for s in platform_server.seen[1:]} == {"at.2"}


def test_refused_refresh_is_an_auth_error_and_keeps_the_tokens(account, platform_server):
    serve(platform_server, **{"/arcopen/fn/data/user/stat": [{"code": 127001, "message": "access_token验证错误"}]})
    platform_server.add("POST", "/oauth/x/account-oauth2/v1/refresh_token",
                        {"code": 122007, "message": "refreshToken不合法"})
    yesterday = local_today(account) - DAY
    with pytest.raises(AuthError, match="refresh_token: code 122007 refreshToken不合法 .*re-authorise"):
        connector_for(account).fetch(yesterday, yesterday)
    assert SocialAccount.objects.get(pk=account.pk).credentials == CREDENTIALS


@pytest.mark.parametrize(("answer", "error_class", "message", "attempts"), [
    ({"code": 127201, "message": "系统繁忙,请稍后再试"}, TransientError, "code 127201", MAX_ATTEMPTS),
    (Reply({"code": -503}, status=503), TransientError, "HTTP 503", MAX_ATTEMPTS),
    ({"code": "127009", "message": "api请求次数达到上限"}, QuotaExceeded, "code 127009", 1),
    ({"code": 127007, "message": "应用无该接口权限"}, AuthError, "code 127007 .*apply for it on the Bilibili", 1),
    ({"code": 127124, "message": "不存在该稿件"}, PlatformDataError, "code 127124", 1),
    (ok({"list": "oops", "page": {}}), PlatformDataError, "viewlist: field 'list' should be a list", 1),
    (Reply(raw=b'{"code":0,"data":'), PlatformDataError, "viewlist: the answer is not JSON", 1),
])
def test_error_codes_are_mapped(account, platform_server, answer, error_class, message, attempts):
    serve(platform_server, **{"/arcopen/fn/archive/viewlist": [answer]})
    yesterday = local_today(account) - DAY
    with pytest.raises(error_class, match=message):
        connector_for(account).fetch(yesterday, yesterday)
    assert len(platform_server.calls("/arcopen/fn/archive/viewlist")) == attempts


def stats_server(server, videos: dict[str, dict]):
    """Serves `videos` (resource id → arc/stat data) on one viewlist page."""
    serve(server, **{
        "/arcopen/fn/archive/viewlist": [ok({"list": [{"resource_id": v} for v in videos],
                                             "page": {"pn": 1, "ps": 50, "total": len(videos)}})],
        "/arcopen/fn/data/arc/stat": [lambda request: ok(videos[request.query["resource_id"]])],
    })


def test_first_sync_leaves_the_account_counters_unknown(account, platform_server):
    yesterday = local_today(account) - DAY
    stats_server(platform_server, {"BV1old": {"ptime": 1700000000, "view": 50, "like": 5, "reply": 1, "share": 0,
                                              "favorite": 2, "coin": 3, "danmaku": 4}})
    (day,) = connector_for(account).fetch(yesterday, yesterday).account_days
    assert (day.followers, day.views, day.likes, day.comments, day.shares, day.saves, day.coins, day.danmaku) == (
        12345, None, None, None, None, None, None, None)


def test_account_counters_are_the_sum_of_video_counter_increases(account, platform_server):
    yesterday = local_today(account) - DAY
    published_yesterday = int(local_midnight(account, yesterday).timestamp()) + 3600
    old = PostInfo(external_id="BV1old", published_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    metrics_write(account=account, batch=Batch(post_days=[PostDay(
        post=old, date=yesterday - DAY, views=1000, likes=100, comments=10, shares=5, saves=20, coins=30, danmaku=40,
    )]))
    stats_server(platform_server, {
        "BV1old": {"ptime": 1767225600, "view": "1250", "like": 99, "reply": 12, "share": 5, "favorite": 21,
                   "coin": 33, "danmaku": 47},
        "BV1new": {"ptime": published_yesterday, "view": 300, "like": 40, "reply": 3, "share": 2, "favorite": 9,
                   "coin": "8", "danmaku": 6},  # published that day: counts from zero
    })
    batch = connector_for(account).fetch(yesterday, yesterday)
    (day,) = batch.account_days
    assert (day.views, day.likes, day.comments, day.shares, day.saves, day.coins, day.danmaku) == (
        250 + 300, -1 + 40, 2 + 3, 0 + 2, 1 + 9, 3 + 8, 7 + 6)

    metrics_write(account=account, batch=batch)
    row = AccountDailyMetric.objects.get(account=account, date=yesterday)
    assert (row.followers, row.views, row.likes, row.coins, row.danmaku, row.saves) == (12345, 550, 39, 11, 13, 10)


def test_a_video_first_seen_late_or_a_missing_counter_makes_that_counter_unknown(account, platform_server):
    yesterday = local_today(account) - DAY
    old = PostInfo(external_id="BV1old")
    metrics_write(account=account, batch=Batch(post_days=[PostDay(
        post=old, date=yesterday - DAY, views=1000, likes=100, comments=10, shares=5, saves=20, coins=30, danmaku=None,
    )]))
    full = {"ptime": 1700000000, "view": 1100, "like": 110, "reply": 11, "share": 6, "favorite": 21, "coin": 31,
            "danmaku": 50}
    stats_server(platform_server, {"BV1old": {**full, "coin": None}})
    (day,) = connector_for(account).fetch(yesterday, yesterday).account_days
    assert (day.views, day.likes, day.coins, day.danmaku) == (100, 10, None, None)

    stats_server(platform_server, {"BV1old": full, "BV1late": full})  # published long ago, never stored
    (day,) = connector_for(account).fetch(yesterday, yesterday).account_days
    assert (day.views, day.likes, day.comments, day.coins) == (None, None, None, None)


def test_paging_follows_the_page_size_the_platform_returns(account, platform_server):
    """Asked for 50, the platform serves 20 a page: the connector must not stop after page 1 or skip videos."""
    def small_pages(request):
        pn = int(request.query["pn"])
        page = VIDEOS[(pn - 1) * 20: pn * 20]
        return ok({"list": [{"resource_id": v} for v in page], "page": {"pn": pn, "ps": 20, "total": len(VIDEOS)}})

    serve(platform_server, **{"/arcopen/fn/archive/viewlist": [small_pages]})
    yesterday = local_today(account) - DAY
    batch = connector_for(account).fetch(yesterday, yesterday)
    assert [c.query["pn"] for c in platform_server.calls("/arcopen/fn/archive/viewlist")] == ["1", "2", "3"]
    assert sorted(p.post.external_id for p in batch.post_days) == VIDEOS
