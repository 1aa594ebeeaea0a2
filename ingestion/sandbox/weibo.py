"""Weibo open platform (free API): user snapshot and own timeline with lifetime counters."""

from __future__ import annotations

import datetime as dt

from . import auth, comments, world
from .protocol import Reply, Request, int_param

NAME = "weibo"
PREFIXES = ("/2/",)
TOKEN_PATHS = ()
API_BASES = {"WEIBO_API_BASE": ""}  # setting → path under the sandbox root
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
ERRORS = {  # (HTTP status, error_code, error); the code arrives as a string as often as not
    "token_expired": (403, "21327", "expired_token"),
    "token_invalid": (403, "21332", "invalid_access_token"),
    "rate_limit": (403, "10023", "User requests out of rate limit!"),
    "busy": (500, "10001", "system error!"),
    "bad_request": (400, "10008", "param error, see doc for more info."),
    "not_found": (404, "10014", "Insufficient app permissions!"),
}


def error(kind: str, request: Request, message: str = "") -> Reply:
    status, code, text = ERRORS[kind]
    code = int(code) if kind in ("bad_request", "not_found") else code
    return Reply({"request": request.path, "error_code": code, "error": f"{text} {message}".strip()}, status=status)


def created_at(moment: dt.datetime) -> str:
    """Weibo's own timestamp format, in English whatever the server locale: `Tue May 31 17:46:55 +0800 2011`."""
    local = moment.astimezone(world.SHANGHAI)
    return f"{WEEKDAYS[local.weekday()]} {MONTHS[local.month - 1]} {local:%d %H:%M:%S} +0800 {local.year}"


def handle(request: Request) -> Reply:
    key = auth.access_key(request.query.get("access_token"))
    if key is None:
        return error("token_invalid", request)
    yesterday = request.state.yesterday()
    if request.path == "/2/users/show.json":
        uid = request.query.get("uid") or key
        account = world.account(request.state.seed, NAME, uid)
        sim = account.day(yesterday)
        return Reply({
            "id": int(uid) if uid.isdigit() else uid, "idstr": uid, "screen_name": f"品牌官微{uid[-4:]}",
            "name": f"品牌官微{uid[-4:]}", "location": "上海", "description": "官方微博",
            "followers_count": sim.followers if sim else 0, "friends_count": 180,
            "statuses_count": len(account.posts_until(yesterday)), "favourites_count": 12,
            "created_at": created_at(dt.datetime.combine(world.EPOCH, dt.time(10, 0), world.SHANGHAI)),
            "verified": True,
        })
    if request.path == "/2/statuses/user_timeline.json":
        count = int_param(request.query, "count", 20, 1, 100)
        page = int_param(request.query, "page", 1, 1, 10**6)
        account = world.account(request.state.seed, NAME, key)
        posts = list(reversed(account.posts_until(yesterday)))
        statuses = []
        for post in posts[(page - 1) * count:page * count]:
            t = post.totals(yesterday)
            statuses.append({
                "created_at": created_at(post.published_at), "id": int(post.external_id), "idstr": post.external_id,
                "mid": post.external_id, "text": post.title, "source": "微博 weibo.com",
                "reposts_count": t["shares"], "comments_count": t["comments"], "attitudes_count": t["likes"],
            })
        return Reply({"statuses": statuses, "total_number": len(posts), "previous_cursor": 0, "next_cursor": 0})
    if request.path == "/2/comments/show.json":
        return _comments_show(request, world.account(request.state.seed, NAME, key), yesterday)
    return error("not_found", request, request.path)


def _comments_show(request: Request, account: world.SimAccount, yesterday: dt.date) -> Reply:
    """/2/comments/show.json: a status's comments, newest first, paged (comments app)."""
    status_id = request.query.get("id", "")
    post = next((p for p in account.posts_until(yesterday) if p.external_id == status_id), None)
    if post is None:
        return error("bad_request", request, f"unknown id {status_id!r}")
    count = int_param(request.query, "count", 50, 1, 200)
    page = int_param(request.query, "page", 1, 1, 10**6)
    found = list(reversed(comments.comments_for(request.state.seed, NAME, post, yesterday)))
    rows = []
    for c in found[(page - 1) * count:page * count]:
        row = {"created_at": created_at(c.created_at), "id": int(c.comment_id), "idstr": c.comment_id,
               "mid": c.comment_id, "text": c.text, "source": "微博 weibo.com",
               "user": {"id": int(c.user_id[1:]), "idstr": c.user_id[1:], "screen_name": c.author}}
        if c.reply_to:
            row["reply_comment"] = {"id": int(c.reply_to), "idstr": c.reply_to}
        rows.append(row)
    return Reply({"comments": rows, "total_number": len(found), "previous_cursor": 0, "next_cursor": 0})
