"""Weibo open platform: follower snapshot, own timeline, interactions from counter deltas (PLATFORMS.md, "Weibo")."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from accounts.models import Platform
from ingestion.records import Batch, PostDay, PostInfo

from .base import AuthError, Connector, register
from .dates import snapshot_day
from .http import ErrorCodes, PlatformClient, Reader
from .increases import snapshot_batch

RATE_LIMITED = frozenset({10022, 10023, 10024})  # per-IP, per-user, per-user-per-endpoint request limits
TOKEN_INVALID = frozenset({21314, 21315, 21316, 21317, 21327, 21332})  # used, expired, revoked, rejected, invalid
ERRORS = ErrorCodes(
    code_field="error_code", text_fields=("error",),
    busy=frozenset({10001, 10009}),  # system error, task queue full
    rate_limited=RATE_LIMITED,
    auth=TOKEN_INVALID,  # Weibo tokens cannot be refreshed
    notes={**dict.fromkeys(RATE_LIMITED, "rate limit"), **dict.fromkeys(TOKEN_INVALID, "re-authorise the account")},
)
PAGE_SIZE = 100
COMMENT_PAGE_SIZE = 200  # comments/show allows up to 200 a page
CREATED_AT = "%a %b %d %H:%M:%S %z %Y"  # "Tue May 31 17:46:55 +0800 2011"
# Lifetime counters of a status → post metrics (and, as day-over-day increases, account metrics).
COUNTERS = {"attitudes_count": "likes", "comments_count": "comments", "reposts_count": "shares"}


@register
class WeiboConnector(Connector):
    platform = Platform.WEIBO

    def __init__(self, account):
        super().__init__(account)
        self.client = PlatformClient("weibo", settings.WEIBO_API_BASE, ERRORS.check)

    def fetch(self, start: dt.date, end: dt.date) -> Batch:
        """The free API has snapshots only, so a window without the snapshot day gets nothing."""
        day = snapshot_day(self.account, start, end)
        if day is None:
            return Batch()
        uid, token = self.account.credentials.get("uid"), self.account.credentials.get("access_token")
        if not uid or not token:
            raise AuthError("weibo: the account's credentials lack uid or access_token")
        endpoint = "/2/users/show.json"
        user = self.client.request("GET", endpoint, params={"uid": uid, "access_token": token})
        followers = Reader("weibo", endpoint).int(user, "followers_count")
        post_days = self._timeline(uid, token, day)
        return snapshot_batch(
            account=self.account, day=day, followers=followers, post_days=post_days, metrics=tuple(COUNTERS.values())
        )

    def _timeline(self, uid: str, token: str, day: dt.date) -> list[PostDay]:
        endpoint = "/2/statuses/user_timeline.json"
        reader = Reader("weibo", endpoint)
        post_days, page = [], 1
        while True:
            payload = self.client.request(
                "GET", endpoint, params={"uid": uid, "access_token": token, "count": PAGE_SIZE, "page": page}
            )
            statuses = reader.rows(payload, "statuses")
            for status in statuses:
                # `idstr` (the id as text, safe from float rounding) is not always sent: fall back to `id`, then `mid`.
                post_id = reader.str(status, "idstr") or reader.str(status, "id") or reader.str(status, "mid", required=True)
                post = PostInfo(
                    external_id=post_id, kind="status", title=reader.str(status, "text")[:200],
                    url=f"https://weibo.com/{uid}/{post_id}", published_at=self._created_at(reader, status),
                )
                post_days.append(PostDay(
                    post=post, date=day, **{metric: reader.int(status, field) for field, metric in COUNTERS.items()}
                ))
            total = reader.int(payload, "total_number")
            done = len(statuses) < PAGE_SIZE if total is None else len(post_days) >= total
            if not statuses or done:
                return post_days
            page += 1

    @staticmethod
    def _created_at(reader: Reader, status: dict) -> dt.datetime | None:
        text = reader.str(status, "created_at")
        if not text:
            return None
        try:
            return dt.datetime.strptime(text, CREATED_AT)
        except ValueError:
            raise reader.error(f"field 'created_at' is not a Weibo date: {text!r}") from None

    # --- comments (the comments app reads them; comments/show) -----------------------------------

    def comments(self, status_ids: list[str], *, limit: int) -> list:
        """Comments of these statuses, newest first, at most `limit` in all; replies name the comment answered."""
        from comments.records import CommentRecord  # the comments app owns its record type

        token = self.account.credentials.get("access_token")
        if not token:
            raise AuthError("weibo: the account's credentials lack access_token")
        endpoint = "/2/comments/show.json"
        reader = Reader("weibo", endpoint)
        found: list[CommentRecord] = []
        for status_id in status_ids:
            page = 1
            while len(found) < limit:
                params = {"id": status_id, "access_token": token, "count": COMMENT_PAGE_SIZE, "page": page}
                payload = self.client.request("GET", endpoint, params=params)
                rows = reader.rows(payload, "comments")
                for row in rows[:limit - len(found)]:
                    reply = row.get("reply_comment") if isinstance(row.get("reply_comment"), dict) else {}
                    user = row.get("user") if isinstance(row.get("user"), dict) else {}
                    found.append(CommentRecord(
                        external_id=reader.str(row, "idstr") or reader.str(row, "id", required=True), post=status_id,
                        text=reader.str(row, "text"), commented_at=self._created_at(reader, row),
                        author=reader.str(user, "screen_name"),
                        reply_to=reader.str(reply, "idstr") or reader.str(reply, "id"),
                    ))
                total = reader.int(payload, "total_number")
                if len(rows) < COMMENT_PAGE_SIZE or (total is not None and page * COMMENT_PAGE_SIZE >= total):
                    break
                page += 1
        return [c for c in found if c.commented_at is not None]
