"""WeChat Official Account (公众号): the datacube statistics API (PLATFORMS.md, "WeChat")."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.cache import cache

from accounts.models import Platform
from ingestion.records import AccountDay, Batch, PostDay, PostInfo

from .base import AuthError, RefreshingConnector, register
from .dates import local_midnight, local_today, spans
from .http import ErrorCodes, PlatformClient, Reader

ERRORS = ErrorCodes(
    code_field="errcode", text_fields=("errmsg",),
    busy=frozenset({-1}),
    rate_limited=frozenset({45009}),  # daily API quota reached
    token_expired=frozenset({40001, 40014, 42001}),  # invalid, malformed, expired access token
    auth=frozenset({40013, 40125, 40164}),  # invalid appid, invalid secret, IP not whitelisted
    texts={-1: "system busy", 45009: "daily API quota reached", 61501: "date range error (window too long)"},
)

# getbizsummary / getarticletotaldetail `detail` fields → raw metrics (KPIS.md).
DETAIL_FIELDS = {
    "read_user": "views", "share_user": "shares", "zaikan_user": "recommends",
    "like_user": "likes", "comment_count": "comments", "collection_user": "saves",
}


@register
class WeChatConnector(RefreshingConnector):
    platform = Platform.WECHAT

    def __init__(self, account):
        super().__init__(account)
        self.client = PlatformClient("wechat", settings.WECHAT_API_BASE, ERRORS.check)
        self.appid = account.credentials.get("appid", "")
        self.secret = account.credentials.get("secret", "")
        self.token: str | None = None

    def fetch(self, start: dt.date, end: dt.date) -> Batch:
        # Data for a day is final the next morning; the API rejects later end dates.
        end = min(end, local_today(self.account) - dt.timedelta(days=1))
        days: dict[dt.date, dict] = defaultdict(dict)
        batch = Batch()
        for begin, stop in spans(start, end, 7):
            self._user_summary(begin, stop, days)
            self._user_cumulate(begin, stop, days)
        for day, _ in spans(start, end, 1):
            self._biz_summary(day, days)
            self._articles(day, end, batch)
        batch.account_days = [AccountDay(date=d, **metrics) for d, metrics in sorted(days.items()) if start <= d <= end]
        return batch

    # --- datacube series -------------------------------------------------------------------

    def _user_summary(self, begin: dt.date, end: dt.date, days: dict) -> None:
        """One row per (day, user_source): the day's follows and unfollows are the sums over sources."""
        reader, rows = self._datacube("getusersummary", begin, end)
        for row in rows:
            day = reader.date(row, "ref_date")
            for field, metric in (("new_user", "followers_gained"), ("cancel_user", "followers_lost")):
                value = reader.int(row, field)
                if value is not None:
                    days[day][metric] = days[day].get(metric, 0) + value

    def _user_cumulate(self, begin: dt.date, end: dt.date, days: dict) -> None:
        reader, rows = self._datacube("getusercumulate", begin, end)
        for row in rows:
            days[reader.date(row, "ref_date")]["followers"] = reader.int(row, "cumulate_user")

    def _biz_summary(self, day: dt.date, days: dict) -> None:
        reader, rows = self._datacube("getbizsummary", day, day)
        for row in rows:
            detail = reader.dict(row, "detail")
            days[reader.date(row, "ref_date")].update(
                {metric: reader.int(detail, field) for field, metric in DETAIL_FIELDS.items()}
            )

    def _articles(self, publish_day: dt.date, end: dt.date, batch: Batch) -> None:
        """Articles published that day, with their cumulative counters per stat_date up to `end`."""
        reader, rows = self._datacube("getarticletotaldetail", publish_day, publish_day)
        for row in rows:
            post = PostInfo(
                external_id=reader.str(row, "msgid", required=True), kind="article",
                title=reader.str(row, "title"),
                published_at=local_midnight(self.account, reader.date(row, "ref_date")),
                published_time_known=False,  # the article summary gives the day only
            )
            batch.posts.append(post)
            for detail in reader.rows(row, "detail_list"):
                post_day = PostDay(
                    post=post, date=reader.date(detail, "stat_date"),
                    completion_rate=reader.float(detail, "read_finish_rate"),
                    **{metric: reader.int(detail, field) for field, metric in DETAIL_FIELDS.items()},
                )
                if post_day.date <= end:
                    batch.post_days.append(post_day)

    def _datacube(self, name: str, begin: dt.date, end: dt.date) -> tuple[Reader, list[dict]]:
        endpoint = f"/datacube/{name}"
        payload = self._request("POST", endpoint, json={"begin_date": begin.isoformat(), "end_date": end.isoformat()})
        reader = Reader("wechat", endpoint)
        return reader, reader.rows(payload, "list")

    def _send(self, method: str, endpoint: str, **kwargs) -> dict:
        if self.token is None:
            self.token = self._access_token(force_refresh=False)
        return self.client.request(method, endpoint, params={"access_token": self.token}, **kwargs)

    # --- token -----------------------------------------------------------------------------

    def _renew_token(self) -> None:
        self.token = self._access_token(force_refresh=True)

    def _access_token(self, *, force_refresh: bool) -> str:
        """The stable token, cached per appid (every worker shares it; WeChat limits token calls)."""
        if not self.appid or not self.secret:
            raise AuthError("wechat: the account's credentials lack appid or secret")
        key = f"wechat:access_token:{self.appid}"
        if not force_refresh and (token := cache.get(key)):
            return token
        endpoint = "/cgi-bin/stable_token"
        payload = self.client.request("POST", endpoint, json={
            "grant_type": "client_credential", "appid": self.appid, "secret": self.secret,
            "force_refresh": force_refresh,
        })
        reader = Reader("wechat", endpoint)
        token = reader.str(payload, "access_token", required=True)
        expires_in = reader.int(payload, "expires_in") or 7200
        cache.set(key, token, timeout=max(expires_in - 300, 60))
        return token
