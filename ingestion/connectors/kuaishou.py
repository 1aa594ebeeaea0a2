"""Kuaishou open platform (快手开放平台): follower snapshot and the videos' lifetime counters.

Shapes from the open platform's documentation (`openapi/user_info`, `openapi/photo/list`,
`oauth2/refresh_token`; docs/PLATFORMS-kuaishou-channels.md). Like Bilibili the API reports
current totals only: `fan` is stored as the day's followers, and the account's daily views,
likes and comments are the day-over-day increases of its videos' lifetime counters.

Tokens: the access token lasts 48 hours and is refreshed ahead of expiry; the refresh token
lasts 180 days from the user's authorisation and refreshing does *not* extend it, so the
account is flagged for re-authorisation `REAUTHORIZE_WARNING_DAYS` before it runs out.
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings

from accounts.calendar import account_zone
from accounts.models import Platform
from accounts.services import account_credentials_update, account_reauthorization_note
from ingestion.records import Batch, PostDay, PostInfo

from .base import AuthError, RefreshingConnector, register
from .dates import snapshot_day
from .http import ErrorCodes, PlatformClient, Reader
from .increases import snapshot_batch

# `result` is 1 on success; the codes are the open platform's published table (错误码).
ERRORS = ErrorCodes(
    code_field="result",
    success_code=1,
    text_fields=("error_msg", "error"),
    busy=frozenset({100200500}),  # 服务内部错误
    rate_limited=frozenset({400002}),  # api限速
    token_expired=frozenset({100200102, 100200108}),  # 请求被拒绝(无效的 token) / access_token过期
    auth=frozenset(
        {
            100200101,  # 无效的 client (app id / secret)
            100200107,  # 无效的 openid
            100200109,  # 用户取消该 app 授权
            100200110,  # 用户授权过期
            100200111,  # 用户未授权过
            100200113,  # refresh_token过期
        }
    ),
    notes={
        100200100: "missing or malformed parameter",
        100200101: "the app was rejected: check app_id and app_secret",
        100200107: "invalid open_id: re-authorise the account",
        100200109: "the user withdrew the authorisation: ask them to authorise the app again",
        100200110: "the authorisation expired: re-authorise the account",
        100200111: "the account never authorised the app: authorise it first",
        100200113: "refresh token expired (180 days, not extended by refreshing): re-authorise the account",
        120001: "video does not exist",
    },
)
PAGE_SIZE = 20
ACCESS_TOKEN_SECONDS = 48 * 3600
REFRESH_TOKEN_SECONDS = 180 * 86400
REAUTHORIZE_WARNING_DAYS = 14
REAUTHORIZE_NOTE = "快手授权将于"
# photo/list lifetime counters → post metrics (and, as day-over-day increases, account metrics).
COUNTERS = {"view_count": "views", "like_count": "likes", "comment_count": "comments"}


@register
class KuaishouConnector(RefreshingConnector):
    platform = Platform.KUAISHOU
    refresh_margin_seconds = 6 * 3600  # well inside the 48-hour access token

    def __init__(self, account):
        super().__init__(account)
        self.client = PlatformClient("kuaishou", settings.KUAISHOU_API_BASE, ERRORS.check)

    def fetch(self, start: dt.date, end: dt.date) -> Batch:
        """The API reports current totals only, so a window without the snapshot day gets nothing."""
        day = snapshot_day(self.account, start, end)
        if day is None:
            return Batch()
        credentials = self.account.credentials
        if not credentials.get("app_id") or not credentials.get("access_token"):
            raise AuthError("kuaishou: the account's credentials lack app_id or access_token")
        self._refresh_if_expiring()
        endpoint = "/openapi/user_info"
        reader = Reader("kuaishou", endpoint)
        followers = reader.int(reader.dict(self._request("GET", endpoint), "user_info"), "fan")
        post_days = self._videos(day)
        self._note_reauthorization_due()
        return snapshot_batch(
            account=self.account, day=day, followers=followers, post_days=post_days, metrics=tuple(COUNTERS.values())
        )

    def _videos(self, day: dt.date) -> list[PostDay]:
        """Every video, newest first, a page at a time: the cursor is the last photo_id of the page before."""
        endpoint = "/openapi/photo/list"
        reader = Reader("kuaishou", endpoint)
        post_days, cursor, seen = [], "", set()
        while True:
            params = {"count": PAGE_SIZE, **({"cursor": cursor} if cursor else {})}
            items = reader.rows(self._request("GET", endpoint, params=params), "video_list")
            for item in items:
                photo_id = reader.str(item, "photo_id", required=True)
                if photo_id in seen:
                    raise reader.error(f"photo {photo_id!r} came again: the cursor does not advance")
                seen.add(photo_id)
                post = PostInfo(
                    external_id=photo_id,
                    kind="video",
                    title=reader.str(item, "caption")[:500],
                    url=f"https://www.kuaishou.com/short-video/{photo_id}",
                    published_at=reader.timestamp(item, "create_time", millis=True),
                )
                post_days.append(
                    PostDay(post=post, date=day, **{metric: reader.int(item, field) for field, metric in COUNTERS.items()})
                )
            if len(items) < PAGE_SIZE:
                return post_days
            cursor = post_days[-1].post.external_id

    # --- tokens ----------------------------------------------------------------------------

    def _send(self, method: str, endpoint: str, **kwargs) -> dict:
        credentials = self.account.credentials
        params = {"app_id": credentials["app_id"], "access_token": credentials["access_token"], **kwargs.pop("params", {})}
        return self.client.request(method, endpoint, params=params, **kwargs)

    def _renew_token(self) -> None:
        credentials = self.account.credentials
        if not credentials.get("refresh_token") or not credentials.get("app_secret"):
            raise AuthError("kuaishou: the access token expired and the credentials lack refresh_token or app_secret")
        endpoint = "/oauth2/refresh_token"
        payload = self.client.request(
            "GET",
            endpoint,
            check=ERRORS.check_refresh,
            params={
                "app_id": credentials["app_id"],
                "app_secret": credentials["app_secret"],
                "refresh_token": credentials["refresh_token"],
                "grant_type": "refresh_token",
            },
        )
        reader = Reader("kuaishou", endpoint)
        self._tokens_store(
            access_token=reader.str(payload, "access_token", required=True),
            refresh_token=reader.str(payload, "refresh_token", required=True),  # the old one is void now
            expires_in=reader.int(payload, "expires_in") or ACCESS_TOKEN_SECONDS,
        )
        # What is left of the original 180 days: refreshing does not extend it.
        remaining = reader.int(payload, "refresh_token_expires_in")
        if remaining is not None:
            account_credentials_update(
                account=self.account,
                credentials={
                    "refresh_token_expires_at": int(time.time()) + remaining,
                },
            )

    def _note_reauthorization_due(self) -> None:
        expires_at = self.account.credentials.get("refresh_token_expires_at")
        # Past it, the next refresh fails (100200113) and the sync flags the account itself.
        if expires_at is None or float(expires_at) - time.time() >= REAUTHORIZE_WARNING_DAYS * 86400:
            account_reauthorization_note(account=self.account, detail="", prefix=REAUTHORIZE_NOTE)
            return
        due = dt.datetime.fromtimestamp(float(expires_at), tz=dt.UTC).astimezone(account_zone(self.account))
        account_reauthorization_note(
            account=self.account,
            prefix=REAUTHORIZE_NOTE,
            detail=f"{REAUTHORIZE_NOTE} {due.date()} 到期（refresh token 180 天，刷新不延期）：请在此之前重新授权",
        )
