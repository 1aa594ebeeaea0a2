"""The credentials the sandbox issues and accepts.

App secrets are derived from the app id, so any client id works once its secret is known
(`app_secret`). Tokens name the account they belong to — `sbx.<account>.<generation>` for
access tokens, `sbxr.<account>.<generation>` for refresh tokens — because Bilibili and the
Weibo timeline identify the account by its token alone.

`authorize` is the platforms' authorisation page, so a reconnect runs end to end: the user
agrees as an account, is sent back with `code=sbx-code.<account>`, and the token endpoints
exchange that code for the account's tokens.
"""

from __future__ import annotations

import hashlib
import html
from urllib.parse import urlencode

ACCESS_PREFIX = "sbx."
REFRESH_PREFIX = "sbxr."


def app_secret(app_id: str) -> str:
    return "sbxsecret-" + hashlib.sha256(f"sandbox-app|{app_id}".encode()).hexdigest()[:24]


def access_token(key: str, generation: int = 0) -> str:
    return f"{ACCESS_PREFIX}{key}.{generation}"


def refresh_token(key: str, generation: int = 0) -> str:
    return f"{REFRESH_PREFIX}{key}.{generation}"


def _parse(token: str | None, prefix: str) -> tuple[str, int] | None:
    if not token or not token.startswith(prefix) or "." not in token[len(prefix):]:
        return None
    key, _, generation = token[len(prefix):].rpartition(".")
    if not key or not generation.isdigit():
        return None
    return key, int(generation)


def access_key(token: str | None) -> str | None:
    """The account an access token belongs to, or None if the sandbox never issued it."""
    parsed = _parse(token, ACCESS_PREFIX)
    return parsed[0] if parsed else None


def refresh_parts(token: str | None) -> tuple[str, int] | None:
    return _parse(token, REFRESH_PREFIX)


def demo_credentials(platform: str, external_id: str) -> dict:
    """Credentials (CONTRACT.md keys) for an account the sandbox simulates under `external_id`."""
    client_id = f"sbx-{platform}-app"
    return {
        "wechat": {"appid": external_id, "secret": app_secret(external_id)},
        "douyin": {"client_key": client_id, "client_secret": app_secret(client_id), "open_id": external_id,
                   "access_token": access_token(external_id), "refresh_token": refresh_token(external_id)},
        "bilibili": {"client_id": client_id, "client_secret": app_secret(client_id),
                     "access_token": access_token(external_id), "refresh_token": refresh_token(external_id)},
        "weibo": {"uid": external_id, "access_token": access_token(external_id)},
        "xiaohongshu": {"advertiser_id": external_id, "access_token": access_token(external_id)},
        "kuaishou": {"app_id": client_id, "app_secret": app_secret(client_id), "open_id": external_id,
                     "access_token": access_token(external_id), "refresh_token": refresh_token(external_id)},
        # The bound Official Account's credentials; the sandbox keys the Channels account by its appid.
        "wechat_channels": {"appid": bound_appid(external_id), "secret": app_secret(bound_appid(external_id))},
    }[platform]


def bound_appid(finder_id: str) -> str:
    """The appid of the Official Account a simulated Channels account is bound to."""
    return "wx" + hashlib.sha256(f"sandbox-finder|{finder_id}".encode()).hexdigest()[:16]
# --- the platforms' authorisation pages (OAuth 2 authorization code) ----------------------------

# path -> (platform, the query parameter naming the app, the one carrying the redirect URI)
AUTHORIZE_PATHS = {
    "/platform/oauth/connect/": ("douyin", "client_key", "redirect_uri"),
    "/pc/account-pc/auth/oauth": ("bilibili", "client_id", "gourl"),
}
CODE_PREFIX = "sbx-code."  # the token endpoints exchange `sbx-code.<account>` for that account's tokens
PAGE = """<!DOCTYPE html><html lang="zh-hans"><head><meta charset="utf-8"><title>{platform} 授权（沙盒）</title></head>
<body><h1>{platform} 开放平台授权（沙盒）</h1><p>应用 <b>{app}</b> 请求访问你的账号数据。</p>
<form method="post"><label>登录的账号 <input name="account" value="" required></label>
<button type="submit" data-authorize>同意授权</button></form></body></html>"""


def authorize(request) -> tuple[int, bytes, dict[str, str]]:
    """The authorisation page: GET shows it, POST (the user agrees as `account`) redirects back with a
    code and the client's `state`. Returns (HTTP status, body, headers)."""
    platform, app_param, redirect_param = AUTHORIZE_PATHS[request.path]
    app, redirect_uri = request.query.get(app_param, ""), request.query.get(redirect_param, "")
    text = {"Content-Type": "text/plain; charset=utf-8"}
    if not app or not redirect_uri.startswith(("http://", "https://")):
        return 400, f"{app_param} and an http(s) {redirect_param} are required".encode(), text
    if request.method != "POST":
        page = PAGE.format(platform=html.escape(platform), app=html.escape(app))
        return 200, page.encode(), {"Content-Type": "text/html; charset=utf-8"}
    account = request.params().get("account", "").strip()
    if not account:
        return 400, b"account is required", text
    query = urlencode({"code": CODE_PREFIX + account, "state": request.query.get("state", "")})
    separator = "&" if "?" in redirect_uri else "?"
    return 302, b"", {**text, "Location": f"{redirect_uri}{separator}{query}"}
