"""Budget planning: where the next yuan of paid spend earns most, and what-if (docs/BUDGET.md).

Pure numpy/scipy/pandas, no Django: the input is the paid daily rows of a window (one row per
date, platform and campaign, as `analytics.budget_frames.paid_daily` reads them), the output a
`Plan`. Money is CNY per day throughout.

Each platform (and campaign) gets a response curve, expected daily revenue at daily spend x:

    f(x) = vmax · x / (k + x)        (Michaelis–Menten: the Hill curve with shape 1)

or, where the data cannot carry a curve, f(x) = roas · x (its average ROAS). Both are concave, so
the allocation that maximises Σ f within bounds is the one that equalises marginal ROAS f'(x)
across the platforms not held at a bound (KKT), found by a root search on that marginal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from .errors import QueryError

MIN_FIT_DAYS = 14  # fewer paired days than this and a curve is noise
MIN_SPEND_CV = 0.10  # daily spend must vary by ≥ 10 % (std / mean) to show where returns bend
MIN_R2 = 0.20  # a curve explaining less of the daily revenue than this is not trusted
DEFAULT_LOWER, DEFAULT_UPPER = 0.5, 2.0  # default bounds: 0.5×–2× each platform's current spend
# Half-saturation spend k tried, relative to the series' mean daily spend: from "saturated across all
# the days seen" (k ≪ spend) to "a straight line over them" (k ≫ spend); refined between grid points.
K_GRID = 10.0 ** np.linspace(-1.5, 2.0, 29)
# The study's sensitivity test: acquisition cost ±20 %, conversion rate ±15 %.
SENSITIVITY = (("cpa", 0.20), ("cpa", -0.20), ("cvr", 0.15), ("cvr", -0.15))
BUDGET_CURVE_POINTS = 21

# Why a series falls back to its average ROAS (or is held at its current spend).
WARNINGS = {
    "revenue_not_tracked": "no day reports both spend and revenue: held at its current spend",
    "no_spend": "no spend in the window: held at zero",
    "no_revenue": "spend but zero revenue: marginal ROAS 0, planned at its lower bound",
    "too_few_days": "fewer than {min_days} days with spend and revenue: average ROAS used instead of a curve",
    "flat_spend": "daily spend barely varied (±{cv:.0%}): average ROAS used instead of a curve",
    "poor_fit": "the curve explains only {r2:.0%} of daily revenue: average ROAS used instead",
    "no_saturation": "no diminishing returns visible in the spend range seen: average ROAS used",
    "extrapolated": "recommended spend ¥{spend:,.2f}/day is beyond the largest day seen (¥{max_spend:,.2f})",
}
SATURATING, AVERAGE_ROAS, HELD = "saturating", "average_roas", "held"


class PlanError(QueryError):
    """A request the planner cannot answer: `field` names the parameter at fault, `code` the rule, and
    `numbers` what a translated message needs (CNY per day)."""

    def __init__(self, message: str, *, field: str, code: str = "invalid_plan", **numbers):
        super().__init__(message, field=field, code=code)
        self.numbers = numbers


# ----------------------------------------------------------------------------- response curves


@dataclass(frozen=True)
class Curves:
    """Response curves as arrays, one entry per series. A straight line has k = inf and uses `slope`.

    `held` is spend whose revenue is not tracked (rows reporting spend only): it is kept as it is and
    earns nothing on the curve, so f applies to the spend above it: revenue(x) = f(max(x − held, 0))."""

    vmax: np.ndarray
    k: np.ndarray
    slope: np.ndarray
    held: np.ndarray | float = 0.0

    @cached_property
    def linear(self) -> np.ndarray:
        return np.isinf(self.k)

    @cached_property
    def _finite_k(self) -> np.ndarray:
        return np.where(self.linear, 1.0, self.k)  # a placeholder where the line's branch is taken instead

    def _tracked(self, x) -> np.ndarray:
        return np.maximum(np.asarray(x, dtype=float) - self.held, 0.0)

    def revenue(self, x) -> np.ndarray:
        x = self._tracked(x)
        return np.where(self.linear, self.slope * x, self.vmax * x / (self._finite_k + x))

    def marginal(self, x) -> np.ndarray:
        x = self._tracked(x)
        k = self._finite_k
        return np.where(self.linear, self.slope, self.vmax * k / (k + x) ** 2)

    def spend_at_marginal(self, marginal: float) -> np.ndarray:
        """The spend where each curve's marginal ROAS falls to `marginal` (inf: never; held: already below)."""
        k = self._finite_k
        with np.errstate(divide="ignore"):
            bent = np.sqrt(self.vmax * k / marginal) - k if marginal > 0 else np.full(k.shape, np.inf)
        line = np.where(self.slope > marginal, np.inf, 0.0)
        return np.maximum(np.where(self.linear, line, bent), 0.0) + self.held

    def scaled(self, *, cost: np.ndarray | float = 1.0, value: np.ndarray | float = 1.0) -> Curves:
        """The curves if every result cost `cost` times as much (CPA) and every yuan converted `value`
        times as often (CVR): f(x) becomes value · f(x / cost)."""
        return Curves(vmax=self.vmax * value, k=self.k * cost, slope=self.slope * value / cost, held=self.held)

    def take(self, index) -> Curves:
        return Curves(self.vmax[index], self.k[index], self.slope[index], np.broadcast_to(self.held, self.k.shape)[index])


