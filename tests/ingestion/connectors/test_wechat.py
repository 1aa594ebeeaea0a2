import datetime as dt

import pytest
from django.core.cache import cache

from accounts.calendar import local_today
from accounts.models import Platform
from analytics.models import AccountDailyMetric, Post, PostDailyMetric
from ingestion.connectors.base import AuthError, PlatformDataError, QuotaExceeded, TransientError, connector_for
from ingestion.connectors.http import MAX_ATTEMPTS
from ingestion.services import metrics_write
from tests.factories import SocialAccountFactory

from . import published
from .conftest import Reply

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
OK_TOKEN = {"access_token": "tok-1", "expires_in": 7200}


@pytest.fixture
def account(platform_server, settings):
    settings.WECHAT_API_BASE = platform_server.url
    account = SocialAccountFactory(platform=Platform.WECHAT, credentials={"appid": "wx-app", "secret": "s3cret"})
    cache.delete(connector_for(account).token_cache_key())
    yield account
    cache.delete(connector_for(account).token_cache_key())


def _dates(request):
    begin = dt.date.fromisoformat(request.json["begin_date"])
    end = dt.date.fromisoformat(request.json["end_date"])
    return [begin + DAY * i for i in range((end - begin).days + 1)]


def user_summary(request):
    rows = []
    for day in _dates(request):
        n = day.day
        rows.append({"ref_date": day.isoformat(), "user_source": 0, "new_user": n, "cancel_user": 1})
        rows.append({"ref_date": day.isoformat(), "user_source": 30, "new_user": str(n * 10), "cancel_user": "2"})
    return {"list": rows}


def user_cumulate(request):
    return {"list": [{"ref_date": d.isoformat(), "cumulate_user": 1000 + d.day} for d in _dates(request)]}


def biz_summary(request):
    (day,) = _dates(request)
    return {"list": [{"ref_date": day.isoformat(), "detail": {
        "read_user": 500, "share_user": "7", "zaikan_user": 3, "like_user": 20, "comment_count": 4,
        "collection_user": 6,
    }}], "is_delay": False}


def no_articles(request):
    return {"list": []}


def no_published(request):
    return {"total_count": 0, "item_count": 0, "item": []}


def serve(server, **overrides):
    routes = {
        "/cgi-bin/stable_token": [OK_TOKEN], "/datacube/getusersummary": [user_summary],
        "/datacube/getusercumulate": [user_cumulate], "/datacube/getbizsummary": [biz_summary],
        "/datacube/getarticletotaldetail": [no_articles], "/cgi-bin/freepublish/batchget": [no_published],
    }
    routes.update(overrides)
    for path, answers in routes.items():
        server.add("POST", path, *answers)


