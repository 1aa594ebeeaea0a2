"""Bilibili open platform: signed calls, follower snapshot, video lifetime stats (PLATFORMS.md, "Bilibili").

Account daily views, likes, coins, danmaku, … are the day-over-day increases of the videos' lifetime
counters, as for Weibo (`increases.py`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time
import uuid

from django.conf import settings

from accounts.models import Platform
from ingestion.records import Batch, PostDay, PostInfo

from .base import AuthError, RefreshingConnector, register
from .dates import snapshot_day
from .http import ErrorCodes, PlatformClient, Reader
from .increases import snapshot_batch

# The open platform's status codes (开放平台 其他 → 状态码): 127xxx/122xxx, not the web API's -101/-429.
OWNER_ACTIONS = {
    127000: "authentication parameters missing: check client_id and the signature headers",
    127004: "client_id rejected: check the app's client_id",
    127005: "the organisation's verification has not passed: complete it on the Bilibili open platform",
    127006: "the app's verification has not passed: complete it on the Bilibili open platform",
    127007: "the app has no permission for this API: apply for it on the Bilibili open platform",
    127011: "the user did not authorise this API: re-authorise the account with the data scopes",
    127012: "signature rejected: check client_secret",
    122000: "client_id rejected: check the app's client_id",
    122001: "client_secret rejected: check the app's client_secret",
    122007: "refresh token invalid: re-authorise the account",
}
ERRORS = ErrorCodes(
    code_field="code", text_fields=("message",),
    busy=frozenset({127201}),  # 系统繁忙
    rate_limited=frozenset({127009}),  # api请求次数达到上限
    token_expired=frozenset({127001}),  # access_token验证错误: refresh once
    auth=frozenset(OWNER_ACTIONS),
    notes={**OWNER_ACTIONS, 127200: "business error: contact the open platform", 127124: "no such archive"},
)
PAGE_SIZE = 50
# arc/stat lifetime counters → post metrics (and, as day-over-day increases, account metrics).
COUNTERS = {
    "view": "views", "like": "likes", "reply": "comments", "share": "shares", "favorite": "saves",
    "coin": "coins", "danmaku": "danmaku",
}


def signature(headers: dict[str, str], client_secret: str) -> str:
    """Hex HMAC-SHA256 over the `x-bili-*` headers sorted by name, each `name:value`, joined by newlines."""
    signed = sorted((name.lower(), value) for name, value in headers.items() if name.lower().startswith("x-bili-"))
    canonical = "\n".join(f"{name}:{value}" for name, value in signed)
    return hmac.new(client_secret.encode(), canonical.encode(), hashlib.sha256).hexdigest()


def signed_headers(*, client_id: str, client_secret: str, access_token: str, body: bytes = b"") -> dict[str, str]:
    headers = {
        "x-bili-accesskeyid": client_id,
        "x-bili-content-md5": hashlib.md5(body, usedforsecurity=False).hexdigest(),
        "x-bili-signature-method": "HMAC-SHA256",
        "x-bili-signature-nonce": str(uuid.uuid4()),
        "x-bili-signature-version": "2.0",
        "x-bili-timestamp": str(int(time.time())),
    }
    return {
        **headers, "Authorization": signature(headers, client_secret), "access-token": access_token,
        "Accept": "application/json", "Content-Type": "application/json",
    }


@register
class BilibiliConnector(RefreshingConnector):
    platform = Platform.BILIBILI
    refresh_margin_seconds = 3600

    def __init__(self, account):
        super().__init__(account)
        self.client = PlatformClient("bilibili", settings.BILIBILI_API_BASE, ERRORS.check)

    def fetch(self, start: dt.date, end: dt.date) -> Batch:
        """The API reports current totals only, so a window without the snapshot day gets nothing."""
        day = snapshot_day(self.account, start, end)
        if day is None:
            return Batch()
        credentials = self.account.credentials
        if not all(credentials.get(k) for k in ("client_id", "client_secret", "access_token")):
            raise AuthError("bilibili: the account's credentials lack client_id, client_secret or access_token")
        self._refresh_if_expiring()
        endpoint = "/arcopen/fn/data/user/stat"
        reader = Reader("bilibili", endpoint)
        followers = reader.int(reader.dict(self._request("GET", endpoint), "data"), "follower")
        post_days = self._videos(day)
        return snapshot_batch(
            account=self.account, day=day, followers=followers, post_days=post_days, metrics=tuple(COUNTERS.values())
        )

    def _videos(self, day: dt.date) -> list[PostDay]:
        endpoint = "/arcopen/fn/data/arc/stat"
        reader = Reader("bilibili", endpoint)
        post_days = []
        for resource_id, list_title in self._video_ids():
            data = reader.dict(self._request("GET", endpoint, params={"resource_id": resource_id}), "data")
            post = PostInfo(
                external_id=resource_id, kind="video", title=reader.str(data, "title") or list_title,
                url=f"https://www.bilibili.com/video/{resource_id}", published_at=reader.timestamp(data, "ptime"),
            )
            post_days.append(PostDay(
                post=post, date=day, **{metric: reader.int(data, field) for field, metric in COUNTERS.items()}
            ))
        return post_days

    def _video_ids(self) -> list[tuple[str, str]]:
        endpoint = "/arcopen/fn/archive/viewlist"
        reader = Reader("bilibili", endpoint)
        videos, pn = [], 1
        while True:
            data = reader.dict(self._request("GET", endpoint, params={"pn": pn, "ps": PAGE_SIZE, "status": "all"}), "data")
            items = reader.rows(data, "list")
            videos += [(reader.str(item, "resource_id", required=True), reader.str(item, "title")) for item in items]
            page = reader.dict(data, "page")
            # The platform may serve fewer per page than asked: count pages in the size it returns.
            size, total = reader.int(page, "ps") or PAGE_SIZE, reader.int(page, "total")
            done = len(items) < size if total is None else len(videos) >= total
            if not items or done:
                return videos
            pn += 1

    # --- signed calls and tokens -----------------------------------------------------------

    def _send(self, method: str, endpoint: str, **kwargs) -> dict:
        credentials = self.account.credentials
        headers = signed_headers(
            client_id=credentials["client_id"], client_secret=credentials["client_secret"],
            access_token=credentials["access_token"],
        )
        return self.client.request(method, endpoint, headers=headers, **kwargs)

    def _renew_token(self) -> None:
        """Refresh tokens are single-use: the new pair is stored at once."""
        credentials = self.account.credentials
        if not credentials.get("refresh_token"):
            raise AuthError("bilibili: the access token expired and the credentials lack a refresh_token")
        endpoint = "/x/account-oauth2/v1/refresh_token"
        payload = self.client.request(
            "POST", endpoint, base_url=settings.BILIBILI_OAUTH_BASE, check=ERRORS.check_refresh,
            params={
                "client_id": credentials["client_id"], "client_secret": credentials["client_secret"],
                "grant_type": "refresh_token", "refresh_token": credentials["refresh_token"],
            },
        )
        reader = Reader("bilibili", endpoint)
        data = reader.dict(payload, "data")
        self._tokens_store(
            access_token=reader.str(data, "access_token", required=True),
            refresh_token=reader.str(data, "refresh_token", required=True),
            expires_in=reader.int(data, "expires_in") or 30 * 86400,
        )
