"""The sandbox answers in each platform's documented shapes (PLATFORMS.md)."""

import datetime as dt
import re

import requests

from ingestion.sandbox import demo_credentials
from ingestion.sandbox.world import SHANGHAI

from .conftest import IDS, bili_headers, yesterday

DAY = dt.timedelta(days=1)


def as_int(value) -> int:
    return int(value)  # Douyin and Bilibili send numbers as strings now and then


# --- WeChat ---------------------------------------------------------------------------------


def test_wechat_stable_token_checks_the_secret(client):
    ok = client.session.post(f"{client.url}/cgi-bin/stable_token", json={
        "grant_type": "client_credential", "appid": "wxA", "secret": demo_credentials("wechat", "wxA")["secret"]}).json()
    assert set(ok) == {"access_token", "expires_in"}
    assert ok["expires_in"] <= 7200
    bad = client.session.post(f"{client.url}/cgi-bin/stable_token", json={
        "grant_type": "client_credential", "appid": "wxA", "secret": "wrong"}).json()
    assert bad["errcode"] == 40125


def test_wechat_user_summary_sums_over_sources_to_the_cumulate_change(client):
    y = yesterday()
    rows = client.wechat("getusersummary", y - 6 * DAY, y).json()["list"]
    cumulate = {r["ref_date"]: r["cumulate_user"] for r in client.wechat("getusercumulate", y - 6 * DAY, y).json()["list"]}
    assert {r["ref_date"] for r in rows} == set(cumulate)
    assert len(cumulate) == 7
    assert len(rows) > 7  # several user_source rows per day
    assert set(rows[0]) == {"ref_date", "user_source", "new_user", "cancel_user"}
    for day in sorted(cumulate)[1:]:
        net = sum(r["new_user"] - r["cancel_user"] for r in rows if r["ref_date"] == day)
        previous = (dt.date.fromisoformat(day) - DAY).isoformat()
        assert cumulate[day] - cumulate[previous] == net


def test_wechat_span_limits_answer_61501(client):
    y = yesterday()
    assert client.wechat("getusersummary", y - 7 * DAY, y).json()["errcode"] == 61501  # 8 days > 7
    assert client.wechat("getbizsummary", y - DAY, y).json()["errcode"] == 61501  # N=1
    assert client.wechat("getusercumulate", y, y + DAY).json()["errcode"] == 61501  # end after yesterday
    assert "list" in client.wechat("getusersummary", y - 6 * DAY, y).json()


def test_wechat_biz_summary_and_article_details(client):
    y = yesterday()
    biz = client.wechat("getbizsummary", y, y).json()
    assert biz["is_delay"] is False
    assert set(biz["list"][0]["detail"]) >= {"read_user", "share_user", "zaikan_user", "like_user", "comment_count",
                                             "collection_user"}
    articles = []
    day = y
    while not articles:  # the account publishes most days
        day -= DAY
        articles = client.wechat("getarticletotaldetail", day, day).json()["list"]
    article = articles[0]
    assert article["ref_date"] == day.isoformat()
    assert re.fullmatch(r"\d+_\d+", article["msgid"])
    reads = [d["read_user"] for d in article["detail_list"]]
    assert reads == sorted(reads)
    assert 0 <= article["detail_list"][0]["read_finish_rate"] <= 1
    assert client.wechat("getbizsummary", y, y, appid="wxOTHER").json()["list"] != biz["list"]


# --- Douyin ---------------------------------------------------------------------------------


def test_douyin_series_are_fixed_windows_ending_yesterday(client):
    for date_type in (7, 15, 30):
        body = client.douyin("/data/external/user/item/", date_type=date_type).json()
        assert as_int(body["data"]["error_code"]) == 0
        assert "logid" in body["extra"]
        dates = [row["date"] for row in body["data"]["result_list"]]
        assert dates[-1] == yesterday().isoformat()
        assert len(dates) == date_type
        assert set(body["data"]["result_list"][0]) == {"date", "new_issue", "new_play", "total_issue"}
    wrong = client.douyin("/data/external/user/fans/", date_type=10).json()
    assert wrong["data"]["error_code"] == 2100005


