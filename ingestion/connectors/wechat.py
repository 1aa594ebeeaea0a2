"""WeChat Official Account (公众号): the datacube statistics API (PLATFORMS.md, "WeChat")."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from accounts.calendar import local_midnight, local_today
from accounts.fields import decrypt_json, encrypt_json
from accounts.models import Platform
from ingestion.records import AccountDay, Batch, FollowerSourceDay, PostDay, PostInfo

from .base import AuthError, PlatformDataError, RefreshingConnector, register
from .dates import spans
from .http import ErrorCodes, PlatformClient, Reader

ERRORS = ErrorCodes(
    code_field="errcode", text_fields=("errmsg",),
    busy=frozenset({-1}),
    rate_limited=frozenset({45009}),  # daily API quota reached
    token_expired=frozenset({40001, 40014, 42001}),  # invalid, malformed, expired access token
    auth=frozenset({40013, 40125, 40164}),  # invalid appid, invalid secret, IP not whitelisted
    texts={-1: "system busy", 45009: "daily API quota reached", 61501: "date range error (window too long)"},
    notes={
        40013: "invalid appid: check the account's appid",
        40125: "invalid secret: update the account's secret (it changes when reset in the 公众平台)",
        40164: "this server's IP is not whitelisted: add it under 公众平台 → 基本配置 → IP白名单",
    },
)

# getbizsummary / getarticletotaldetail `detail` fields → raw metrics (KPIS.md).
DETAIL_FIELDS = {
    "read_user": "views", "share_user": "shares", "zaikan_user": "recommends",
    "like_user": "likes", "comment_count": "comments", "collection_user": "saves",
}
PUBLISHED_PAGE_SIZE = 20  # freepublish/batchget allows 1..20
COMMENT_PAGE_SIZE = 49  # comment/list refuses a count of 50 or more
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Published:
    """What the publishing API says about an article (datacube has no title, URL or publish time)."""

    title: str
    url: str
    published_at: dt.datetime | None


def article_key(url: str) -> str:
    """The datacube msgid ("<mid>_<idx>") of an article URL (`…/s?__biz=…&mid=2247483650&idx=1&sn=…`)."""
    query = parse_qs(urlsplit(url).query)
    mid, idx = query.get("mid", [""])[0], query.get("idx", [""])[0]
    return f"{mid}_{idx}" if mid and idx else ""


def _delayed(payload: dict) -> bool:
    """`is_delay: true`: WeChat has not finished the day's statistics; the numbers will still change."""
    return str(payload.get("is_delay")).lower() in ("true", "1")


