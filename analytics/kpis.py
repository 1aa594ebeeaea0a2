"""Every KPI of KPIS.md, as pure pandas: no Django, no database (frames.py feeds these functions).

NULL is NaN in the frames handled here and becomes None on output; it never becomes 0.

The database returns *partials*: per (period, account) or per (period, campaign, account) sums plus
the few extra aggregates a rule needs (days with both followers_gained and followers_lost, the
followers sum/count for averages, followers on the period's last day and on the day before it).
Partials of adjacent periods combine exactly (`rebucket`), so splitting a window and re-aggregating
gives the same totals; `rollup` sums the partials of the accounts of a group; `compute` turns the
sums into KPIs with the sum-of-numerators rule.
"""

from datetime import date, timedelta

import numpy as np
import pandas as pd

GRANULARITIES = ("day", "week", "month", "total")
GROUP_KEYS = ("platform", "account", "campaign")

# Raw organic sums (AccountDailyMetric columns summed over the days of a period).
ORGANIC_SUMS = (
    "views", "impressions", "likes", "comments", "shares", "saves", "followers_gained", "followers_lost",
    "posts_published", "profile_visits", "coins", "danmaku", "recommends",
)
# Raw paid sums; the paid names that clash with organic ones carry the `paid_` prefix (KPIS.md).
PAID_SUMS = ("spend", "paid_impressions", "clicks", "engagements", "conversions", "revenue", "paid_followers_gained")
# Extra per-(period, account) aggregates of the organic partial frame.
ORGANIC_STATE = ("gl_days", "followers_sum", "followers_days", "followers_end", "followers_latest", "followers_before")
POST_SUMS = ("completion_weighted", "completion_views")

# `followers` in a result is the follower total at the end of the period: the latest value reported
# in the period, summed over the accounts of the group.
RAW_SUMS = ORGANIC_SUMS[:6] + ("followers",) + ORGANIC_SUMS[6:] + PAID_SUMS
ORGANIC_KPIS = (
    "interactions", "engagement_rate", "engagement_rate_by_followers", "net_followers", "follower_growth_rate",
    "read_rate", "completion_rate", "ces", "bilibili_interactions",
)
PAID_KPIS = ("ctr", "cvr", "cpm", "cpc", "cpe", "cpa", "cpf", "roas", "roi")
KPI_NAMES = RAW_SUMS + ORGANIC_KPIS + PAID_KPIS
MONEY = ("spend", "revenue")
INTEGER_KPIS = frozenset(RAW_SUMS) - frozenset(MONEY) | {"interactions", "net_followers", "ces", "bilibili_interactions"}


# ---------------------------------------------------------------- periods


def window_days(start: date, end: date) -> int:
    return (end - start).days + 1


def previous_window(start: date, end: date) -> tuple[date, date]:
    """The window of the same length ending the day before `start`."""
    length = window_days(start, end)
    return start - timedelta(days=length), start - timedelta(days=1)


def bucket_of(day: date, granularity: str, start: date) -> date:
    """The first day of `day`'s bucket inside the window (a bucket only counts days in the window)."""
    if granularity == "day":
        return day
    if granularity == "week":
        natural = day - timedelta(days=day.weekday())  # ISO week, Monday start
    elif granularity == "month":
        natural = day.replace(day=1)
    elif granularity == "total":
        return start
    else:
        raise ValueError(f"unknown granularity {granularity!r}; expected one of {', '.join(GRANULARITIES)}")
    return max(natural, start)


def buckets(start: date, end: date, granularity: str) -> list[tuple[date, date]]:
    """(first day, last day) of every bucket of the window, clipped to the window."""
    out: list[tuple[date, date]] = []
    day = start
    while day <= end:
        first = bucket_of(day, granularity, start)
        if out and out[-1][0] == first:
            out[-1] = (first, day)
        else:
            out.append((first, day))
        day += timedelta(days=1)
    return out


# ---------------------------------------------------------------- NULL-aware arithmetic


def _array(values) -> np.ndarray:
    return np.asarray(values, dtype=float)