def test_fetch_maps_every_series_splits_spans_and_stores_rows(account, platform_server):
    yesterday = local_today(account) - DAY
    start = yesterday - 8 * DAY  # nine days: a 7-day and a 2-day span
    published = yesterday - DAY

    def articles(request):
        (day,) = _dates(request)
        if day != published:
            return {"list": []}
        return {"list": [{"ref_date": day.isoformat(), "msgid": "2247483655_1", "title": "新品发布", "detail_list": [
            {"stat_date": day.isoformat(), "read_user": "120", "like_user": 5, "share_user": 2, "zaikan_user": 1,
             "comment_count": 0, "collection_user": 3, "read_finish_rate": "0.41"},
            {"stat_date": yesterday.isoformat(), "read_user": 180, "like_user": 9, "read_finish_rate": 0.4},
        ]}], "is_delay": False}

    serve(platform_server, **{"/datacube/getarticletotaldetail": [articles]})
    batch = connector_for(account).fetch(start, yesterday)

    spans = [(c.json["begin_date"], c.json["end_date"]) for c in platform_server.calls("/datacube/getusersummary")]
    assert spans == [(start.isoformat(), (start + 6 * DAY).isoformat()),
                     ((start + 7 * DAY).isoformat(), yesterday.isoformat())]
    assert {c.json["begin_date"] for c in platform_server.calls("/datacube/getbizsummary")} == {
        (start + DAY * i).isoformat() for i in range(9)}
    assert all(c.query["access_token"] == "tok-1" for c in platform_server.calls("/datacube/getbizsummary"))
    assert len(platform_server.calls("/cgi-bin/stable_token")) == 1  # cached for every later call

    assert [d.date for d in batch.account_days] == [start + DAY * i for i in range(9)]
    first = batch.account_days[0]
    assert (first.followers_gained, first.followers_lost, first.followers) == (11 * start.day, 3, 1000 + start.day)
    assert (first.views, first.shares, first.recommends, first.likes, first.comments, first.saves) == (500, 7, 3, 20, 4, 6)
    assert first.impressions is None
    assert first.posts_published is None

    assert [(p.date, p.views, p.likes, p.shares, p.completion_rate) for p in batch.post_days] == [
        (published, 120, 5, 2, 0.41), (yesterday, 180, 9, None, 0.4)]
    post = batch.post_days[0].post
    assert (post.external_id, post.title, post.kind) == ("2247483655_1", "新品发布", "article")
    assert post.published_at.date() == published
    assert post.published_at.utcoffset() == dt.timedelta(hours=8)

    metrics_write(account=account, batch=batch)
    row = AccountDailyMetric.objects.get(account=account, date=start)
    assert (row.followers, row.followers_gained, row.followers_lost, row.views, row.recommends) == (
        1000 + start.day, 11 * start.day, 3, 500, 3)
    assert AccountDailyMetric.objects.filter(account=account).count() == 9
    stored = PostDailyMetric.objects.get(post__account=account, date=yesterday)
    assert (stored.views, stored.likes, stored.shares, stored.completion_rate) == (180, 9, None, 0.4)
    assert Post.objects.get(account=account).title == "新品发布"


def test_omitted_fields_stay_null_and_empty_days_are_absent(account, platform_server):
    day = local_today(account) - 2 * DAY
    serve(
        platform_server,
        **{
            "/datacube/getusersummary": [{"list": [
                {"ref_date": day.isoformat(), "user_source": 0, "new_user": 4},
                {"ref_date": day.isoformat(), "user_source": 1},
            ]}],
            "/datacube/getusercumulate": [{"list": []}],
            "/datacube/getbizsummary": [{"list": [{"ref_date": day.isoformat(), "detail": {"read_user": 0}}]}],
        },
    )
    batch = connector_for(account).fetch(day - DAY, day)
    (only,) = batch.account_days
    assert (only.date, only.followers_gained, only.followers_lost, only.followers) == (day, 4, None, None)
    assert (only.views, only.likes, only.recommends) == (0, None, None)


def test_window_is_clipped_to_yesterday(account, platform_server):
    today = local_today(account)
    serve(platform_server)
    connector_for(account).fetch(today - DAY, today + DAY)
    assert {c.json["end_date"] for c in platform_server.calls("/datacube/getusersummary")} == {(today - DAY).isoformat()}
    assert len(platform_server.calls("/datacube/getbizsummary")) == 1


@pytest.mark.parametrize("code", [40001, 40014, 42001])
def test_rejected_token_is_refreshed_once_and_the_call_retried(account, platform_server, code):
    connector_for(account).cache_token("stale", timeout=600)
    day = local_today(account) - DAY
    serve(
        platform_server,
        **{"/cgi-bin/stable_token": [{"access_token": "fresh", "expires_in": "7200"}],
           "/datacube/getusersummary": [{"errcode": code, "errmsg": "invalid credential"}, user_summary]},
    )
    batch = connector_for(account).fetch(day, day)
    (token_call,) = platform_server.calls("/cgi-bin/stable_token")
    assert token_call.json == {"grant_type": "client_credential", "appid": "wx-app", "secret": "s3cret",
                               "force_refresh": True}
    assert [c.query["access_token"] for c in platform_server.calls("/datacube/getusersummary")] == ["stale", "fresh"]
    assert batch.account_days[0].followers_gained == 11 * day.day
    assert connector_for(account).cached_token() == "fresh"


