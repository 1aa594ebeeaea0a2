"""Blank CSV templates users download, fill in and import (daily_csv, campaign_csv, comments_csv)."""

from __future__ import annotations

import codecs
import csv
import io

TEMPLATES: dict[str, tuple[list[str], list[str]]] = {
    "daily_csv": (
        ["date", "followers", "followers_gained", "followers_lost", "impressions", "views", "likes",
         "comments", "shares", "saves"],
        ["2026-10-01", "12034", "120", "8", "56000", "23000", "1200", "85", "40", "66"],
    ),
    "campaign_csv": (
        ["date", "campaign", "spend", "impressions", "clicks", "engagements", "conversions", "revenue",
         "followers_gained"],
        ["2026-10-01", "国庆大促", "1500.00", "80000", "2400", "3100", "36", "5400.00", "210"],
    ),
    "comments_csv": (
        ["date", "post", "author", "text"],
        ["2026-10-01 20:15", "国庆新品开箱", "小王", "物流很快，质量也不错"],
    ),
}
TEMPLATE_KINDS = tuple(TEMPLATES)


def template_csv(kind: str) -> bytes:
    """The template for `kind` as CSV bytes: UTF-8 with BOM (so Excel shows Chinese), header + one example row."""
    try:
        header, example = TEMPLATES[kind]
    except KeyError:
        raise ValueError(f"no template for {kind!r}; expected one of {', '.join(TEMPLATE_KINDS)}") from None
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([header, example])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def template_filename(kind: str) -> str:
    return f"socialmetrics_{kind}_template.csv"
