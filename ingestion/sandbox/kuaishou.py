"""Kuaishou open platform: the refresh endpoint, user_info and the photo list (shapes as documented).

Access and refresh tokens name their account (`auth.py`); `app_id` must be the app the
token was issued to. A refresh token lasts 180 days from the account's first token and
refreshing does not extend it: `refresh_token_expires_in` counts down what is left.
"""

from __future__ import annotations

import time

from . import auth, world
from .protocol import Reply, Request, int_param, stringify

NAME = "kuaishou"
PREFIXES = ("/openapi/", "/oauth2/")
TOKEN_PATHS = ("/oauth2/access_token", "/oauth2/refresh_token")
API_BASES = {"KUAISHOU_API_BASE": ""}  # setting → path under the sandbox root
ACCESS_SECONDS = 48 * 3600
REFRESH_SECONDS = 180 * 86400
ERRORS = {
    "token_expired": (100200108, "access_token过期"),
    "token_invalid": (100200102, "请求被拒绝,可能是无效的 token 等"),
    "rate_limit": (400002, "api限速"),
    "busy": (100200500, "服务内部错误"),
    "bad_request": (100200100, "请求缺少参数或参数类型错误"),
    "bad_client": (100200101, "无效的client,无效的 app 或 developer"),
    "refresh_expired": (100200113, "refresh_token过期"),
    "not_found": (120001, "视频不存在"),
}


def error(kind: str, request: Request, message: str = "") -> Reply:
    code, text = ERRORS[kind]
    return Reply({"result": code, "error": kind, "error_msg": f"{text}: {message}" if message else text})


def handle(request: Request) -> Reply:
    params = request.params()
    if request.path == "/oauth2/refresh_token":
        return _refresh(request, params)
    key = auth.access_key(params.get("access_token"))
    if key is None:
        return error("token_invalid", request)
    if not params.get("app_id"):
        return error("bad_request", request, "app_id")
    account = world.account(request.state.seed, NAME, key)
    yesterday = request.state.yesterday()
    if request.path == "/openapi/user_info":
        sim = account.day(yesterday)
        user = {
            "name": f"快手用户{key[-4:]}",
            "sex": "F",
            "fan": sim.followers if sim else 0,
            "follow": 80 + len(key),
            "head": "",
            "bigHead": "",
            "city": "上海",
        }
        return Reply({"result": 1, "user_info": stringify(user, request.rng("user", yesterday), share=0.3)})
    if request.path == "/openapi/photo/list":
        return _photo_list(request, params, account)
    return error("not_found", request, request.path)


def _refresh(request: Request, params: dict) -> Reply:
    app_id = params.get("app_id", "")
    if not app_id or params.get("app_secret") != auth.app_secret(app_id):
        return error("bad_client", request)
    parts = auth.refresh_parts(params.get("refresh_token"))
    if params.get("grant_type") != "refresh_token" or parts is None:
        return error("bad_request", request, "refresh_token / grant_type")
    key, now = parts[0], time.time()
    with request.state.lock:
        reused = params["refresh_token"] in request.state.used_refresh_tokens
        request.state.used_refresh_tokens.add(params["refresh_token"])
        authorized = request.state.authorized_at.setdefault((NAME, key), now)
    remaining = int(authorized + REFRESH_SECONDS - now)
    if reused or remaining <= 0:
        return error("refresh_expired", request)
    generation = request.state.issue_token(NAME, key, rotate=True)
    return Reply(
        {
            "result": 1,
            "access_token": auth.access_token(key, generation),
            "expires_in": ACCESS_SECONDS,
            "refresh_token": auth.refresh_token(key, generation),
            "refresh_token_expires_in": remaining,
            "open_id": key,
            "scopes": ["user_info", "user_video_info"],
        }
    )


def _photo_list(request: Request, params: dict, account: world.SimAccount) -> Reply:
    count = int_param(params, "count", 20, 1, 200)
    yesterday = request.state.yesterday()
    posts = list(reversed(account.posts_until(yesterday)))
    cursor = params.get("cursor", "")
    if cursor:
        position = next((i for i, p in enumerate(posts) if p.external_id == cursor), None)
        if position is None:
            return error("bad_request", request, f"cursor {cursor!r} is not a photo_id of this account")
        posts = posts[position + 1 :]
    videos = []
    for post in posts[:count]:
        t = post.totals(yesterday)
        videos.append(
            {
                "photo_id": post.external_id,
                "caption": post.title,
                "cover": f"https://p1.a.yximgs.com/{post.external_id}.jpg",
                "play_url": f"https://www.kuaishou.com/short-video/{post.external_id}",
                "create_time": int(post.published_at.timestamp() * 1000),
                "like_count": t["likes"],
                "comment_count": t["comments"],
                "view_count": t["views"],
                "pending": False,
            }
        )
    return Reply({"result": 1, "video_list": stringify(videos, request.rng("photos", cursor, yesterday), share=0.2)})
