"""WeChat Official Account: stable_token and the datacube endpoints (PLATFORMS.md)."""

from __future__ import annotations

import datetime as dt

from . import auth, comments, world
from .protocol import Reply, Request, days, int_param, parse_date

NAME = "wechat"
PREFIXES = ("/cgi-bin/", "/datacube/")  # 视频号's /channels/ is `wechat_channels.py`
TOKEN_PATHS = ("/cgi-bin/stable_token",)
API_BASES = {"WECHAT_API_BASE": ""}  # setting → path under the sandbox root
# Longest window each datacube endpoint accepts: end - begin < N days.
SPANS = {"getusersummary": 7, "getusercumulate": 7, "getbizsummary": 1, "getarticletotaldetail": 1}
USER_SOURCES = (0, 1, 17, 30, 43, 51, 200, 201)  # other, search, card share, QR code, article ad, …, 视频号 (200, 201)
ERRORS = {
    "token_expired": (42001, "access_token expired rid: sandbox"),
    "token_invalid": (40001, "invalid credential, access_token is invalid or not latest rid: sandbox"),
    "rate_limit": (45009, "reach max api daily quota limit rid: sandbox"),
    "busy": (-1, "system error rid: sandbox"),
    "bad_request": (61500, "date format error"),
    "range": (61501, "date range error"),
    "not_found": (48001, "api unauthorized rid: sandbox"),
}


def error(kind: str, request: Request, message: str = "") -> Reply:
    code, text = ERRORS[kind]
    return Reply({"errcode": code, "errmsg": f"{text}: {message}" if message else text})


def handle(request: Request) -> Reply:
    if request.path == "/cgi-bin/stable_token":
        return _stable_token(request)
    appid = auth.access_key(request.query.get("access_token"))
    if appid is None:
        return error("token_invalid", request)
    if request.path == "/cgi-bin/freepublish/batchget":
        return _published(request, world.account(request.state.seed, NAME, appid))
    if request.path == "/cgi-bin/comment/list":
        return _comment_list(request, world.account(request.state.seed, NAME, appid))
    name = request.path.removeprefix("/datacube/")
    if request.method != "POST" or name not in SPANS:
        return error("not_found", request, request.path)
    body = request.json()
    begin, end = parse_date(body.get("begin_date"), "begin_date"), parse_date(body.get("end_date"), "end_date")
    if end < begin or (end - begin).days >= SPANS[name]:
        return error("range", request, f"{name} accepts end_date - begin_date < {SPANS[name]} days")
    if end > request.state.yesterday():
        return error("range", request, "end_date must be yesterday or earlier")
    account = world.account(request.state.seed, NAME, appid)
    return Reply(BUILDERS[name](account, begin, end, request))


def _stable_token(request: Request) -> Reply:
    body = request.json()
    if body.get("grant_type") != "client_credential":
        return Reply({"errcode": 40002, "errmsg": "invalid grant_type"})
    appid = str(body.get("appid") or "")
    if not appid:
        return Reply({"errcode": 41002, "errmsg": "appid missing"})
    if body.get("secret") != auth.app_secret(appid):
        return Reply({"errcode": 40125, "errmsg": "invalid appsecret"})
    generation = request.state.issue_token(NAME, appid, rotate=bool(body.get("force_refresh")))
    return Reply({"access_token": auth.access_token(appid, generation), "expires_in": 7200})


def _user_summary(account: world.SimAccount, begin: dt.date, end: dt.date, request: Request) -> dict:
    rows = []
    for day in days(begin, end):
        sim = account.day(day)
        if sim is None:
            continue
        r = request.rng(account.key, day)
        weights = [r.random() ** 2 for _ in USER_SOURCES]
        shares = [int(sim.followers_gained * w / sum(weights)) for w in weights]
        shares[0] += sim.followers_gained - sum(shares)  # the split must add up exactly
        for source, gained in zip(USER_SOURCES, shares, strict=True):
            lost = sim.followers_lost if source == 0 else 0
            if gained or lost or source == 0:
                rows.append({"ref_date": day.isoformat(), "user_source": source, "new_user": gained, "cancel_user": lost})
    return {"list": rows}


