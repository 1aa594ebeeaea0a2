"""Comment sentiment KPIs (docs/COMMENTS.md). Pure: counts in, ratios out; no Django."""

from __future__ import annotations

# Names as the KPI API, reports and alert rules use them.
COMMENT_KPIS = ("positive_share", "negative_share", "neutral_share", "nsr")


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def sentiment_kpis(*, comments: int, scored: int, positive: int, neutral: int, negative: int) -> dict:
    """Shares over the scored comments, NSR = (pos − neg) / (pos + neg), coverage = scored / all comments."""
    return {
        "comments": comments,
        "comments_scored": scored,
        "positive": positive,
        "neutral": neutral,
        "negative": negative,
        "positive_share": _ratio(positive, scored),
        "neutral_share": _ratio(neutral, scored),
        "negative_share": _ratio(negative, scored),
        "nsr": _ratio(positive - negative, positive + negative),
        "coverage": _ratio(scored, comments),
    }