def _like(values: np.ndarray, template) -> pd.Series:
    return pd.Series(values, index=getattr(template, "index", None))


# The arithmetic runs on numpy arrays: a report computes ~40 columns of a few hundred rows, where
# pandas' per-operation overhead, not the data, was most of the time.
def _sum_skipna(terms: list[np.ndarray]) -> np.ndarray:
    stacked = np.column_stack(terms)
    return np.where(np.isnan(stacked).all(axis=1), np.nan, np.nansum(stacked, axis=1))


def _ratio(numerator, denominator) -> np.ndarray:
    denominator = _array(denominator)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _array(numerator) / np.where(denominator == 0, np.nan, denominator)


def sum_skipna(frame: pd.DataFrame, columns, weights=None) -> pd.Series:
    """Row-wise Σ weight·column, skipping NULL terms; NULL when every term is NULL."""
    weights = weights or [1] * len(columns)
    return _like(_sum_skipna([_array(frame[c]) * w for c, w in zip(columns, weights, strict=True)]), frame)


def ratio(numerator, denominator) -> pd.Series:
    """numerator / denominator, NULL when the denominator is NULL or 0 (or the numerator is NULL)."""
    return _like(_ratio(numerator, denominator), numerator)


def change(current, previous) -> pd.Series:
    """(current − previous) / |previous|, NULL when previous is NULL or 0."""
    previous_values = _array(previous)
    return _like(_ratio(_array(current) - previous_values, np.abs(previous_values)), current)


def _group_sum(frame: pd.DataFrame, keys: list[str], columns) -> pd.DataFrame:
    # min_count=1: a sum of nothing but NULLs stays NULL.
    return frame.groupby(keys, dropna=False, sort=True)[list(columns)].sum(min_count=1)


# ---------------------------------------------------------------- partials


def account_day_partials(daily: pd.DataFrame) -> pd.DataFrame:
    """Day partials from raw AccountDailyMetric rows (account, platform, date, metrics...).

    The pandas mirror of frames.organic_partials at day granularity; `followers_before` is the
    account's followers of the previous calendar day (NULL when that row is missing).
    """
    d = daily.copy()
    d["date"] = pd.to_datetime(d["date"]).dt.date
    prev = d[["account", "date", "followers"]].copy()
    prev["date"] = prev["date"] + timedelta(days=1)
    d = d.merge(prev.rename(columns={"followers": "followers_before"}), on=["account", "date"], how="left")
    out = d[["account", "platform"]].copy()
    out["period"] = d["date"]
    out["n_days"] = 1
    for col in ORGANIC_SUMS:
        out[col] = d[col].astype(float)
    out["gl_days"] = (d["followers_gained"].notna() & d["followers_lost"].notna()).astype(int)
    out["followers_sum"] = d["followers"].astype(float)
    out["followers_days"] = d["followers"].notna().astype(int)
    out["followers_end"] = d["followers"].astype(float)
    out["followers_latest"] = d["followers"].astype(float)
    out["followers_before"] = d["followers_before"].astype(float)
    return out


def _last_valid(series: pd.Series):
    valid = series.dropna()
    return valid.iloc[-1] if len(valid) else np.nan


