import datetime as dt
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

from . import published

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
CREDENTIALS = {"app_id": "ks123", "app_secret": "secret", "open_id": "oid", "access_token": "at.1", "refresh_token": "rt.1"}


@pytest.fixture
def account(platform_server, settings):
    settings.KUAISHOU_API_BASE = platform_server.url
    return SocialAccountFactory(platform=Platform.KUAISHOU, credentials=dict(CREDENTIALS))


def photo(n: int, **fields) -> dict:
    return {
        **published.KUAISHOU_PHOTO,
        "photo_id": f"3xphoto{n:03d}",
        "caption": f"作品{n}",
        "create_time": 1760000000000 + n * 1000,
        "view_count": 100 * n,
        "like_count": n,
        "comment_count": "2",
        **fields,
    }


PHOTOS = [photo(n) for n in range(45)]


def photo_list(request):
    assert (request.query["app_id"], request.query["access_token"]) == ("ks123", "at.1")
    count, cursor = int(request.query["count"]), request.query.get("cursor")
    start = 0 if cursor is None else [p["photo_id"] for p in PHOTOS].index(cursor) + 1
    return {"result": 1, "video_list": PHOTOS[start : start + count]}


def serve(server, **overrides):
    routes = {"/openapi/user_info": [published.KUAISHOU_USER_INFO], "/openapi/photo/list": [photo_list]}
    routes.update(overrides)
    for path, answers in routes.items():
        server.add("GET", path, *answers)


def test_documented_user_info_and_photo_list_are_read_as_a_snapshot(account, platform_server):
    yesterday = local_today(account) - DAY
    serve(platform_server)
    batch = connector_for(account).fetch(yesterday - 2 * DAY, yesterday)

    cursors = [c.query.get("cursor") for c in platform_server.calls("/openapi/photo/list")]
    assert cursors == [None, "3xphoto019", "3xphoto039"]  # the cursor is the last photo_id of the page before
    (day,) = batch.account_days
    assert (day.date, day.followers) == (yesterday, published.KUAISHOU_USER_INFO["user_info"]["fan"])
    assert (day.views, day.likes, day.comments) == (None, None, None)  # first sync: no night before to compare
    assert len(batch.post_days) == 45
    first = batch.post_days[1]
    assert (first.post.external_id, first.post.title, first.views, first.likes, first.comments) == (
        "3xphoto001",
        "作品1",
        100,
        1,
        2,
    )
    assert first.post.published_at == dt.datetime.fromtimestamp(1760000001, tz=dt.UTC)  # create_time is in ms
    assert first.post.url == "https://www.kuaishou.com/short-video/3xphoto001"


def test_the_published_photo_sample_is_read(account, platform_server):
    yesterday = local_today(account) - DAY
    serve(platform_server, **{"/openapi/photo/list": [{"result": 1, "video_list": [published.KUAISHOU_PHOTO]}]})
    (post_day,) = connector_for(account).fetch(yesterday, yesterday).post_days
    sample = published.KUAISHOU_PHOTO
    assert (post_day.post.external_id, post_day.views, post_day.likes, post_day.comments) == (
        sample["photo_id"],
        sample["view_count"],
        sample["like_count"],
        sample["comment_count"],
    )
    assert post_day.post.published_at == dt.datetime.fromtimestamp(sample["create_time"] / 1000, tz=dt.UTC)


def test_account_counters_are_the_increases_of_the_video_counters(account, platform_server):
    yesterday = local_today(account) - DAY
    old = PostInfo(external_id="3xold")
    metrics_write(
        account=account, batch=Batch(post_days=[PostDay(post=old, date=yesterday - DAY, views=1000, likes=50, comments=5)])
    )
    new_at = int(local_midnight(account, yesterday).timestamp() * 1000) + 3_600_000
    serve(
        platform_server,
        **{
            "/openapi/photo/list": [
                {
                    "result": 1,
                    "video_list": [
                        photo(0, photo_id="3xold", view_count="1300", like_count=52, comment_count=5),
                        photo(1, photo_id="3xnew", create_time=new_at, view_count=200, like_count=20, comment_count=3),
                    ],
                }
            ]
        },
    )
    batch = connector_for(account).fetch(yesterday, yesterday)
    (day,) = batch.account_days
    assert (day.views, day.likes, day.comments) == (300 + 200, 2 + 20, 0 + 3)
    metrics_write(account=account, batch=batch)
    row = AccountDailyMetric.objects.get(account=account, date=yesterday)
    assert (row.views, row.likes, row.comments) == (500, 22, 3)
    assert PostDailyMetric.objects.filter(post__account=account, date=yesterday).count() == 2


