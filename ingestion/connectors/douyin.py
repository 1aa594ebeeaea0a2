"""Douyin (抖音开放平台): the user data series and per-video base data (PLATFORMS.md, "Douyin")."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict

from django.conf import settings

from accounts.models import Platform
from accounts.services import account_credentials_update
from ingestion.records import AccountDay, Batch, PostDay, PostInfo

from .base import AuthError, Connector, PlatformDataError, QuotaExceeded, TokenExpired, TransientError, register
from .dates import local_midnight, local_today, snapshot_day
from .http import PlatformClient, Reader, error_code

TOKEN_REJECTED = {28001003, 28001008}  # access token invalid / expired
BUSY = {28001005, 28001006}
QUOTA_USED_UP = 28003017
API_OFFLINE = 28001056
REFRESH_TOKEN_EXPIRED = 10010
REFRESH_MARGIN_SECONDS = 24 * 3600  # refresh a day before the 15-day access token runs out
DATE_TYPES = (7, 15, 30)  # the fixed windows the API offers, counted back from yesterday
VIDEO_PAGE_SIZE = 20

# data/external/user/<series>/ fields → raw metrics (KPIS.md).
SERIES = {
    "item": {"new_issue": "posts_published", "new_play": "views"},
    "fans": {"new_fans": "followers_gained", "total_fans": "followers"},
    "like": {"new_like": "likes"},
    "comment": {"new_comment": "comments"},
    "share": {"new_share": "shares"},
    "profile": {"profile_uv": "profile_visits"},
}


def _check(payload: dict, where: str) -> None:
    """Errors come in `data.error_code` or `extra.error_code`, as numbers or text."""
    for part in ("data", "extra"):
        section = payload.get(part)
        if not isinstance(section, dict):
            continue
        code = error_code(section.get("error_code"), where)
        if code == 0:
            continue
        detail = section.get("description") or section.get("sub_description") or ""
        message = f"{where}: error_code {code} {detail}".rstrip()
        if code in BUSY:
            raise TransientError(message)
        if code == QUOTA_USED_UP:
            raise QuotaExceeded(message)
        if code in TOKEN_REJECTED:
            raise TokenExpired(message)
        if code == REFRESH_TOKEN_EXPIRED:
            raise AuthError(f"{message} (refresh token expired: re-authorise the account)")
        if code == API_OFFLINE:
            raise PlatformDataError(f"{message} (API offline)")
        raise PlatformDataError(message)


def _check_refresh(payload: dict, where: str) -> None:
    try:
        _check(payload, where)
    except (TokenExpired, PlatformDataError) as exc:  # a refresh that is refused cannot be fixed by retrying
        raise AuthError(f"{exc} (token refresh refused: re-authorise the account)") from None


def date_type_for(start: dt.date, yesterday: dt.date) -> int:
    """The smallest fixed window reaching back to `start`; the longest when none does."""
    needed = (yesterday - start).days + 1
    return next((n for n in DATE_TYPES if n >= needed), DATE_TYPES[-1])


@register
class DouyinConnector(Connector):
    platform = Platform.DOUYIN

    def __init__(self, account):
        super().__init__(account)
        self.client = PlatformClient("douyin", settings.DOUYIN_API_BASE, _check)
        self.refreshed = False

    @property
    def open_id(self) -> str:
        return self.account.credentials.get("open_id", "")

    def fetch(self, start: dt.date, end: dt.date) -> Batch:
        if not self.account.credentials.get("access_token") or not self.open_id:
            raise AuthError("douyin: the account's credentials lack access_token or open_id")
        if self._expiring():
            self._refresh()
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
            payload = self._get(endpoint, {"open_id": self.open_id, "date_type": date_type})
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
            payload = self._get(endpoint, {"open_id": self.open_id, "item_id": video.external_id})
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
            payload = self._get(endpoint, {"open_id": self.open_id, "cursor": cursor, "count": VIDEO_PAGE_SIZE})
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

    def _get(self, endpoint: str, params: dict) -> dict:
        try:
            return self._send(endpoint, params)
        except TokenExpired:
            if self.refreshed:
                raise
            self._refresh()
            return self._send(endpoint, params)

    def _send(self, endpoint: str, params: dict) -> dict:
        headers = {"access-token": self.account.credentials["access_token"]}
        return self.client.request("GET", endpoint, params=params, headers=headers)

    def _expiring(self) -> bool:
        expires_at = self.account.credentials.get("access_token_expires_at")
        return expires_at is not None and time.time() >= float(expires_at) - REFRESH_MARGIN_SECONDS

    def _refresh(self) -> None:
        credentials = self.account.credentials
        if not credentials.get("refresh_token") or not credentials.get("client_key"):
            raise AuthError("douyin: the access token expired and the credentials lack refresh_token or client_key")
        endpoint = "/oauth/refresh_token/"
        payload = self.client.request("POST", endpoint, check=_check_refresh, data={
            "client_key": credentials["client_key"], "grant_type": "refresh_token",
            "refresh_token": credentials["refresh_token"],
        })
        reader = Reader("douyin", endpoint)
        data = reader.dict(payload, "data")
        expires_in = reader.int(data, "expires_in") or 1296000
        account_credentials_update(account=self.account, credentials={
            "access_token": reader.str(data, "access_token", required=True),
            "refresh_token": reader.str(data, "refresh_token") or credentials["refresh_token"],
            "access_token_expires_at": int(time.time()) + expires_in,
        })
        self.refreshed = True