def rebucket(partials: pd.DataFrame, *, granularity: str, start: date, end: date) -> pd.DataFrame:
    """Combine partials of finer, adjacent periods into the buckets of `granularity` over the window.

    Sums add, day counts add, the followers snapshot at the end comes from the part ending on the
    bucket's last day and the day-before snapshot from the part starting on its first day.
    Parts must be per account (and campaign) and an account needs a part starting on a bucket's
    first day for its day-before snapshot to be known (frames.py reads that snapshot directly).
    """
    bounds = dict(buckets(start, end, granularity))
    p = partials.copy()
    p["part_start"] = p["period"]
    p["part_end"] = [period + timedelta(days=int(n) - 1) for period, n in zip(p["period"], p["n_days"], strict=True)]
    p["period"] = [bucket_of(day, granularity, start) for day in p["period"]]
    p = p.sort_values(["period", "part_end"])
    identity = [c for c in ("campaign", "account", "platform") if c in p.columns]
    keys = ["period", *identity]
    additive = [c for c in (*ORGANIC_SUMS, *PAID_SUMS, *POST_SUMS, "followers_sum") if c in p.columns]
    out = _group_sum(p, keys, additive)
    if "gl_days" in p.columns:
        grouped = p.groupby(keys, dropna=False, sort=True)
        out["gl_days"] = grouped["gl_days"].sum()
        out["followers_days"] = grouped["followers_days"].sum()
        out["followers_latest"] = grouped["followers_latest"].agg(_last_valid)
        p["is_last"] = [bounds[period] == part_end for period, part_end in zip(p["period"], p["part_end"], strict=True)]
        p["is_first"] = p["part_start"] == p["period"]
        out["followers_end"] = p[p["is_last"]].groupby(keys, dropna=False)["followers_end"].first()
        out["followers_before"] = p[p["is_first"]].groupby(keys, dropna=False)["followers_before"].first()
    out = out.reset_index()
    out["n_days"] = [window_days(period, bounds[period]) for period in out["period"]]
    return out


# ---------------------------------------------------------------- roll-up and KPIs


def _account_net_followers(organic: pd.DataFrame) -> pd.Series:
    """net_followers of one account and period (KPIS.md): Σgained − Σlost when both are reported for
    every day of the period, otherwise followers(last day) − followers(day before the period)."""
    by_flows = organic["followers_gained"] - organic["followers_lost"]
    by_totals = organic["followers_end"] - organic["followers_before"]
    return by_flows.where(organic["gl_days"] >= organic["n_days"], by_totals)


def rollup(
    *,
    organic: pd.DataFrame | None = None,
    paid: pd.DataFrame | None = None,
    posts: pd.DataFrame | None = None,
    group_by: str | None = None,
) -> pd.DataFrame:
    """Sum the per-account partials into one row per period (and group key).

    Per-account quantities (net_followers, average and end-of-period followers) are computed per
    account first and then summed, so accounts with different reporting habits add up correctly.
    A source that cannot be attributed to the group (organic data per campaign) is left out: its
    sums stay NULL.
    """
    if group_by is not None and group_by not in GROUP_KEYS:
        raise ValueError(f"unknown group_by {group_by!r}; expected one of {', '.join(GROUP_KEYS)}")
    keys = ["period"] + ([group_by] if group_by else [])
    parts = []
    if organic is not None and set(keys) <= set(organic.columns):
        o = organic.copy()
        o["net_followers"] = _account_net_followers(o)
        o["followers_avg"] = ratio(o["followers_sum"], o["followers_days"])
        o["followers"] = o["followers_latest"]
        parts.append(_group_sum(o, keys, (*ORGANIC_SUMS, "followers", "followers_avg", "followers_before", "net_followers")))
    if paid is not None and set(keys) <= set(paid.columns):
        parts.append(_group_sum(paid, keys, PAID_SUMS))
    if posts is not None and set(keys) <= set(posts.columns):
        parts.append(_group_sum(posts, keys, POST_SUMS))
    sums = pd.concat(parts, axis=1).reset_index() if parts else pd.DataFrame(columns=keys)
    for col in (*RAW_SUMS, "followers_avg", "followers_before", "net_followers", *POST_SUMS):
        if col not in sums.columns:
            sums[col] = np.nan
        sums[col] = sums[col].astype(float)
    return sums