def _seconds(minutes: float | None) -> float | None:
    """`read_avg_activetime` is the average reading time in minutes; the product stores seconds."""
    return None if minutes is None else round(minutes * 60, 2)


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
        articles: list[tuple[Reader, dict, bool]] = []
        sources: list[FollowerSourceDay] = []
        for begin, stop in spans(start, end, 7):
            self._user_summary(begin, stop, days, sources)
            self._user_cumulate(begin, stop, days)
        for day, _ in spans(start, end, 1):
            self._biz_summary(day, days)
            articles += self._article_rows(day)
        batch = Batch(account_days=[AccountDay(date=d, **metrics) for d, metrics in sorted(days.items())
                                    if start <= d <= end],
                      follower_sources=[s for s in sources if start <= s.date <= end])
        self._articles(articles, end, batch)
        return batch

    # --- datacube series -------------------------------------------------------------------

    def _user_summary(self, begin: dt.date, end: dt.date, days: dict, sources: list[FollowerSourceDay]) -> None:
        """One row per (day, user_source): the day's follows and unfollows are the sums over sources;
        the split is kept too (sources 200/201 are WeChat Channels)."""
        reader, payload = self._datacube("getusersummary", begin, end)
        for row in reader.rows(payload, "list"):
            day = reader.date(row, "ref_date")
            gained, lost = reader.int(row, "new_user"), reader.int(row, "cancel_user")
            for metric, value in (("followers_gained", gained), ("followers_lost", lost)):
                if value is not None:
                    days[day][metric] = days[day].get(metric, 0) + value
            source = reader.int(row, "user_source")
            if source is not None:
                sources.append(FollowerSourceDay(date=day, source=source, followers_gained=gained, followers_lost=lost))

    def _user_cumulate(self, begin: dt.date, end: dt.date, days: dict) -> None:
        reader, payload = self._datacube("getusercumulate", begin, end)
        for row in reader.rows(payload, "list"):
            days[reader.date(row, "ref_date")]["followers"] = reader.int(row, "cumulate_user")

    def _biz_summary(self, day: dt.date, days: dict) -> None:
        reader, payload = self._datacube("getbizsummary", day, day)
        for row in reader.rows(payload, "list"):
            detail = reader.dict(row, "detail")
            values = {metric: reader.int(detail, field) for field, metric in DETAIL_FIELDS.items()}
            # Articles sent that day; documented beside the detail counters (read from either place).
            sent = reader.int(detail, "send_page_count")
            values["posts_published"] = sent if sent is not None else reader.int(row, "send_page_count")
            days[reader.date(row, "ref_date")].update(values, provisional=_delayed(payload))

    def _article_rows(self, publish_day: dt.date) -> list[tuple[Reader, dict, bool]]:
        reader, payload = self._datacube("getarticletotaldetail", publish_day, publish_day)
        return [(reader, row, _delayed(payload)) for row in reader.rows(payload, "list")]

    def _articles(self, rows: list[tuple[Reader, dict, bool]], end: dt.date, batch: Batch) -> None:
        """Articles with their cumulative counters per stat_date up to `end`; titles, URLs and publish
        times from the publishing API (getarticletotaldetail carries none of them reliably)."""
        if not rows:
            return
        published = self._published(oldest=min(r[0].date(r[1], "ref_date") for r in rows))
        for reader, row, delayed in rows:
            msgid = reader.str(row, "msgid", required=True)
            known = published.get(msgid)
            post = PostInfo(
                external_id=msgid, kind="article",
                title=known.title if known and known.title else reader.str(row, "title"),
                url=known.url if known else "",
                published_at=(known.published_at if known and known.published_at
                              else local_midnight(self.account, reader.date(row, "ref_date"))),
                # freepublish gives the publish moment; the article summary alone gives the day only
                published_time_known=bool(known and known.published_at),
            )
            batch.posts.append(post)
            for detail in reader.rows(row, "detail_list"):
                post_day = PostDay(
                    post=post, date=reader.date(detail, "stat_date"),
                    completion_rate=reader.float(detail, "read_finish_rate"),
                    avg_watch_seconds=_seconds(reader.float(detail, "read_avg_activetime")),
                    provisional=delayed,
                    **{metric: reader.int(detail, field) for field, metric in DETAIL_FIELDS.items()},
                )
                if post_day.date <= end:
                    batch.post_days.append(post_day)

    def _published(self, *, oldest: dt.date) -> dict[str, Published]:
        """freepublish/batchget, newest first, until the articles published before `oldest`."""
        endpoint = "/cgi-bin/freepublish/batchget"
        reader = Reader("wechat", endpoint)
        cutoff = local_midnight(self.account, oldest).timestamp()
        found: dict[str, Published] = {}
        offset = 0
        while True:
            try:
                payload = self._request("POST", endpoint, json={
                    "offset": offset, "count": PUBLISHED_PAGE_SIZE, "no_content": 1,
                })
            except PlatformDataError as exc:
                # Without the publishing API (not granted: 48001) the statistics still count.
                logger.warning("account %s: no titles from the publishing API: %s", self.account.pk, exc)
                return found
            items = reader.rows(payload, "item")
            oldest_seen = None
            for item in items:
                content = reader.dict(item, "content")
                created = reader.timestamp(content, "create_time") or reader.timestamp(item, "update_time")
                oldest_seen = created if oldest_seen is None or (created and created < oldest_seen) else oldest_seen
                for news in reader.rows(content, "news_item"):
                    url = reader.str(news, "url")
                    if key := article_key(url):
                        found[key] = Published(title=reader.str(news, "title"), url=url, published_at=created)
            offset += len(items)
            total = reader.int(payload, "total_count")
            if (not items or (total is not None and offset >= total)
                    or (oldest_seen is not None and oldest_seen.timestamp() < cutoff)):
                return found

    def _datacube(self, name: str, begin: dt.date, end: dt.date) -> tuple[Reader, dict]:
        endpoint = f"/datacube/{name}"
        payload = self._request("POST", endpoint, json={"begin_date": begin.isoformat(), "end_date": end.isoformat()})
        return Reader("wechat", endpoint), payload

    def _send(self, method: str, endpoint: str, **kwargs) -> dict:
        if self.token is None:
            self.token = self._access_token(force_refresh=False)
        return self.client.request(method, endpoint, params={"access_token": self.token}, **kwargs)

    # --- token -----------------------------------------------------------------------------

    def _renew_token(self) -> None:
        self.token = self._access_token(force_refresh=True)

    def _access_token(self, *, force_refresh: bool) -> str:
        """The stable token, cached for this account's workers (WeChat limits token calls)."""
        if not self.appid or not self.secret:
            raise AuthError("wechat: the account's credentials lack appid or secret")
        if not force_refresh and (token := self.cached_token()):
            return token
        endpoint = "/cgi-bin/stable_token"
        payload = self.client.request("POST", endpoint, json={
            "grant_type": "client_credential", "appid": self.appid, "secret": self.secret,
            "force_refresh": force_refresh,
        })
        reader = Reader("wechat", endpoint)
        token = reader.str(payload, "access_token", required=True)
        expires_in = reader.int(payload, "expires_in") or 7200
        self.cache_token(token, timeout=max(expires_in - 300, 60))
        return token

    def token_cache_key(self) -> str:
        # Bound to the account and to the secret that obtained the token: another organisation's
        # account with the same appid and a guessed secret, or this one after its secret changed,
        # must ask WeChat (which checks the secret) instead of reading the cache.
        proof = hmac.new(settings.SECRET_KEY.encode(), f"{self.appid}\0{self.secret}".encode(), hashlib.sha256)
        return f"wechat:access_token:account-{self.account.pk}:{proof.hexdigest()[:32]}"

    def cached_token(self) -> str | None:
        stored = cache.get(self.token_cache_key())
        try:
            return decrypt_json(stored) if stored else None
        except ImproperlyConfigured:  # encrypted with a key since retired
            return None

    def cache_token(self, token: str, *, timeout: float) -> None:
        # Encrypted with the credentials' key: whoever reads Redis does not get a usable token.
        cache.set(self.token_cache_key(), encrypt_json(token), timeout=timeout)

    # --- comments (the comments app reads them; article comments, cgi-bin/comment/list) ---------

    def comments(self, msgids: list[str], *, limit: int) -> list:
        """Comments of these articles (datacube msgid "<msg_data_id>_<idx>", idx from 1), at most `limit` in all.

        comment/list numbers an article's comments on their own, so the stored id is "<msgid>:<user_comment_id>";
        it sends openids, not names: authors stay empty.
        """
        from comments.records import CommentRecord  # the comments app owns its record type

        endpoint = "/cgi-bin/comment/list"
        reader = Reader("wechat", endpoint)
        found: list[CommentRecord] = []
        for msgid in msgids:
            msg_data_id, _, idx = msgid.partition("_")
            if not (msg_data_id.isdigit() and idx.isdigit()):
                continue  # not an article published through the account (no comment area to read)
            begin = 0
            while len(found) < limit:
                payload = self._request("POST", endpoint, json={
                    "msg_data_id": int(msg_data_id), "index": int(idx) - 1, "begin": begin,
                    "count": COMMENT_PAGE_SIZE, "type": 0,
                })
                rows = reader.rows(payload, "comment")
                found += [CommentRecord(
                    external_id=f"{msgid}:{reader.str(row, 'user_comment_id', required=True)}", post=msgid,
                    text=reader.str(row, "content"), commented_at=reader.timestamp(row, "create_time"),
                ) for row in rows[:limit - len(found)] if reader.timestamp(row, "create_time") is not None]
                begin += len(rows)
                total = reader.int(payload, "total")
                if not rows or (total is not None and begin >= total):
                    break
        return found