def test_token_still_rejected_after_refresh_is_an_auth_error(account, platform_server):
    day = local_today(account) - DAY
    serve(platform_server, **{"/datacube/getusersummary": [{"errcode": 42001, "errmsg": "access_token expired"}]})
    with pytest.raises(AuthError, match=r"wechat /datacube/getusersummary: errcode 42001"):
        connector_for(account).fetch(day, day)
    assert len(platform_server.calls("/cgi-bin/stable_token")) == 2


@pytest.mark.parametrize("code", [40013, 40125])
def test_invalid_appid_or_secret_is_an_auth_error(account, platform_server, code):
    serve(platform_server, **{"/cgi-bin/stable_token": [{"errcode": code, "errmsg": "invalid appid"}]})
    day = local_today(account) - DAY
    with pytest.raises(AuthError, match=f"stable_token: errcode {code}"):
        connector_for(account).fetch(day, day)


def test_missing_credentials_are_an_auth_error(account):
    account.credentials = {}
    day = local_today(account) - DAY
    with pytest.raises(AuthError, match="appid or secret"):
        connector_for(account).fetch(day, day)


def test_busy_is_retried_with_backoff(account, platform_server):
    day = local_today(account) - DAY
    busy = {"errcode": -1, "errmsg": "system error"}
    serve(platform_server, **{"/datacube/getusercumulate": [busy, busy, user_cumulate]})
    batch = connector_for(account).fetch(day, day)
    assert batch.account_days[0].followers == 1000 + day.day
    assert len(platform_server.calls("/datacube/getusercumulate")) == 3


def test_busy_past_the_attempt_cap_is_transient(account, platform_server):
    day = local_today(account) - DAY
    serve(platform_server, **{"/datacube/getusercumulate": [{"errcode": "-1", "errmsg": "system error"}]})
    with pytest.raises(TransientError, match="errcode -1"):
        connector_for(account).fetch(day, day)
    assert len(platform_server.calls("/datacube/getusercumulate")) == MAX_ATTEMPTS


@pytest.mark.parametrize(("answer", "error", "message"), [
    ({"errcode": 45009, "errmsg": "reach max api daily quota limit"}, QuotaExceeded, "errcode 45009"),
    ({"errcode": 61501, "errmsg": "date range error"}, PlatformDataError, "errcode 61501 date range error"),
    (Reply(raw=b"<html>502 gateway</html>"), PlatformDataError, "getbizsummary: the answer is not JSON"),
    ({"is_delay": False}, PlatformDataError, "getbizsummary: field 'list' should be a list, got nothing"),
    ({"list": [{"ref_date": "2026-01-01", "detail": {"read_user": "lots"}}]}, PlatformDataError,
     "getbizsummary: field 'read_user' is not a number: 'lots'"),
    ({"list": [{"ref_date": "yesterday", "detail": {}}]}, PlatformDataError, "field 'ref_date' is not a date"),
])
def test_errors_and_malformed_answers_are_mapped(account, platform_server, answer, error, message):
    day = local_today(account) - DAY
    serve(platform_server, **{"/datacube/getbizsummary": [answer]})
    with pytest.raises(error, match=message):
        connector_for(account).fetch(day, day)
    assert len(platform_server.calls("/datacube/getbizsummary")) == 1  # not retried


def test_http_500_and_timeouts_are_retried_then_transient(account, platform_server):
    day = local_today(account) - DAY
    serve(platform_server, **{"/datacube/getbizsummary": [Reply({"oops": 1}, status=500), biz_summary]})
    assert connector_for(account).fetch(day, day).account_days[0].views == 500

    serve(platform_server, **{"/datacube/getbizsummary": [Reply({"list": []}, delay=1.0)]})
    with pytest.raises(TransientError, match="getbizsummary: timed out"):
        connector_for(account).fetch(day, day)
    assert len(platform_server.calls("/datacube/getbizsummary")) == 2 + MAX_ATTEMPTS


