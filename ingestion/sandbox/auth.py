"""The credentials the sandbox issues and accepts.

App secrets are derived from the app id, so any client id works once its secret is known
(`app_secret`). Tokens name the account they belong to — `sbx.<account>.<generation>` for
access tokens, `sbxr.<account>.<generation>` for refresh tokens — because Bilibili and the
Weibo timeline identify the account by its token alone.
"""

from __future__ import annotations

import hashlib

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
