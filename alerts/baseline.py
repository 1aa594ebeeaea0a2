"""The alert rule of docs/ALERTS.md, as pure functions: no Django, no database.

A day's value is compared with the median of the same weekday over the previous four weeks.
`drop`/`rise` fire only when the change passes the rule's threshold AND the value is unusual for
this series: its robust z-score (distance to the median in units of 1.4826 × MAD) is at least
MIN_Z. Normal noise of a series therefore stays quiet, however low the threshold is set.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median

BASELINE_WEEKS = 4
MIN_BASELINE_POINTS = 3
MIN_Z = 3.0
MAD_TO_SIGMA = 1.4826  # MAD × this estimates σ for normal noise
# The spread never counts as less than 2 % of the baseline: a flat history (MAD 0) must not make
# a 0.1 % wobble infinitely unusual.
MIN_SPREAD = 0.02

OK, BREACH, NO_DATA, NO_BASELINE = "ok", "breach", "no_data", "no_baseline"


@dataclass(frozen=True)
class Verdict:
    outcome: str
    value: float | None = None
    baseline: float | None = None
    change: float | None = None
    z_score: float | None = None
    detail: str = ""


def baseline_dates(day: date) -> list[date]:
    """The same weekday over the previous BASELINE_WEEKS weeks, most recent first."""
    return [day - timedelta(weeks=k) for k in range(1, BASELINE_WEEKS + 1)]


def missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def robust_baseline(history) -> tuple[float, float] | None:
    """(median, spread) of the reported points, None with fewer than MIN_BASELINE_POINTS."""
    points = [float(p) for p in history if not missing(p)]
    if len(points) < MIN_BASELINE_POINTS:
        return None
    middle = median(points)
    mad = median(abs(p - middle) for p in points)
    return middle, max(MAD_TO_SIGMA * mad, MIN_SPREAD * abs(middle))


def judge(condition: str, threshold: float, value, history) -> Verdict:
    """Whether `value` breaches the rule, given the values of the baseline dates (`history`)."""
    if missing(value):
        return Verdict(NO_DATA, detail="no data reported for the day")
    value = float(value)
    robust = robust_baseline(history)
    middle, spread = robust if robust else (None, None)
    change = (value - middle) / abs(middle) if middle else None
    if condition in ("below", "above"):
        breach = value < threshold if condition == "below" else value > threshold
        return Verdict(BREACH if breach else OK, value, middle, change)
    if robust is None:
        return Verdict(NO_BASELINE, value, detail=f"fewer than {MIN_BASELINE_POINTS} of {BASELINE_WEEKS} baseline days")
    if not middle:
        return Verdict(OK, value, middle, None, None, detail="baseline is 0: no relative change")
    z_score = (value - middle) / spread
    breach = change <= -threshold and z_score <= -MIN_Z if condition == "drop" else change >= threshold and z_score >= MIN_Z
    return Verdict(BREACH if breach else OK, value, middle, change, z_score)


def contributions(children: list[dict], *, weighted: bool, top: int = 5) -> list[dict]:
    """What moved most: each child's `value` − `baseline` (its own median), as it adds to the parent.

    `children` are dicts with `label`, `value`, `baseline` and, for ratio KPIs (`weighted`), `weight`
    (its denominator on the day): a ratio child moves the parent's ratio by (value − baseline) × its
    share of the denominator. Returns the `top` largest movements, largest first, with `effect`.
    """
    usable = [c for c in children if not missing(c.get("baseline"))]
    total_weight = sum(float(c["weight"]) for c in usable if weighted and not missing(c.get("weight")))
    moved = []
    for child in usable:
        value = 0.0 if missing(child.get("value")) else float(child["value"])
        if weighted:
            if missing(child.get("value")) or missing(child.get("weight")) or not total_weight:
                continue
            effect = (value - float(child["baseline"])) * float(child["weight"]) / total_weight
        else:
            effect = value - float(child["baseline"])
        moved.append({**child, "value": None if missing(child.get("value")) else value, "effect": effect})
    moved.sort(key=lambda c: -abs(c["effect"]))
    return [c for c in moved[:top] if c["effect"]]
