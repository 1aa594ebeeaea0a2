"""Numbers as marketers read them: ¥ with thousands separators, rates as percents, "—" for unknown."""

from __future__ import annotations

import math
from decimal import Decimal

from .catalog import METRICS

MISSING = "—"


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _formatter(render):
    """A format that shows an unknown value (None, NaN) as "—", never as 0."""
    return lambda value: MISSING if _is_missing(value) else render(value)


money = _formatter(lambda value: f"¥{Decimal(str(value)).quantize(Decimal('0.01')):,}")
count = _formatter(lambda value: f"{round(float(value)):,}")
rate = _formatter(lambda value: f"{float(value) * 100:,.2f}%")
ratio = _formatter(lambda value: f"{float(value):,.2f}")
change = _formatter(lambda value: f"{float(value) * 100:+,.1f}%")

FORMATTERS = {"money": money, "count": count, "rate": rate, "ratio": ratio, "number": ratio}


def metric_value(name: str, value) -> str:
    metric = METRICS.get(name)
    return FORMATTERS[metric.kind if metric else "number"](value)


def change_tone(name: str, value) -> str:
    """good / bad / flat, so a falling CPA shows green."""
    if _is_missing(value) or abs(float(value)) < 0.0005:
        return "flat"
    metric = METRICS.get(name)
    better = float(value) < 0 if metric and metric.lower_is_better else float(value) > 0
    return "good" if better else "bad"