def fit_curves(points: pd.DataFrame, key: str) -> pd.DataFrame:
    """One Michaelis–Menten least-squares fit per `key` over its (spend, revenue) daily points.

    For a fixed k the best vmax is linear (Σ r·g / Σ g², g = x / (k + x)), so only k is searched: on
    K_GRID for every series at once, then by a parabola through the best grid point and its
    neighbours (in log k). Returns per key: days, spend_mean, spend_cv, max_spend, roas, vmax, k,
    r2 (of the curve), r2_line (of the average-ROAS line), k_at_edge (no bend inside the grid).
    """
    columns = ["days", "spend_mean", "spend_cv", "max_spend", "roas", "vmax", "k", "r2", "r2_line", "k_at_edge"]
    if points.empty:
        return pd.DataFrame(columns=columns, index=pd.Index([], name=key))
    codes, keys = pd.factorize(points[key], sort=True)
    order = np.argsort(codes, kind="stable")
    codes = codes[order]
    spend = points["spend"].to_numpy(float)[order]
    revenue = points["revenue"].to_numpy(float)[order]
    m = len(keys)
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])

    def total(values):  # Σ per key along the last axis (points sorted by key)
        return np.add.reduceat(values, starts, axis=-1)

    n = np.diff(np.r_[starts, len(codes)]).astype(float)
    sum_s, sum_r, sum_ss, sum_rr = total(spend), total(revenue), total(spend * spend), total(revenue * revenue)
    sum_rs = total(revenue * spend)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_s = sum_s / n
        spend_cv = np.sqrt(np.maximum(sum_ss / n - mean_s**2, 0.0)) / mean_s
        sst = sum_rr - sum_r**2 / n
        roas = sum_r / sum_s
        sse_line = sum_rr - 2 * roas * sum_rs + roas**2 * sum_ss
    scale = np.where(mean_s > 0, mean_s, 1.0)

    def sse_at(k_of_points):
        """(SSE, best vmax) per key for k given per point: shape (N,) or (grid rows, N)."""
        g = spend / (k_of_points + spend)
        srg, sgg = total(revenue * g), total(g * g)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(sgg > 0, sum_rr - srg**2 / sgg, np.inf), np.where(sgg > 0, srg / sgg, 0.0)

    point_scale = scale[codes]
    # A few grid rows at a time: the whole grid × every point at once would hold ~50 MB per matrix.
    grid_sse = np.concatenate([sse_at(ratios[:, None] * point_scale)[0] for ratios in np.array_split(K_GRID, 4)])
    best = np.argmin(grid_sse, axis=0)
    log_grid = np.log10(K_GRID)
    step = log_grid[1] - log_grid[0]
    inner = np.clip(best, 1, len(K_GRID) - 2)
    left, mid, right = (grid_sse[inner + d, np.arange(m)] for d in (-1, 0, 1))
    curvature = left - 2 * mid + right
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(curvature > 0, 0.5 * step * (left - right) / curvature, 0.0)
    interior = (best > 0) & (best < len(K_GRID) - 1)
    log_k = np.where(interior, log_grid[inner] + np.clip(np.nan_to_num(shift), -step, step), log_grid[best])
    refined_sse, vmax = sse_at((scale * 10.0**log_k)[codes])
    grid_best_sse = grid_sse[best, np.arange(m)]
    keep_grid = refined_sse > grid_best_sse  # the parabola missed (a kinked profile): the grid point stands
    if keep_grid.any():
        log_k = np.where(keep_grid, log_grid[best], log_k)
        refined_sse, vmax = sse_at((scale * 10.0**log_k)[codes])
    sse = refined_sse
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(sst > 0, 1 - sse / sst, np.nan)
        r2_line = np.where(sst > 0, 1 - sse_line / sst, np.nan)
    max_spend = np.maximum.reduceat(spend, starts)
    return pd.DataFrame(
        {
            "days": n.astype(int),
            "spend_mean": mean_s,
            "spend_cv": spend_cv,
            "max_spend": max_spend,
            "roas": roas,
            "vmax": vmax,
            "k": scale * 10.0**log_k,
            "r2": r2,
            "r2_line": r2_line,
            "k_at_edge": best == len(K_GRID) - 1,
        },
        index=pd.Index(keys, name=key),
    )