def test_published_samples_titles_send_count_delay_and_reading_time(account, platform_server):
    """The documented shapes: getbizsummary.send_page_count and is_delay, getarticletotaldetail without a
    title (read_avg_activetime in minutes), titles/URLs/times from freepublish/batchget (published.py)."""
    day = local_today(account) - DAY
    sample = published.WECHAT_ARTICLE_TOTAL_DETAIL
    serve(platform_server, **{
        "/datacube/getbizsummary": [{**published.WECHAT_BIZ_SUMMARY,
                                     "list": [{**published.WECHAT_BIZ_SUMMARY["list"][0], "ref_date": day.isoformat()}]}],
        "/datacube/getarticletotaldetail": [{**sample, "list": [{
            **sample["list"][0], "ref_date": day.isoformat(),
            "detail_list": [{**sample["list"][0]["detail_list"][0], "stat_date": day.isoformat()}],
        }]}],
        "/cgi-bin/freepublish/batchget": [published.WECHAT_FREEPUBLISH_BATCHGET],
    })
    batch = connector_for(account).fetch(day, day)

    (account_day,) = batch.account_days
    biz = published.WECHAT_BIZ_SUMMARY["list"][0]["detail"]
    assert (account_day.posts_published, account_day.views, account_day.provisional) == (
        biz["send_page_count"], biz["read_user"], True)  # is_delay: the day is not final
    (post_day,) = batch.post_days
    news = published.WECHAT_FREEPUBLISH_BATCHGET["item"][0]["content"]["news_item"][0]
    assert (post_day.post.external_id, post_day.post.title, post_day.post.url) == (
        sample["list"][0]["msgid"], news["title"], news["url"])
    created = published.WECHAT_FREEPUBLISH_BATCHGET["item"][0]["content"]["create_time"]
    assert post_day.post.published_at == dt.datetime.fromtimestamp(created, tz=dt.UTC)
    detail = sample["list"][0]["detail_list"][0]
    assert post_day.avg_watch_seconds == round(detail["read_avg_activetime"] * 60, 2)
    assert post_day.provisional is False
    (call,) = platform_server.calls("/cgi-bin/freepublish/batchget")
    assert call.json == {"offset": 0, "count": 20, "no_content": 1}

    metrics_write(account=account, batch=batch)
    stored = Post.objects.get(account=account)
    assert (stored.title, stored.url) == (news["title"], news["url"])
    assert AccountDailyMetric.objects.get(account=account, date=day).posts_published == biz["send_page_count"]


def test_without_the_publishing_api_articles_are_still_stored(account, platform_server):
    day = local_today(account) - DAY
    serve(platform_server, **{
        "/datacube/getarticletotaldetail": [{"list": [{"ref_date": day.isoformat(), "msgid": "2247483650_1",
                                                       "detail_list": [{"stat_date": day.isoformat(), "read_user": 5}]}]}],
        "/cgi-bin/freepublish/batchget": [{"errcode": 48001, "errmsg": "api unauthorized"}],
    })
    (post_day,) = connector_for(account).fetch(day, day).post_days
    assert (post_day.post.external_id, post_day.post.title, post_day.views) == ("2247483650_1", "", 5)


def test_published_user_summary_and_cumulate_samples(account, platform_server):
    day = dt.date.fromisoformat(published.WECHAT_USER_SUMMARY["list"][0]["ref_date"])
    serve(platform_server, **{"/datacube/getusersummary": [published.WECHAT_USER_SUMMARY],
                              "/datacube/getusercumulate": [published.WECHAT_USER_CUMULATE],
                              "/datacube/getbizsummary": [{"list": []}]})
    (row,) = connector_for(account).fetch(day, day).account_days
    assert (row.date, row.followers, row.followers_gained, row.followers_lost) == (day, 1217056, 0, 0)
