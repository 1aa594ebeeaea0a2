"""Numbers as marketers read them: ¥ with thousands separators, rates as percents, "—" for unknown."""

from __future__ import annotations

import math
from decimal import Decimal

from .catalog import METRICS

MISSING = "—"


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def money(value) -> str:
    if _is_missing(value):
        return MISSING
    return f"¥{Decimal(str(value)).quantize(Decimal('0.01')):,}"


def count(value) -> str:
    if _is_missing(value):
        return MISSING
    return f"{round(float(value)):,}"


def rate(value) -> str:
    if _is_missing(value):
        return MISSING
    return f"{float(value) * 100:,.2f}%"


def ratio(value) -> str:
    if _is_missing(value):
        return MISSING
    return f"{float(value):,.2f}"


FORMATTERS = {"money": money, "count": count, "rate": rate, "ratio": ratio, "number": ratio}


def metric_value(name: str, value) -> str:
    metric = METRICS.get(name)
    return FORMATTERS[metric.kind if metric else "number"](value)


def change(value) -> str:
    if _is_missing(value):
        return MISSING
    return f"{float(value) * 100:+,.1f}%"


def change_tone(name: str, value) -> str:
    """good / bad / flat, so a falling CPA shows green."""
    if _is_missing(value) or abs(float(value)) < 0.0005:
        return "flat"
    metric = METRICS.get(name)
    better = float(value) < 0 if metric and metric.lower_is_better else float(value) > 0
    return "good" if better else "bad"