def test_douyin_sends_some_numbers_as_strings(client):
    rows = [row for kind in ("fans", "like", "comment", "share", "profile", "item")
            for row in client.douyin(f"/data/external/user/{kind}/", date_type=30).json()["data"]["result_list"]]
    values = [v for row in rows for k, v in row.items() if k != "date"]
    assert any(isinstance(v, str) for v in values)
    assert any(isinstance(v, int) for v in values)
    assert all(str(v).isdigit() for v in values)


def test_douyin_token_belongs_to_its_open_id(client):
    other = client.session.get(f"{client.url}/data/external/user/fans/", params={"open_id": "someone", "date_type": 7},
                               headers={"access-token": demo_credentials("douyin", IDS["douyin"])["access_token"]})
    assert other.json()["data"]["error_code"] == 28001003


def test_douyin_video_list_and_item_base(client):
    page = client.douyin("/video/list/", cursor=0, count=20).json()["data"]
    assert page["has_more"] is True
    assert page["cursor"] == 20
    video = page["list"][0]
    assert {"item_id", "title", "create_time", "statistics"} <= set(video)
    base = client.douyin("/data/external/item/base/", item_id=video["item_id"]).json()["data"]["result"]
    assert set(base) == {"avg_play_duration", "total_comment", "total_like", "total_play", "total_share"}
    assert as_int(base["total_play"]) == video["statistics"]["play_count"]
    old = client.douyin("/video/list/", cursor=60, count=1).json()["data"]["list"][0]  # two months back
    assert client.douyin("/data/external/item/base/", item_id=old["item_id"]).json()["data"]["error_code"] == 2100005


def test_douyin_oauth_refresh(client):
    creds = demo_credentials("douyin", IDS["douyin"])
    body = client.session.post(f"{client.url}/oauth/refresh_token/", data={
        "client_key": creds["client_key"], "grant_type": "refresh_token", "refresh_token": creds["refresh_token"]}).json()
    assert body["message"] == "success"
    assert body["data"]["expires_in"] == 1296000
    assert body["data"]["access_token"] != creds["access_token"]
    assert body["data"]["open_id"] == IDS["douyin"]
    expired = client.session.post(f"{client.url}/oauth/refresh_token/", data={
        "client_key": creds["client_key"], "grant_type": "refresh_token", "refresh_token": "stale"}).json()
    assert expired["data"]["error_code"] == 10010


# --- Bilibili -------------------------------------------------------------------------------


def test_bilibili_verifies_the_signature(client):
    ok = client.bilibili("/arcopen/fn/data/user/stat").json()
    assert ok["code"] == 0
    assert ok["ttl"] == 1
    assert set(ok["data"]) == {"following", "follower", "arc_passed_total"}
    creds = demo_credentials("bilibili", IDS["bilibili"])
    tampered = bili_headers(creds["client_id"], "not-the-secret", creds["access_token"])
    assert client.session.get(f"{client.url}/arcopen/fn/data/user/stat", headers=tampered).json()["code"] == 127012
    stale = bili_headers(creds["client_id"], creds["client_secret"], creds["access_token"])
    stale["x-bili-timestamp"] = "1000000000"
    assert client.session.get(f"{client.url}/arcopen/fn/data/user/stat", headers=stale).json()["code"] == 127012
    unsigned = requests.get(f"{client.url}/arcopen/fn/data/user/stat", headers={"access-token": creds["access_token"]})
    assert "missing headers" in unsigned.json()["message"]


