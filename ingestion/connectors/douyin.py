"""Douyin (抖音开放平台): the user data series and per-video base data (PLATFORMS.md, "Douyin")."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings

from accounts.calendar import local_midnight, local_today
from accounts.models import Platform
from ingestion.records import AccountDay, Batch, PostDay, PostInfo

from .base import AuthError, RefreshingConnector, register
from .dates import snapshot_day
from .http import ErrorCodes, PlatformClient, Reader

# Errors come in `data.error_code` or `extra.error_code`, as numbers or text. Codes and meanings are
# the open platform's published 状态码 tables (new and old, "通用状态码"); tests check them against it.
OWNER_ACTIONS = {
    10010: "refresh token expired: re-authorise the account",
    2100007: "no permission for this operation: the account owner must ask Douyin to grant it",
    2100009: "the user is banned from this operation: the account owner must resolve it with Douyin",
    28001012: "the user did not authorise this OpenAPI: re-authorise the account with the data scopes",
    28001014: "the app has not been granted any capability: apply for the data capabilities in the Douyin developer console",
    28001015: "access_token and open_id belong to different users: check the account's open_id or re-authorise",
    28001016: "the app is banned or offline: contact the Douyin open platform",
    28001018: "the app lacks this capability: apply for it in the Douyin developer console, then re-authorise",
    28001019: "the capability is banned or offline: contact the Douyin open platform",
    28001020: "the user is not bound to this test app: bind the user in the developer console",
    28001021: "the test app has expired: promote the app to production in the developer console",
    28001045: "the user deleted the Douyin account: remove or pause it here",
    28001046: "the user is banned: data cannot be read until Douyin lifts it",
    28001047: "the user's account is private: the owner must make it public to share data",
}
ERRORS = ErrorCodes(
    code_field="error_code", text_fields=("description", "sub_description"), sections=("data", "extra"),
    busy=frozenset({28001005, 28001006, 2100004}),
    rate_limited=frozenset({28003017, 28003018, 28001052, 2190001}),  # quota used up, too frequent, risk control
    token_expired=frozenset({28001003, 28001008, 2190002}),  # access_token invalid / expired: refresh once
    auth=frozenset(OWNER_ACTIONS),
    notes={**OWNER_ACTIONS, 28001056: "API offline", 28001017: "unknown URI"},
)
DATE_TYPES = (7, 15, 30)  # the fixed windows the API offers, counted back from yesterday
VIDEO_PAGE_SIZE = 20
COMMENT_PAGE_SIZE = 50

# data/external/user/<series>/ fields → raw metrics (KPIS.md).
SERIES = {
    "item": {"new_issue": "posts_published", "new_play": "views"},
    "fans": {"new_fans": "followers_gained", "total_fans": "followers"},
    "like": {"new_like": "likes"},
    "comment": {"new_comment": "comments"},
    "share": {"new_share": "shares"},
    "profile": {"profile_uv": "profile_visits"},
}


def date_type_for(start: dt.date, yesterday: dt.date) -> int:
    """The smallest fixed window reaching back to `start`; the longest when none does."""
    needed = (yesterday - start).days + 1
    return next((n for n in DATE_TYPES if n >= needed), DATE_TYPES[-1])


@register
class DouyinConnector(RefreshingConnector):
    platform = Platform.DOUYIN
    refresh_margin_seconds = 24 * 3600  # a day before the 15-day access token runs out

    def __init__(self, account):
        super().__init__(account)
        self.client = PlatformClient("douyin", settings.DOUYIN_API_BASE, ERRORS.check)

    @property
    def open_id(self) -> str:
        return self.account.credentials.get("open_id", "")

    def fetch(self, start: dt.date, end: dt.date) -> Batch:
        if not self.account.credentials.get("access_token") or not self.open_id:
            raise AuthError("douyin: the account's credentials lack access_token or open_id")
        self._refresh_if_expiring()
        batch = Batch(account_days=self._daily(start, end))
        day = snapshot_day(self.account, start, end)
        if day is not None:
            batch.post_days = self._videos(day)
        return batch

    # --- account series --------------------------------------------------------------------

    def _daily(self, start: dt.date, end: dt.date) -> list[AccountDay]:
        yesterday = local_today(self.account) - dt.timedelta(days=1)
        oldest = yesterday - dt.timedelta(days=DATE_TYPES[-1] - 1)
        if end < oldest or start > yesterday:
            return []  # outside every window the API offers: nothing to read, not an error
        date_type = date_type_for(start, yesterday)
        days: dict[dt.date, dict] = defaultdict(dict)
        for series, fields in SERIES.items():
            endpoint = f"/data/external/user/{series}/"
            payload = self._request("GET", endpoint, params={"open_id": self.open_id, "date_type": date_type})
            reader = Reader("douyin", endpoint)
            for row in reader.rows(reader.dict(payload, "data"), "result_list"):
                day, values = reader.date(row, "date"), {metric: reader.int(row, field) for field, metric in fields.items()}
                if start <= day <= end:
                    days[day].update(values)
        return [AccountDay(date=d, **metrics) for d, metrics in sorted(days.items())]

    # --- videos ----------------------------------------------------------------------------

    def _videos(self, day: dt.date) -> list[PostDay]:
        """Lifetime totals of the videos of the last 30 days (the only ones item/base answers for)."""
        cutoff = local_midnight(self.account, day - dt.timedelta(days=DATE_TYPES[-1] - 1)).timestamp()
        endpoint = "/data/external/item/base/"
        reader = Reader("douyin", endpoint)
        post_days = []
        for video in self._video_list(cutoff):
            payload = self._request("GET", endpoint, params={"open_id": self.open_id, "item_id": video.external_id})
            result = reader.dict(reader.dict(payload, "data"), "result")
            post_days.append(PostDay(
                post=video, date=day,
                views=reader.int(result, "total_play"), likes=reader.int(result, "total_like"),
                comments=reader.int(result, "total_comment"), shares=reader.int(result, "total_share"),
                avg_watch_seconds=reader.float(result, "avg_play_duration"),
            ))
        return post_days

    def _video_list(self, cutoff: float) -> list[PostInfo]:
        """/video/list/ pages newest first (pinned videos lead); stop once a page ends before the cutoff."""
        endpoint = "/video/list/"
        reader = Reader("douyin", endpoint)
        videos, cursor = [], 0
        while True:
            params = {"open_id": self.open_id, "cursor": cursor, "count": VIDEO_PAGE_SIZE}
            payload = self._request("GET", endpoint, params=params)
            data = reader.dict(payload, "data")
            items = reader.rows(data, "list")
            for item in items:
                published = reader.timestamp(item, "create_time")
                if published is not None and published.timestamp() >= cutoff:
                    videos.append(PostInfo(
                        external_id=reader.str(item, "item_id", required=True), kind="video",
                        title=reader.str(item, "title"), url=reader.str(item, "share_url"), published_at=published,
                    ))
            last = reader.timestamp(items[-1], "create_time") if items else None
            has_more = str(data.get("has_more")).lower() in ("true", "1")
            if not items or not has_more or (last is not None and last.timestamp() < cutoff):
                return videos
            cursor = reader.int(data, "cursor")
            if cursor is None:
                raise reader.error("field 'cursor' is missing although has_more is true")

    # --- tokens ----------------------------------------------------------------------------

    def _send(self, method: str, endpoint: str, **kwargs) -> dict:
        headers = {"access-token": self.account.credentials["access_token"]}
        return self.client.request(method, endpoint, headers=headers, **kwargs)

    def _renew_token(self) -> None:
        credentials = self.account.credentials
        if not credentials.get("refresh_token") or not credentials.get("client_key"):
            raise AuthError("douyin: the access token expired and the credentials lack refresh_token or client_key")
        endpoint = "/oauth/refresh_token/"
        payload = self.client.request("POST", endpoint, check=ERRORS.check_refresh, data={
            "client_key": credentials["client_key"], "grant_type": "refresh_token",
            "refresh_token": credentials["refresh_token"],
        })
        reader = Reader("douyin", endpoint)
        data = reader.dict(payload, "data")
        self._tokens_store(
            access_token=reader.str(data, "access_token", required=True),
            refresh_token=reader.str(data, "refresh_token") or credentials["refresh_token"],
            expires_in=reader.int(data, "expires_in") or 1296000,
        )

    # --- comments (the comments app reads them; PLATFORMS.md "Douyin", item/comment/list) --------

    def comments(self, item_ids: list[str], *, limit: int) -> list:
        """Top-level comments of these videos, newest first, at most `limit` in all.

        /item/comment/list/ sends the commenter's id only (no name): authors stay empty.
        """
        from comments.records import CommentRecord  # the comments app owns its record type

        if not self.account.credentials.get("access_token") or not self.open_id:
            raise AuthError("douyin: the account's credentials lack access_token or open_id")
        self._refresh_if_expiring()
        endpoint = "/item/comment/list/"
        reader = Reader("douyin", endpoint)
        found: list[CommentRecord] = []
        for item_id in item_ids:
            cursor = 0
            while len(found) < limit:
                params = {"open_id": self.open_id, "item_id": item_id, "cursor": cursor, "count": COMMENT_PAGE_SIZE}
                data = reader.dict(self._request("GET", endpoint, params=params), "data")
                rows = reader.rows(data, "list")
                found += [CommentRecord(
                    external_id=reader.str(row, "comment_id", required=True), post=item_id,
                    text=reader.str(row, "content"), commented_at=reader.timestamp(row, "create_time"),
                    likes=reader.int(row, "digg_count"),
                ) for row in rows[:limit - len(found)] if reader.timestamp(row, "create_time") is not None]
                if not rows or str(data.get("has_more")).lower() not in ("true", "1"):
                    break
                cursor = reader.int(data, "cursor")
                if cursor is None:
                    raise reader.error("field 'cursor' is missing although has_more is true")
        return found