def _user_cumulate(account: world.SimAccount, begin: dt.date, end: dt.date, request: Request) -> dict:
    return {"list": [
        {"ref_date": day.isoformat(), "cumulate_user": sim.followers}
        for day in days(begin, end) if (sim := account.day(day))
    ]}


def _biz_summary(account: world.SimAccount, begin: dt.date, end: dt.date, request: Request) -> dict:
    rows = []
    for day in days(begin, end):
        if (sim := account.day(day)) is None:
            continue
        c = sim.counters
        rows.append({"ref_date": day.isoformat(), "detail": {
            "read_user": c["views"], "share_user": c["shares"], "zaikan_user": c["recommends"],
            "like_user": c["likes"], "comment_count": c["comments"], "collection_user": c["saves"],
            "send_page_count": sim.posts_published,
        }})
    return {"list": rows, "is_delay": False}


def _article_detail(account: world.SimAccount, begin: dt.date, end: dt.date, request: Request) -> dict:
    """Articles published begin..end, each with lifetime totals for its first 7 days."""
    yesterday = request.state.yesterday()
    articles = []
    for post in account.posts_until(end):
        if post.day < begin:
            continue
        details = []
        for stat_day in days(post.day, min(post.day + dt.timedelta(days=6), yesterday)):
            t = post.totals(stat_day)
            details.append({
                "stat_date": stat_day.isoformat(), "read_user": t["views"], "share_user": t["shares"],
                "zaikan_user": t["recommends"], "like_user": t["likes"], "comment_count": t["comments"],
                "collection_user": t["saves"], "read_finish_rate": post.completion_rate,
                "read_avg_activetime": round(post.avg_watch_seconds / 60, 2),  # minutes
            })
        # No title: it comes from freepublish/batchget, as with the real API.
        articles.append({"ref_date": post.day.isoformat(), "msgid": post.external_id, "detail_list": details})
    return {"list": articles, "is_delay": False}


def _published(request: Request, account: world.SimAccount) -> Reply:
    """freepublish/batchget: published articles newest first, one news_item per article (no_content)."""
    body = request.json()
    offset, count = int_param(body, "offset", 0, 0, 10**6), int_param(body, "count", 20, 1, 20)
    posts = list(reversed(account.posts_until(request.state.yesterday())))
    items = []
    for post in posts[offset:offset + count]:
        mid, idx = post.external_id.split("_")
        created = int(post.published_at.timestamp())
        items.append({"article_id": f"sbx-{post.external_id}", "update_time": created, "content": {
            "news_item": [{"title": post.title, "author": "演示品牌", "digest": "", "content": "",
                           "url": f"https://mp.weixin.qq.com/s?__biz=MzSandbox==&mid={mid}&idx={idx}&sn=sbx",
                           "is_deleted": False}],
            "create_time": created, "update_time": created,
        }})
    return Reply({"total_count": len(posts), "item_count": len(items), "item": items})


BUILDERS = {
    "getusersummary": _user_summary, "getusercumulate": _user_cumulate,
    "getbizsummary": _biz_summary, "getarticletotaldetail": _article_detail,
}


def _comment_list(request: Request, account: world.SimAccount) -> Reply:
    """cgi-bin/comment/list: an article's comments by msg_data_id and index (from 0), count < 50 (comments app)."""
    body = request.json()
    msgid = f"{body.get('msg_data_id')}_{int(body.get('index') or 0) + 1}"
    post = next((p for p in account.posts_until(request.state.yesterday()) if p.external_id == msgid), None)
    if post is None:
        return Reply({"errcode": 88000, "errmsg": f"without comment privilege: {msgid}"})
    begin, count = int(body.get("begin") or 0), int(body.get("count") or 0)
    if not 0 < count < 50:
        return Reply({"errcode": 44002, "errmsg": "count must be 1..49"})
    found = comments.comments_for(request.state.seed, NAME, post, request.state.yesterday())
    rows = [{
        "user_comment_id": index + 1, "openid": f"o{c.user_id}", "create_time": int(c.created_at.timestamp()),
        "content": c.text, "comment_type": 0,
    } for index, c in enumerate(found)][begin:begin + count]
    return Reply({"errcode": 0, "errmsg": "ok", "total": len(found), "comment": rows})