def test_bilibili_pages_videos_and_reports_lifetime_stats(client):
    first = client.bilibili("/arcopen/fn/archive/viewlist", pn=1, ps=10, status="all").json()["data"]
    total = first["page"]["total"]
    assert first["page"] == {"pn": 1, "ps": 10, "total": total}
    assert len(first["list"]) == 10
    assert total > 20
    last_page = (total + 9) // 10
    last = client.bilibili("/arcopen/fn/archive/viewlist", pn=last_page, ps=10, status="all").json()["data"]
    assert len(last["list"]) == total - 10 * (last_page - 1)
    bvid = first["list"][0]["resource_id"]
    assert re.fullmatch(r"BV1\w{9}", bvid)
    stat = client.bilibili("/arcopen/fn/data/arc/stat", resource_id=bvid).json()["data"]
    assert set(stat) == {"title", "ptime", "view", "danmaku", "reply", "favorite", "coin", "share", "like"}
    assert client.bilibili("/arcopen/fn/data/arc/stat", resource_id="BV1nope").json()["code"] == 127124


def test_bilibili_refresh_tokens_are_single_use(client):
    creds = demo_credentials("bilibili", IDS["bilibili"])
    form = {"client_id": creds["client_id"], "client_secret": creds["client_secret"], "grant_type": "refresh_token",
            "refresh_token": creds["refresh_token"]}
    first = client.session.post(f"{client.url}/x/account-oauth2/v1/refresh_token", data=form).json()
    assert first["code"] == 0
    assert first["data"]["refresh_token"] != creds["refresh_token"]
    again = client.session.post(f"{client.url}/x/account-oauth2/v1/refresh_token", data=form).json()
    assert again["code"] == 122007


# --- Weibo ----------------------------------------------------------------------------------


def test_weibo_user_snapshot_and_paged_timeline(client):
    user = client.weibo("/2/users/show.json", uid=IDS["weibo"]).json()
    assert user["idstr"] == IDS["weibo"]
    assert user["followers_count"] > 0
    page1 = client.weibo("/2/statuses/user_timeline.json", count=100, page=1).json()
    assert page1["total_number"] == user["statuses_count"]
    assert len(page1["statuses"]) == 100
    page3 = client.weibo("/2/statuses/user_timeline.json", count=100, page=3).json()
    assert len(page3["statuses"]) == page1["total_number"] - 200
    status = page1["statuses"][0]
    created = dt.datetime.strptime(status["created_at"], "%a %b %d %H:%M:%S %z %Y")
    assert re.fullmatch(r"[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d \+0800 \d{4}", status["created_at"])
    assert created.astimezone(SHANGHAI).date() <= yesterday()
    assert {"id", "idstr", "text", "reposts_count", "comments_count", "attitudes_count"} <= set(status)


def test_weibo_errors_have_request_error_code_and_error(client):
    response = client.session.get(f"{client.url}/2/users/show.json", params={"uid": "1", "access_token": "bogus"})
    assert response.status_code == 403
    assert response.json() == {"request": "/2/users/show.json", "error_code": "21332", "error": "invalid_access_token"}


# --- Xiaohongshu 聚光 --------------------------------------------------------------------------


def test_xhs_report_pages_and_checks_the_advertiser(client):
    y = yesterday()
    first = client.xhs(y - 9 * DAY, y, page_size=4).json()
    assert first["success"] is True
    assert first["code"] == 0
    assert first["data"]["total_count"] == 10
    assert [r["time"] for r in first["data"]["data_list"]] == [(y - n * DAY).isoformat() for n in range(9, 5, -1)]
    assert {"time", "fee", "impression", "click", "like", "comment", "collect", "share"} <= set(
        first["data"]["data_list"][0])
    assert len(client.xhs(y - 9 * DAY, y, page_size=4, page_num=3).json()["data"]["data_list"]) == 2
    assert client.xhs(y - 9 * DAY, y, page_size=1001).json()["code"] == 40010
    creds = demo_credentials("xiaohongshu", IDS["xiaohongshu"])
    foreign = client.session.post(f"{client.url}/api/open/jg/data/report/offline/account",
                                  headers={"Access-Token": creds["access_token"]},
                                  json={"advertiser_id": "999", "start_date": y.isoformat(), "end_date": y.isoformat()})
    assert foreign.status_code == 403
    assert foreign.json()["success"] is False
