"""Douyin open platform: OAuth, the fixed-window user data series, video list and per-video data."""

from __future__ import annotations

import datetime as dt
import hashlib

from . import auth, comments, world
from .protocol import Reply, Request, int_param, stringify

NAME = "douyin"
PREFIXES = ("/oauth/", "/data/external/", "/video/", "/item/comment/")
TOKEN_PATHS = ("/oauth/access_token/", "/oauth/refresh_token/")
API_BASES = {"DOUYIN_API_BASE": ""}  # setting → path under the sandbox root
DATE_TYPES = (7, 15, 30)
ERRORS = {
    "token_expired": (28001008, "access_token过期"),
    "token_invalid": (28001003, "access_token无效"),
    "rate_limit": (28003017, "当前应用的调用配额已用完"),
    "busy": (28001005, "服务内部错误，请重试"),
    "bad_request": (2100005, "参数不合法"),
    "not_found": (28001017, "未知URI"),
    "refresh_expired": (10010, "refresh_token过期"),
    "bad_client": (10013, "client_key或client_secret错误"),
    "bad_code": (10007, "授权码code过期"),
}


def _extra(request: Request, code=0, description="") -> dict:
    logid = hashlib.sha256(f"{request.state.seed}|{request.path}|{sorted(request.query.items())}".encode()).hexdigest()
    now = dt.datetime.combine(request.state.today(), dt.time(2, 30), world.SHANGHAI)
    return {"error_code": code, "description": description, "sub_error_code": 0, "sub_description": "",
            "logid": logid[:32].upper(), "now": int(now.timestamp() * 1000)}


def _ok(request: Request, data: dict) -> Reply:
    r = request.rng("strings", sorted(request.query.items()))
    code = "0" if r.random() < 0.2 else 0  # the platform is sloppy about the type of its own codes
    return Reply({"data": {**data, "error_code": code, "description": ""}, "extra": _extra(request, code)})


def error(kind: str, request: Request, message: str = "") -> Reply:
    code, text = ERRORS[kind]
    text = f"{text}: {message}" if message else text
    if request.path.startswith("/oauth/"):
        return Reply({"data": {"error_code": code, "description": text}, "message": "error"})
    return Reply({"data": {"error_code": code, "description": text}, "extra": _extra(request, code, text)})


def handle(request: Request) -> Reply:
    if request.path in TOKEN_PATHS:
        return _oauth(request)
    open_id = request.query.get("open_id", "")
    key = auth.access_key(request.headers.get("access-token"))
    if key is None:
        return error("token_invalid", request)
    if key != open_id:
        return error("token_invalid", request, "access_token does not belong to open_id")
    account = world.account(request.state.seed, NAME, open_id)
    if request.path.startswith("/data/external/user/"):
        return _user_series(request, account, request.path.removeprefix("/data/external/user/").strip("/"))
    if request.path == "/data/external/item/base/":
        return _item_base(request, account)
    if request.path == "/video/list/":
        return _video_list(request, account)
    if request.path == "/item/comment/list/":
        return _item_comments(request, account)
    return error("not_found", request, request.path)


def _oauth(request: Request) -> Reply:
    params = request.params()
    client_key = params.get("client_key", "")
    if request.path == "/oauth/access_token/":
        if params.get("client_secret") != auth.app_secret(client_key):
            return error("bad_client", request)
        code = params.get("code", "")
        if params.get("grant_type") != "authorization_code" or not code.startswith("sbx-code."):
            return error("bad_code", request)
        open_id, generation = code.removeprefix("sbx-code."), 0
    else:
        parts = auth.refresh_parts(params.get("refresh_token"))
        if params.get("grant_type") != "refresh_token" or parts is None:
            return error("refresh_expired", request)
        open_id = parts[0]
        generation = request.state.issue_token(NAME, open_id, rotate=True)
    return Reply({"data": {
        "access_token": auth.access_token(open_id, generation), "expires_in": 1296000, "open_id": open_id,
        "refresh_token": auth.refresh_token(open_id), "refresh_expires_in": 2592000,
        "scope": "data.external.user,data.external.item,video.list.bind", "error_code": 0, "description": "",
    }, "message": "success"})


