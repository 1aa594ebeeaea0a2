"""Numbers as marketers read them: ¥ with thousands separators, rates as percents, "—" for unknown;
in the Chinese UI large counts and money in 万 / 亿 (the exact value goes in the tooltip)."""

from __future__ import annotations

import math
from decimal import Decimal

from django.utils.translation import get_language

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
_UNITS = ((10**8, "亿"), (10**4, "万"))


def _wan(value: float) -> str | None:
    """1.23万 / 4.5亿 for |value| ≥ 10,000 (two decimals at most, trailing zeros dropped), else None."""
    for size, unit in _UNITS:
        if abs(value) >= size:
            return f"{value / size:,.2f}".rstrip("0").rstrip(".") + unit
    return None


def compact(kind: str, value) -> str:
    """`kind`'s format for reading at a glance: 万 / 亿 for counts and money in the Chinese UI."""
    if kind in ("count", "money") and not _is_missing(value) and (get_language() or "zh").startswith("zh"):
        short = _wan(float(value))
        if short is not None:
            return ("¥" if kind == "money" else "") + short
    return FORMATTERS.get(kind, ratio)(value)


def _kind(name: str) -> str:
    metric = METRICS.get(name)
    return metric.kind if metric else "number"


def metric_value(name: str, value) -> str:
    """A KPI as cards and tables show it (万 / 亿 in Chinese)."""
    return compact(_kind(name), value)


def metric_exact(name: str, value) -> str:
    """A KPI's exact value (tooltips)."""
    return FORMATTERS[_kind(name)](value)


def change_tone(name: str, value) -> str:
    """good / bad / flat, so a falling CPA shows green."""
    if _is_missing(value) or abs(float(value)) < 0.0005:
        return "flat"
    metric = METRICS.get(name)
    better = float(value) < 0 if metric and metric.lower_is_better else float(value) > 0
    return "good" if better else "bad"