def engagement(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with interactions and engagement_rate added: of period sums, or of one post's lifetime counters."""
    frame["interactions"] = sum_skipna(frame, ["likes", "comments", "shares", "saves"])
    frame["engagement_rate"] = ratio(frame["interactions"], frame["views"])
    return frame


def compute(sums: pd.DataFrame) -> pd.DataFrame:
    """Add every KPI of KPIS.md to a frame of period sums (as produced by `rollup`)."""
    s = {col: _array(sums[col]) for col in sums.columns if col not in ("period", *GROUP_KEYS)}

    def total(columns, weights=None):
        weights = weights or [1] * len(columns)
        return _sum_skipna([s[c] * w for c, w in zip(columns, weights, strict=True)])

    k = {"interactions": total(["likes", "comments", "shares", "saves"])}
    k["engagement_rate"] = _ratio(k["interactions"], s["views"])
    k["engagement_rate_by_followers"] = _ratio(k["interactions"], s["followers_avg"])
    k["follower_growth_rate"] = _ratio(s["net_followers"], s["followers_before"])
    k["read_rate"] = _ratio(s["views"], s["followers_avg"])
    k["completion_rate"] = _ratio(s["completion_weighted"], s["completion_views"])
    k["ces"] = total(["likes", "saves", "comments", "shares", "followers_gained"], [1, 1, 4, 4, 8])
    k["bilibili_interactions"] = total(["likes", "coins", "saves", "shares", "comments", "danmaku"])
    spend, revenue = s["spend"], s["revenue"]
    k["ctr"] = _ratio(s["clicks"], s["paid_impressions"])
    k["cvr"] = _ratio(s["conversions"], s["clicks"])
    k["cpm"] = _ratio(spend * 1000, s["paid_impressions"])
    k["cpc"] = _ratio(spend, s["clicks"])
    k["cpe"] = _ratio(spend, s["engagements"])
    k["cpa"] = _ratio(spend, s["conversions"])
    k["cpf"] = _ratio(spend, s["paid_followers_gained"])
    k["roas"] = _ratio(revenue, spend)
    k["roi"] = _ratio(revenue - spend, spend)
    kept = sums.drop(columns=[name for name in k if name in sums.columns])
    return pd.concat([kept, pd.DataFrame(k, index=sums.index)], axis=1)


def json_rows(frame: pd.DataFrame, *, typed: bool = True) -> list[dict]:
    """The KPI columns of `frame` as JSON-ready dicts, one per row: None for NULL; when `typed`,
    int for counters and money rounded to 2 decimals, else plain floats (for `change`).
    Converted column by column: per-cell pandas access is too slow for day × account reports."""
    columns = []
    for name in KPI_NAMES:
        values = frame[name].to_numpy(dtype=float)
        missing = np.isnan(values).tolist()
        if typed and name in INTEGER_KPIS:
            values = np.where(np.isnan(values), 0, values).round().astype(np.int64)
        elif typed and name in MONEY:
            values = values.round(2)
        columns.append([None if null else value for null, value in zip(missing, values.tolist(), strict=True)])
    return [dict(zip(KPI_NAMES, row, strict=True)) for row in zip(*columns, strict=True)]


def report(
    *,
    organic: pd.DataFrame | None,
    paid: pd.DataFrame | None,
    posts: pd.DataFrame | None,
    start: date,
    end: date,
    granularity: str,
    group_by: str | None = None,
) -> pd.DataFrame:
    """One row per bucket of the window (× group seen in the data) with every raw sum and KPI.

    Buckets without any data are kept (all NULL) so charts show gaps instead of skipping days.
    """
    sums = rollup(organic=organic, paid=paid, posts=posts, group_by=group_by)
    periods = [first for first, _ in buckets(start, end, granularity)]
    if group_by:
        groups = sorted(sums[group_by].unique(), key=lambda g: (pd.isna(g), "" if pd.isna(g) else g))
        grid = pd.MultiIndex.from_product([periods, groups], names=["period", group_by])
        sums = sums.set_index(["period", group_by]).reindex(grid).reset_index()
    else:
        sums = sums.set_index("period").reindex(pd.Index(periods, name="period")).reset_index()
    return compute(sums)


def compare(current: pd.DataFrame, previous: pd.DataFrame, keys: list[str]):
    """Align a report with the report of the previous window (same keys) and compute `change`.

    Returns (current, previous, change) frames sharing one index of `keys`; a group present in
    only one of the windows gets NULLs in the other.
    """
    cur = current.set_index(keys)[list(KPI_NAMES)]
    prev = previous.set_index(keys)[list(KPI_NAMES)]
    index = cur.index.union(prev.index, sort=False)
    cur, prev = cur.reindex(index), prev.reindex(index)
    return cur, prev, pd.DataFrame({name: change(cur[name], prev[name]) for name in KPI_NAMES}, index=index)
