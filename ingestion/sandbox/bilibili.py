"""Bilibili open platform: OAuth (single-use refresh tokens), signed data calls, videos and stats."""

from __future__ import annotations

import hashlib
import hmac
import time

from . import auth, world
from .protocol import Reply, Request, int_param, stringify

NAME = "bilibili"
PREFIXES = ("/arcopen/", "/x/account-oauth2/")
TOKEN_PATHS = ("/x/account-oauth2/v1/token", "/x/account-oauth2/v1/refresh_token")
# setting → path under the sandbox root
API_BASES = {"BILIBILI_API_BASE": "", "BILIBILI_OAUTH_BASE": "", "BILIBILI_AUTHORIZE_BASE": ""}
SIGNED_HEADERS = ("x-bili-accesskeyid", "x-bili-content-md5", "x-bili-signature-method",
                  "x-bili-signature-nonce", "x-bili-signature-version", "x-bili-timestamp")
MAX_CLOCK_SKEW = 600  # seconds
ERRORS = {  # the open platform's 状态码 (127xxx / 122xxx)
    "token_expired": (127001, "access_token验证错误"),
    "token_invalid": (127001, "access_token验证错误"),
    "refresh_invalid": (122007, "refreshToken不合法"),
    "signature": (127012, "鉴权错误"),
    "bad_secret": (122001, "client_secret 错误"),
    "rate_limit": (127009, "api请求次数达到上限"),
    "busy": (127201, "系统繁忙,请稍后再试"),
    "bad_request": (127100, "请求参数错误"),
    "not_found": (127124, "不存在该稿件"),
}


def error(kind: str, request: Request, message: str = "") -> Reply:
    code, text = ERRORS[kind]
    return Reply({"code": code, "message": f"{text}: {message}" if message else text, "ttl": 1})


def _ok(data: dict) -> Reply:
    return Reply({"code": 0, "message": "0", "ttl": 1, "data": data})


def handle(request: Request) -> Reply:
    if request.path in TOKEN_PATHS:
        return _oauth(request)
    problem = signature_problem(request)
    if problem:
        return error("signature", request, problem)
    key = auth.access_key(request.headers.get("access-token"))
    if key is None:
        return error("token_invalid", request)
    account = world.account(request.state.seed, NAME, key)
    yesterday = request.state.yesterday()
    if request.path == "/arcopen/fn/data/user/stat":
        sim = account.day(yesterday)
        data = {"following": 120 + len(key), "follower": sim.followers if sim else 0,
                "arc_passed_total": len(account.posts_until(yesterday))}
        return _ok(stringify(data, request.rng("stat", yesterday), share=0.3))
    if request.path == "/arcopen/fn/archive/viewlist":
        return _viewlist(request, account)
    if request.path == "/arcopen/fn/data/arc/stat":
        resource_id = request.query.get("resource_id", "")
        post = next((p for p in account.posts_until(yesterday) if p.external_id == resource_id), None)
        if post is None:
            return error("not_found", request, f"resource_id {resource_id!r}")
        t = post.totals(yesterday)
        data = {"title": post.title, "ptime": int(post.published_at.timestamp()), "view": t["views"],
                "danmaku": t["danmaku"], "reply": t["comments"], "favorite": t["saves"], "coin": t["coins"],
                "share": t["shares"], "like": t["likes"]}
        return _ok(stringify(data, request.rng(resource_id, yesterday), share=0.3))
    return error("not_found", request, request.path)


def signature_problem(request: Request) -> str:
    """What is wrong with the request's signature ("" when it verifies)."""
    headers = {name: request.headers.get(name) for name in SIGNED_HEADERS}
    missing = [name for name, value in headers.items() if not value]
    if missing:
        return f"missing headers {', '.join(missing)}"
    if headers["x-bili-signature-method"] != "HMAC-SHA256" or headers["x-bili-signature-version"] != "2.0":
        return "signature method must be HMAC-SHA256, version 2.0"
    if headers["x-bili-content-md5"] != hashlib.md5(request.body, usedforsecurity=False).hexdigest():
        return "x-bili-content-md5 does not match the body"
    if not headers["x-bili-timestamp"].isdigit() or abs(time.time() - int(headers["x-bili-timestamp"])) > MAX_CLOCK_SKEW:
        return "x-bili-timestamp is not the current unix time"
    canonical = "\n".join(f"{name}:{headers[name]}" for name in sorted(SIGNED_HEADERS))
    secret = auth.app_secret(headers["x-bili-accesskeyid"])
    expected = hmac.new(secret.encode(), canonical.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers.get("Authorization", "")):
        return "Authorization is not the HMAC-SHA256 of the x-bili-* headers"
    return ""


def _oauth(request: Request) -> Reply:
    params = request.params()
    client_id = params.get("client_id", "")
    if params.get("client_secret") != auth.app_secret(client_id):
        return error("bad_secret", request, "client_id/client_secret")
    if request.path.endswith("/token"):
        code = params.get("code", "")
        if params.get("grant_type") != "authorization_code" or not code.startswith("sbx-code."):
            return error("bad_request", request, "code")
        key, generation = code.removeprefix("sbx-code."), 0
    else:
        token = params.get("refresh_token", "")
        parts = auth.refresh_parts(token)
        with request.state.lock:
            reused = token in request.state.used_refresh_tokens
            request.state.used_refresh_tokens.add(token)
        if params.get("grant_type") != "refresh_token" or parts is None or reused:
            return error("refresh_invalid", request, "refresh_token is invalid or was already used")
        key, generation = parts[0], parts[1] + 1
    return _ok({"access_token": auth.access_token(key, generation), "expires_in": 2592000,
                "refresh_token": auth.refresh_token(key, generation)})


def _viewlist(request: Request, account: world.SimAccount) -> Reply:
    pn = int_param(request.query, "pn", 1, 1, 10**6)
    ps = int_param(request.query, "ps", 20, 1, 50)
    posts = list(reversed(account.posts_until(request.state.yesterday())))
    page = posts[(pn - 1) * ps:pn * ps]
    items = [{"resource_id": p.external_id, "title": p.title, "cover": f"https://i0.hdslb.com/bfs/archive/{p.external_id}.jpg",
              "tid": 17, "ptime": int(p.published_at.timestamp()), "state": 0} for p in page]
    return _ok({"list": items, "page": {"pn": pn, "ps": ps, "total": len(posts)}})