def _user_series(request: Request, account: world.SimAccount, kind: str) -> Reply:
    if kind not in ("item", "fans", "like", "comment", "share", "profile"):
        return error("not_found", request, request.path)
    date_type = request.query.get("date_type", "")
    if date_type not in {str(n) for n in DATE_TYPES}:
        return error("bad_request", request, f"date_type must be one of 7, 15, 30, got {date_type!r}")
    yesterday = request.state.yesterday()
    rows = []
    for back in range(int(date_type) - 1, -1, -1):
        day = yesterday - dt.timedelta(days=back)
        if (sim := account.day(day)) is None:
            continue
        rows.append(stringify({"date": day.isoformat(), **_series_values(kind, account, sim)},
                              request.rng(kind, day), share=0.3))
    return _ok(request, {"result_list": rows})


def _series_values(kind: str, account: world.SimAccount, sim: world.SimDay) -> dict:
    c = sim.counters
    if kind == "item":
        return {"new_issue": sim.posts_published, "new_play": c["views"], "total_issue": len(account.posts_until(sim.date))}
    if kind == "fans":
        return {"new_fans": sim.followers_gained, "total_fans": sim.followers}
    if kind == "profile":
        return {"profile_uv": sim.profile_visits}
    return {f"new_{kind}": c[f"{kind}s"]}


def _post_base(post: world.SimPost, as_of: dt.date) -> dict:
    t = post.totals(as_of)
    return {"avg_play_duration": post.avg_watch_seconds, "total_comment": t["comments"], "total_like": t["likes"],
            "total_play": t["views"], "total_share": t["shares"]}


def _item_base(request: Request, account: world.SimAccount) -> Reply:
    yesterday = request.state.yesterday()
    item_id = request.query.get("item_id", "")
    post = next((p for p in account.posts_until(yesterday) if p.external_id == item_id), None)
    if post is None:
        return error("bad_request", request, f"unknown item_id {item_id!r}")
    if (yesterday - post.day).days >= 30:
        return error("bad_request", request, "only videos published in the last 30 days")
    return _ok(request, {"result": stringify(_post_base(post, yesterday), request.rng(item_id), share=0.3)})


def _video_list(request: Request, account: world.SimAccount) -> Reply:
    cursor = int_param(request.query, "cursor", 0, 0, 10**9)
    count = int_param(request.query, "count", 10, 1, 20)
    yesterday = request.state.yesterday()
    posts = list(reversed(account.posts_until(yesterday)))
    page = posts[cursor:cursor + count]
    videos = []
    for post in page:
        t = post.totals(yesterday)
        videos.append({
            "item_id": post.external_id, "title": post.title, "create_time": int(post.published_at.timestamp()),
            "share_url": f"https://www.iesdouyin.com/share/video/{post.external_id}/", "is_top": False,
            "statistics": {"play_count": t["views"], "digg_count": t["likes"], "comment_count": t["comments"],
                           "share_count": t["shares"], "download_count": 0, "forward_count": 0},
        })
    return _ok(request, {"list": videos, "cursor": cursor + len(page), "has_more": cursor + len(page) < len(posts)})


def _item_comments(request: Request, account: world.SimAccount) -> Reply:
    """/item/comment/list/: a video's top-level comments, newest first, paged by cursor (comments app)."""
    yesterday = request.state.yesterday()
    item_id = request.query.get("item_id", "")
    post = next((p for p in account.posts_until(yesterday) if p.external_id == item_id), None)
    if post is None:
        return error("bad_request", request, f"unknown item_id {item_id!r}")
    cursor = int_param(request.query, "cursor", 0, 0, 10**9)
    count = int_param(request.query, "count", 10, 1, 50)
    top_level = [c for c in reversed(comments.comments_for(request.state.seed, NAME, post, yesterday)) if not c.reply_to]
    page = top_level[cursor:cursor + count]
    rows = [stringify({
        "comment_id": c.comment_id, "comment_user_id": c.user_id, "content": c.text,
        "create_time": int(c.created_at.timestamp()), "digg_count": c.likes, "reply_comment_total": 0, "top": False,
    }, request.rng("comment", c.comment_id), share=0.3) for c in page]
    return _ok(request, {"list": rows, "cursor": cursor + len(page), "has_more": cursor + len(page) < len(top_level)})