def test_an_expired_access_token_is_refreshed_and_the_rotated_pair_stored(account, platform_server):
    serve(
        platform_server,
        **{
            "/openapi/user_info": [published.KUAISHOU_ERROR_ACCESS_TOKEN_EXPIRED, published.KUAISHOU_USER_INFO],
            "/openapi/photo/list": [{"result": 1, "video_list": []}],
        },
    )
    platform_server.add("GET", "/oauth2/refresh_token", published.KUAISHOU_REFRESH)
    yesterday = local_today(account) - DAY
    connector_for(account).fetch(yesterday, yesterday)

    (refresh,) = platform_server.calls("/oauth2/refresh_token")
    assert refresh.query == {
        "app_id": "ks123",
        "app_secret": "secret",
        "refresh_token": "rt.1",
        "grant_type": "refresh_token",
    }
    assert [c.query["access_token"] for c in platform_server.calls("/openapi/user_info")] == [
        "at.1",
        published.KUAISHOU_REFRESH["access_token"],
    ]
    stored = SocialAccount.objects.get(pk=account.pk).credentials
    assert stored["refresh_token"] == published.KUAISHOU_REFRESH["refresh_token"]
    remaining = published.KUAISHOU_REFRESH["refresh_token_expires_in"]
    assert abs(stored["refresh_token_expires_at"] - (time.time() + remaining)) < 60  # not extended: what is left


def test_reauthorisation_is_flagged_before_the_refresh_token_runs_out(account, platform_server):
    account.credentials = {**CREDENTIALS, "refresh_token_expires_at": time.time() + 5 * 86400}
    account.save()
    serve(platform_server, **{"/openapi/photo/list": [{"result": 1, "video_list": []}]})
    yesterday = local_today(account) - DAY
    assert connector_for(account).fetch(yesterday, yesterday).account_days  # still syncs
    account.refresh_from_db()
    assert account.status == "active"
    due = (dt.datetime.now(dt.UTC) + 5 * DAY).astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    assert account.status_detail == f"快手授权将于 {due} 到期（refresh token 180 天，刷新不延期）：请在此之前重新授权"


def test_no_flag_while_the_refresh_token_has_long_to_run_and_a_stale_one_is_cleared(account, platform_server):
    account.credentials = {**CREDENTIALS, "refresh_token_expires_at": time.time() + 90 * 86400}
    account.status_detail = "快手授权将于 2026-01-01 到期（refresh token 180 天，刷新不延期）：请在此之前重新授权"
    account.save()
    serve(platform_server, **{"/openapi/photo/list": [{"result": 1, "video_list": []}]})
    yesterday = local_today(account) - DAY
    connector_for(account).fetch(yesterday, yesterday)
    account.refresh_from_db()
    assert account.status_detail == ""


def test_an_expired_refresh_token_is_an_auth_error_that_says_what_to_do(account, platform_server):
    serve(platform_server, **{"/openapi/user_info": [published.KUAISHOU_ERROR_ACCESS_TOKEN_EXPIRED]})
    platform_server.add("GET", "/oauth2/refresh_token", published.KUAISHOU_ERROR_REFRESH_TOKEN_EXPIRED)
    yesterday = local_today(account) - DAY
    with pytest.raises(AuthError, match="result 100200113 .*re-authorise the account"):
        connector_for(account).fetch(yesterday, yesterday)


@pytest.mark.parametrize(
    ("answer", "error_class", "attempts"),
    [
        ({"result": 100200500, "error_msg": "服务内部错误"}, TransientError, MAX_ATTEMPTS),
        ({"result": "400002", "error_msg": "api限速"}, QuotaExceeded, 1),
        ({"result": 100200109, "error_msg": "用户取消该 app 授权"}, AuthError, 1),
        ({"result": 100200100, "error_msg": "请求缺少参数或参数类型错误"}, PlatformDataError, 1),
        ({"result": 1, "video_list": "oops"}, PlatformDataError, 1),
    ],
)
def test_result_codes_are_mapped(account, platform_server, answer, error_class, attempts):
    serve(platform_server, **{"/openapi/photo/list": [answer]})
    yesterday = local_today(account) - DAY
    with pytest.raises(error_class):
        connector_for(account).fetch(yesterday, yesterday)
    assert len(platform_server.calls("/openapi/photo/list")) == attempts


def test_a_cursor_that_does_not_advance_is_a_data_error(account, platform_server):
    serve(platform_server, **{"/openapi/photo/list": [{"result": 1, "video_list": PHOTOS[:20]}]})
    yesterday = local_today(account) - DAY
    with pytest.raises(PlatformDataError, match="the cursor does not advance"):
        connector_for(account).fetch(yesterday, yesterday)


def test_an_unrelated_status_detail_is_left_alone(account, platform_server):
    account.status_detail = "由运维暂停过一次"
    account.save()
    serve(platform_server, **{"/openapi/photo/list": [{"result": 1, "video_list": []}]})
    yesterday = local_today(account) - DAY
    connector_for(account).fetch(yesterday, yesterday)
    account.refresh_from_db()
    assert account.status_detail == "由运维暂停过一次"
