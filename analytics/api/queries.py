"""Querysets the API lists: each post with its latest lifetime numbers, computed in SQL."""

import datetime

from django.db.models import BigIntegerField, Case, F, FloatField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, NullIf

from analytics.models import PostDailyMetric

POST_LIST_METRICS = ("impressions", "views", "likes", "comments", "shares", "saves", "completion_rate")
INTERACTION_TERMS = ("likes", "comments", "shares", "saves")


def posts_with_latest_metrics(queryset, *, as_of: datetime.date | None = None):
    """Annotates `as_of` (the snapshot day), the lifetime counters on it, `interactions` and
    `engagement_rate` (KPIS.md: interactions / views, NULL when nothing is reported)."""
    snapshots = PostDailyMetric.objects.filter(post=OuterRef("pk"))
    if as_of is not None:
        snapshots = snapshots.filter(date__lte=as_of)
    snapshots = snapshots.order_by("-date")
    queryset = queryset.annotate(
        as_of=Subquery(snapshots.values("date")[:1]),
        **{name: Subquery(snapshots.values(name)[:1]) for name in POST_LIST_METRICS},
    )
    all_null = Q(**{f"{name}__isnull": True for name in INTERACTION_TERMS})
    total = sum((Coalesce(F(name), Value(0)) for name in INTERACTION_TERMS[1:]), Coalesce(F("likes"), Value(0)))
    interactions = Case(When(all_null, then=Value(None)), default=total, output_field=BigIntegerField())
    queryset = queryset.annotate(interactions=interactions)
    return queryset.annotate(
        engagement_rate=Cast(F("interactions"), FloatField()) / NullIf(Cast(F("views"), FloatField()), Value(0.0))
    )
