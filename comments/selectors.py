"""Reads for comments: lists, topic counts and sentiment KPIs, aggregated in SQL."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek

from accounts.models import Organization

from .kpis import COMMENT_KPIS, sentiment_kpis
from .models import Comment, SentimentLabel

GROUPS = {"post": "post_id", "account": "account_id", "platform": "account__platform"}
GRANULARITIES = ("day", "week", "month", "total")
# What an alert rule may watch (alongside the KPI names of KPIS.md).
COMMENT_METRICS = COMMENT_KPIS


def comments_in(
    *,
    organization: Organization,
    account: int | None = None,
    post: int | None = None,
    platform: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    label: str | None = None,
    topic: str | None = None,
) -> QuerySet[Comment]:
    """The organisation's comments, filtered; newest first."""
    comments = Comment.objects.filter(account__organization=organization)
    filters = {
        "account_id": account,
        "post_id": post,
        "account__platform": platform,
        "date__gte": start,
        "date__lte": end,
        "label": label,
        "topics__contains": [topic] if topic else None,
    }
    comments = comments.filter(**{k: v for k, v in filters.items() if v is not None})
    return comments.select_related("post", "account").order_by("-commented_at", "-pk")


def comment_topics(*, limit: int | None = None, **query) -> list[dict]:
    """[{keyword, count, negative_share}] over the comments `comments_in(**query)` selects, most frequent first.

    negative_share = negative / scored comments of the topic (None while none is scored).
    """
    sql, params = comments_in(**query).order_by().values("label", "topics").query.sql_with_params()
    # Each comment counts once per topic it mentions.
    statement = f"""
        SELECT keyword, count(*) AS count,
               count(*) FILTER (WHERE c.label = %s)::float8 / NULLIF(count(*) FILTER (WHERE c.label <> ''), 0)
        FROM ({sql}) AS c CROSS JOIN LATERAL unnest(c.topics) AS keyword
        GROUP BY keyword ORDER BY count(*) DESC, keyword
        {"LIMIT %s" if limit else ""}
    """
    with connection.cursor() as cursor:
        cursor.execute(statement, [SentimentLabel.NEGATIVE, *params, *([limit] if limit else [])])
        return [{"keyword": k, "count": n, "negative_share": share} for k, n, share in cursor.fetchall()]


def comment_sentiment(*, granularity: str = "total", group_by: str | None = None, **query) -> list[dict]:
    """Sentiment KPIs (comments.kpis) per period and group; rows ordered by period then group."""
    if granularity not in GRANULARITIES:
        raise ValueError(f"granularity must be one of {', '.join(GRANULARITIES)}")
    if group_by is not None and group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {', '.join(GROUPS)}")
    comments = comments_in(**query).order_by()
    period = {"day": F("date"), "week": TruncWeek("date"), "month": TruncMonth("date")}.get(granularity)
    keys = {}
    if period is not None:
        keys["period"] = period
    if group_by:
        keys["group_key"] = F(GROUPS[group_by])  # aliased: "post" would clash with the model's field
    counts = {
        "comments_total": Count("pk"),
        "scored": Count("pk", filter=Q(scored_at__isnull=False)),
        "positive": Count("pk", filter=Q(label=SentimentLabel.POSITIVE)),
        "neutral": Count("pk", filter=Q(label=SentimentLabel.NEUTRAL)),
        "negative": Count("pk", filter=Q(label=SentimentLabel.NEGATIVE)),
    }
    rows = comments.values(**keys).annotate(**counts).order_by(*keys) if keys else [comments.aggregate(**counts)]
    start = query.get("start")
    out = []
    for row in rows:
        kpis = sentiment_kpis(
            comments=row["comments_total"],
            scored=row["scored"],
            positive=row["positive"],
            neutral=row["neutral"],
            negative=row["negative"],
        )
        coverage = kpis.pop("coverage")
        result = {"period": _period_label(row.get("period"), start)}
        if group_by:
            result[group_by] = row["group_key"]
        result.update({"kpis": kpis, "coverage": dict.fromkeys(COMMENT_KPIS, coverage)})
        out.append(result)
    return out


def _period_label(period, start: dt.date | None) -> str | None:
    if period is None:
        return start.isoformat() if start else None
    day = period.date() if isinstance(period, dt.datetime) else period
    return max(day, start).isoformat() if start else day.isoformat()  # a bucket starts inside the window


def comment_metric(*, metric: str, **query) -> float | None:
    """One comment KPI (e.g. negative_share) over `comments_in(**query)`: what an alert rule reads."""
    if metric not in COMMENT_METRICS:
        raise ValueError(f"unknown comment metric {metric!r}; expected one of {', '.join(COMMENT_METRICS)}")
    (row,) = comment_sentiment(**query)
    return row["kpis"][metric]