# ----------------------------------------------------------------------------- series (platforms, campaigns)


@dataclass(frozen=True)
class SeriesWarning:
    code: str
    detail: str
    platform: str | None = None
    campaign: int | None = None


def _warning(code: str, **numbers) -> str:
    return WARNINGS[code].format(min_days=MIN_FIT_DAYS, **numbers)


def daily_points(daily: pd.DataFrame, key: str) -> pd.DataFrame:
    """The fit's points: per `key` and date, Σ spend and Σ revenue over the rows reporting both."""
    paired = daily.dropna(subset=["paired_spend", "paired_revenue"])
    if key == "campaign":  # the rows are campaign days already
        points = paired[[key, "date", "paired_spend", "paired_revenue"]]
    else:
        points = paired.groupby([key, "date"], sort=False)[["paired_spend", "paired_revenue"]].sum().reset_index()
    return points.rename(columns={"paired_spend": "spend", "paired_revenue": "revenue"})


def series_table(daily: pd.DataFrame, key: str, days: int, points: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per `key` (platform or campaign): spend and revenue per observed day, ROAS (paired rows, KPIS.md),
    the fit, the model chosen and why (warning codes), and the curve's parameters."""
    groups = daily.groupby(key, sort=True)
    sums = groups[["spend", "revenue", "paired_spend", "paired_revenue"]].sum(min_count=1)
    if key == "campaign":
        sums.insert(0, "platform", groups["platform"].first())
    fits = fit_curves(daily_points(daily, key) if points is None else points, key)
    table = sums.join(fits, how="left")
    table["spend"] = table["spend"].fillna(0.0) / days
    table["revenue"] = table["revenue"] / days
    with np.errstate(divide="ignore", invalid="ignore"):
        table["roas"] = np.where(table["paired_spend"] > 0, table["paired_revenue"] / table["paired_spend"], np.nan)
    table["days"] = table["days"].fillna(0).astype(int)
    # Spend of rows without revenue: kept, earning nothing on the curve (all of it when none is tracked).
    table["held_spend"] = np.maximum(table["spend"] - table["paired_spend"].fillna(0.0) / days, 0.0)
    models, slopes, vmaxes, ks, quality, reasons = [], [], [], [], [], []
    for row in table.itertuples():
        model, reason, r2 = _choose_model(row)
        models.append(model)
        reasons.append(reason or "")
        quality.append(r2)
        saturating = model == SATURATING
        slopes.append(0.0 if model == HELD or pd.isna(row.roas) else float(row.roas))
        vmaxes.append(float(row.vmax) if saturating else 0.0)
        ks.append(float(row.k) if saturating else math.inf)
    table["model"], table["reason"], table["fit_quality"] = models, reasons, quality
    table["slope"], table["vmax"], table["k"] = slopes, vmaxes, ks
    return table


def _choose_model(row) -> tuple[str, str | None, float | None]:
    """(model, warning code or None, fit quality R²) for one series of `series_table`."""
    r2_line = None if pd.isna(row.r2_line) else float(row.r2_line)
    if row.spend <= 0:
        return HELD, "no_spend", None
    if pd.isna(row.roas):
        return HELD, "revenue_not_tracked", None
    if row.paired_revenue == 0:
        return AVERAGE_ROAS, "no_revenue", None
    if row.days < MIN_FIT_DAYS:
        return AVERAGE_ROAS, "too_few_days", r2_line
    if not row.spend_cv >= MIN_SPEND_CV:
        return AVERAGE_ROAS, "flat_spend", r2_line
    if pd.isna(row.r2) or row.r2 < MIN_R2 or row.vmax <= 0:
        return AVERAGE_ROAS, "poor_fit", r2_line
    if row.k_at_edge:
        return AVERAGE_ROAS, "no_saturation", r2_line
    return SATURATING, None, float(row.r2)


def _reason_detail(code: str, row) -> str:
    return _warning(
        code,
        cv=0.0 if pd.isna(row["spend_cv"]) else float(row["spend_cv"]),
        r2=0.0 if pd.isna(row["r2"]) else max(float(row["r2"]), 0.0),
    )


def _curves(table: pd.DataFrame) -> Curves:
    return Curves(
        table["vmax"].to_numpy(float),
        table["k"].to_numpy(float),
        table["slope"].to_numpy(float),
        table["held_spend"].to_numpy(float),
    )


# ----------------------------------------------------------------------------- allocation


def allocate(curves: Curves, lower: np.ndarray, upper: np.ndarray, total: float) -> tuple[np.ndarray, float]:
    """Spend per series maximising Σ f(x) with Σ x = total and lower ≤ x ≤ upper, and the marginal ROAS
    at the optimum (what the next yuan of budget earns).

    x(λ) = clip(f'⁻¹(λ), lower, upper) falls as λ rises; brentq finds the λ where Σ x(λ) = total. Where
    that sum jumps (straight lines with equal slopes), the remainder is shared by the series that jump.
    """
    lower, upper = np.asarray(lower, float), np.asarray(upper, float)
    if total <= lower.sum() + 1e-9:
        return lower.copy(), float(np.max(curves.marginal(lower), initial=0.0))  # where the next yuan would go
    if total >= upper.sum() - 1e-9:  # every series full: the marginal is what the last yuan earned
        return upper.copy(), float(np.min(curves.marginal(upper), initial=np.inf)) if len(upper) else 0.0

    def spend_at(marginal):
        return np.clip(curves.spend_at_marginal(marginal), lower, upper)

    top = float(np.max(curves.marginal(lower), initial=0.0)) * (1 + 1e-9) + 1e-12
    if spend_at(0.0).sum() <= total:  # even at marginal 0 the budget is not spent: fill what has room
        marginal = 0.0
    else:
        # Loose tolerances suffice: the sharing below makes the sum exact whatever λ's last digits.
        marginal = brentq(lambda lam: spend_at(lam).sum() - total, 0.0, top, xtol=top * 1e-9, rtol=1e-9)
    less, more = spend_at(marginal * (1 + 1e-8) + 1e-15), spend_at(marginal * (1 - 1e-8))
    if marginal == 0.0:
        more = upper
    room = more - less
    remainder = total - less.sum()
    spend = less + (room * remainder / room.sum() if room.sum() > 0 else 0.0)
    return np.clip(spend, lower, upper), float(marginal)


def roi(revenue: float, spend: float) -> float | None:
    return (revenue - spend) / spend if spend > 0 else None


# ----------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Scenario:
    """What-if: a platform's (or, without one, every platform's) cost per result and conversion rate
    change by these fractions (+0.2 = 20 % dearer / 20 % more conversions per click)."""

    cpa_change: float = 0.0
    cvr_change: float = 0.0
    platform: str | None = None

    @property
    def neutral(self) -> bool:
        return self.cpa_change == 0 and self.cvr_change == 0

    def factors(self, platforms) -> tuple[np.ndarray, np.ndarray]:
        hit = np.array([self.platform is None or p == self.platform for p in platforms], dtype=bool)
        return np.where(hit, 1 + self.cpa_change, 1.0), np.where(hit, 1 + self.cvr_change, 1.0)


@dataclass
class Allocation:
    spend: np.ndarray
    revenue: float
    marginal_roas: float | None  # of the budget: what its next yuan earns where the plan would put it

    @property
    def total(self) -> float:
        return float(self.spend.sum())

    @property
    def roi(self) -> float | None:
        return roi(self.revenue, self.total)


@dataclass
class Plan:
    start: object
    end: object
    days: int
    total: float
    current_total: float
    now: Allocation
    recommended: Allocation
    scenario: Scenario
    platforms: pd.DataFrame = field(default_factory=pd.DataFrame)  # one row per platform (series_table + the plan)
    points: pd.DataFrame = field(default_factory=pd.DataFrame)  # the platforms' daily (spend, revenue) fitted to
    campaigns: pd.DataFrame = field(default_factory=pd.DataFrame)
    baseline: Allocation | None = None  # the recommended plan without the scenario, when there is one
    baseline_now: Allocation | None = None  # today's spend without the scenario, when there is one
    sensitivity: list[dict] = field(default_factory=list)
    budget_curve: list[dict] = field(default_factory=list)
    warnings: list[SeriesWarning] = field(default_factory=list)


def _bounds(table: pd.DataFrame, lower: float, upper: float, bounds: dict) -> tuple[np.ndarray, np.ndarray]:
    current = table["spend"].to_numpy(float)
    lo, hi = current * lower, current * upper
    for index, platform in enumerate(table.index):
        given_lo, given_hi = bounds.get(platform, (None, None))
        if table["model"].iloc[index] == HELD:
            continue  # a platform without revenue data cannot be planned: it keeps its spend
        lo[index] = lo[index] if given_lo is None else given_lo
        hi[index] = hi[index] if given_hi is None else given_hi
        if lo[index] > hi[index]:
            raise PlanError(
                f"{platform}: the lower bound ¥{lo[index]:,.2f} is above the upper bound ¥{hi[index]:,.2f}.",
                field=f"min_{platform}",
                code="bounds_reversed",
                platform=platform,
                low=lo[index],
                high=hi[index],
            )
    held = (table["model"] == HELD).to_numpy()
    kept = table["held_spend"].to_numpy(float)  # untracked spend stays: no bound goes below it
    lo, hi = np.maximum(lo, kept), np.maximum(hi, kept)
    return np.where(held, current, lo), np.where(held, current, hi)


def _check_options(*, total, lower, upper, bounds, platforms) -> None:
    if total is not None and (not math.isfinite(total) or total < 0):
        raise PlanError(f"The daily budget must be a number ≥ 0, not {total}.", field="total")
    if not (math.isfinite(lower) and math.isfinite(upper)) or lower < 0 or upper < lower:
        raise PlanError(f"Bounds need 0 ≤ lower ≤ upper; got lower {lower}, upper {upper}.", field="lower")
    for platform, (lo, hi) in bounds.items():
        for name, value in (("min", lo), ("max", hi)):
            if value is not None and (not math.isfinite(value) or value < 0):
                raise PlanError(f"{name}_{platform} must be a number ≥ 0, not {value}.", field=f"{name}_{platform}")
        if platform not in platforms:
            raise PlanError(
                f"Bounds were given for {platform}, which has no paid rows in the window.", field=f"min_{platform}"
            )


def plan(
    daily: pd.DataFrame,
    *,
    start=None,
    end=None,
    total: float | None = None,
    lower: float = DEFAULT_LOWER,
    upper: float = DEFAULT_UPPER,
    bounds: dict[str, tuple[float | None, float | None]] | None = None,
    scenario: Scenario | None = None,
) -> Plan:
    """The recommended daily allocation of `total` (default: today's daily spend) across the platforms in
    `daily` (columns: date, platform, campaign, spend, revenue, paired_spend, paired_revenue; NaN = NULL).

    Bounds are per platform (CNY per day) and default to lower×–upper× its current spend; a platform
    whose revenue is not tracked keeps its current spend. Raises PlanError for a request that cannot
    be met (negative budget, bounds that cannot add up to it)."""
    bounds = bounds or {}
    scenario = scenario or Scenario()
    daily = daily.assign(date=pd.to_datetime(daily["date"]))  # datetime64 groups ~10× faster than date objects
    spent = daily[daily["spend"].notna()] if not daily.empty else daily
    days = int(spent["date"].nunique()) if not spent.empty else 0
    platform_names = sorted(spent["platform"].unique()) if days else []
    _check_options(total=total, lower=lower, upper=upper, bounds=bounds, platforms=platform_names)
    for name in ("cpa_change", "cvr_change"):
        change = getattr(scenario, name)
        if not math.isfinite(change) or change <= -1:
            raise PlanError(f"{name} must be a fraction above -1 (e.g. 0.2 for +20 %), not {change}.", field=name)
    if scenario.platform is not None and scenario.platform not in platform_names:
        raise PlanError(
            f"The what-if platform {scenario.platform} has no paid rows in the window.", field="scenario_platform"
        )
    if days == 0:
        empty = Allocation(np.zeros(0), 0.0, None)
        return Plan(
            start=start,
            end=end,
            days=0,
            total=total or 0.0,
            current_total=0.0,
            now=empty,
            recommended=empty,
            scenario=scenario,
            warnings=[SeriesWarning("no_data", "no paid spend in the window: nothing to plan")],
        )
    points = daily_points(spent, "platform")
    table = series_table(spent, "platform", days, points)
    lo, hi = _bounds(table, lower, upper, bounds)
    current = table["spend"].to_numpy(float)
    total = float(current.sum()) if total is None else float(total)
    if not lo.sum() - 1e-6 <= total <= hi.sum() + 1e-6:
        raise PlanError(
            f"The bounds allow ¥{lo.sum():,.2f}–¥{hi.sum():,.2f} per day in all; a daily budget of ¥{total:,.2f} "
            "cannot be placed within them. Change the budget or widen the bounds.",
            field="total",
            code="budget_outside_bounds",
            low=lo.sum(),
            high=hi.sum(),
            total=total,
        )
    curves = _curves(table)
    cost, value = scenario.factors(table.index)
    planned_curves = curves.scaled(cost=cost, value=value)

    def allocation(with_curves: Curves, budget: float) -> Allocation:
        spend, marginal = allocate(with_curves, lo, hi, budget)
        return Allocation(spend, float(with_curves.revenue(spend).sum()), marginal)

    recommended = allocation(planned_curves, total)
    now = Allocation(current, float(planned_curves.revenue(current).sum()), None)
    baseline = None if scenario.neutral else allocation(curves, total)
    baseline_now = None if scenario.neutral else Allocation(current, float(curves.revenue(current).sum()), None)
    table["lower"], table["upper"] = lo, hi
    table["scenario_cost"], table["scenario_value"] = cost, value
    table["marginal_roas"] = planned_curves.marginal(current)
    table["recommended_spend"] = recommended.spend
    table["expected_revenue_now"] = planned_curves.revenue(current)
    table["expected_revenue_recommended"] = planned_curves.revenue(recommended.spend)
    table["marginal_roas_recommended"] = planned_curves.marginal(recommended.spend)
    campaigns = _campaign_plan(spent, days, table, scenario)
    plan_ = Plan(
        start=start,
        end=end,
        days=days,
        total=total,
        current_total=float(current.sum()),
        platforms=table,
        points=points,
        campaigns=campaigns,
        now=now,
        recommended=recommended,
        scenario=scenario,
        baseline=baseline,
        baseline_now=baseline_now,
    )
    plan_.sensitivity = _sensitivity(curves, table, lo, hi, total, recommended if scenario.neutral else baseline)
    plan_.budget_curve = _budget_curve(planned_curves, lo, hi)
    plan_.warnings = _warnings(table, "platform") + _warnings(campaigns, "campaign")
    return plan_


def _campaign_plan(daily: pd.DataFrame, days: int, platforms: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Campaign curves, and each platform's recommended spend split across its campaigns by the same rule
    (campaign bounds: the platform's bound factors times the campaign's current spend)."""
    table = series_table(daily.dropna(subset=["campaign"]).astype({"campaign": int}), "campaign", days)
    if table.empty:
        return table
    curves = _curves(table)
    cost, value = scenario.factors(table["platform"])
    curves = curves.scaled(cost=cost, value=value)
    recommended = np.zeros(len(table))
    current = table["spend"].to_numpy(float)
    for platform, row in platforms.iterrows():
        index = np.flatnonzero((table["platform"] == platform).to_numpy())
        if not len(index) or row["spend"] <= 0:
            continue
        held = table["model"].to_numpy()[index] == HELD
        kept = table["held_spend"].to_numpy(float)[index]
        lo = np.where(held, current[index], np.maximum(current[index] * row["lower"] / row["spend"], kept))
        hi = np.where(held, current[index], np.maximum(current[index] * row["upper"] / row["spend"], kept))
        target = row["recommended_spend"]
        if lo.sum() - 1e-6 <= target <= hi.sum() + 1e-6:
            recommended[index], _ = allocate(curves.take(index), lo, hi, target)
        else:  # held campaigns of a platform that moves: split in proportion to today's spend
            recommended[index] = current[index] * target / row["spend"]
    table["marginal_roas"] = curves.marginal(current)
    table["recommended_spend"] = recommended
    table["max_spend"] = table["max_spend"].fillna(0.0)
    return table


def _sensitivity(curves, table, lo, hi, total, base: Allocation) -> list[dict]:
    """The study's table: each change, for every platform at once and for each platform alone, with the
    ROI if the plan is kept and if it is re-planned, against the recommended plan's ROI."""
    rows = []
    platforms = list(table.index)
    planned = [p for p in platforms if table.loc[p, "model"] != HELD]
    for scope in [None, *planned] if len(planned) > 1 else planned[:1] or [None]:
        for change, amount in SENSITIVITY:
            scenario = Scenario(**{f"{change}_change": amount}, platform=scope)
            cost, value = scenario.factors(platforms)
            changed = curves.scaled(cost=cost, value=value)
            kept = float(changed.revenue(base.spend).sum())
            spend, _ = allocate(changed, lo, hi, total)
            replanned = float(changed.revenue(spend).sum())
            replanned_roi = roi(replanned, total)
            rows.append(
                {
                    "platform": scope,
                    "change": change,
                    "amount": amount,
                    "expected_revenue_kept": kept,
                    "expected_roi_kept": roi(kept, total),
                    "expected_revenue_replanned": replanned,
                    "expected_roi_replanned": replanned_roi,
                    "roi_change": None if replanned_roi is None or base.roi is None else replanned_roi - base.roi,
                    "recommended_spend": dict(zip(platforms, spend.tolist(), strict=True)),
                }
            )
    return rows


def curve_samples(plan_: Plan, steps: int = 60) -> pd.DataFrame:
    """Each platform's response curve (as planned, what-if included) from 0 to past its upper bound and
    its largest day: columns platform, spend, revenue, CNY per day. Held platforms have no curve."""
    table = plan_.platforms
    if table.empty:
        return pd.DataFrame(columns=["platform", "spend", "revenue"])
    curves = _curves(table).scaled(cost=table["scenario_cost"].to_numpy(), value=table["scenario_value"].to_numpy())
    frames = []
    for index, (platform, row) in enumerate(table.iterrows()):
        if row["model"] == HELD:
            continue
        top = max(row["upper"], row["max_spend"] if not pd.isna(row["max_spend"]) else 0.0, row["spend"]) * 1.1
        spend = np.linspace(0.0, top, steps)
        frames.append(
            pd.DataFrame(
                {"platform": platform, "spend": spend, "revenue": curves.take([index]).revenue(spend[:, None])[:, 0]}
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["platform", "spend", "revenue"])


def _budget_curve(curves: Curves, lo: np.ndarray, hi: np.ndarray) -> list[dict]:
    """Expected revenue of the best plan at each daily budget the bounds allow."""
    rows = []
    for budget in np.linspace(lo.sum(), hi.sum(), BUDGET_CURVE_POINTS):
        spend, marginal = allocate(curves, lo, hi, float(budget))
        rows.append(
            {"total": float(budget), "expected_revenue": float(curves.revenue(spend).sum()), "marginal_roas": marginal}
        )
    return rows


def records(table: pd.DataFrame) -> list[tuple[object, dict]]:
    """(index, row as a dict) per row: iterrows builds a Series a row, ~50× slower for 500 campaigns."""
    return list(zip(table.index, table.to_dict("records"), strict=True))


def _warnings(table: pd.DataFrame, key: str) -> list[SeriesWarning]:
    found = []
    for name, row in records(table):
        where = {"platform": name} if key == "platform" else {"platform": row["platform"], "campaign": int(name)}
        # A campaign's straight line is the rule rather than news: only platforms say so.
        if row["reason"] and (key == "platform" or row["reason"] != "no_saturation"):
            found.append(SeriesWarning(row["reason"], _reason_detail(row["reason"], row), **where))
        tracked = row["recommended_spend"] - row["held_spend"]
        if row["model"] == SATURATING and tracked > row["max_spend"] * (1 + 1e-6):
            found.append(
                SeriesWarning(
                    "extrapolated",
                    _warning("extrapolated", spend=tracked, max_spend=row["max_spend"]),
                    **where,
                )
            )
    return found
