"""Every KPI of KPIS.md, as pure pandas: no Django, no database (frames.py feeds these functions).

NULL is NaN in the frames handled here and becomes None on output; it never becomes 0.

The database returns *partials*: per (period, account) or per (period, group) sums plus the few
extra aggregates a rule needs. Every ratio KPI is built on a *pair* (KPIS.md, "Paired rows"): for
each pair the partials carry Σ numerator and Σ denominator over the rows reporting both sides
(`<pair>_num`, `<pair>_den`), the number of those rows (`<pair>_rows`) and the number of rows
reporting either side (`<pair>_any`), from which `coverage` follows. Partials of adjacent periods
combine exactly (`rebucket`), so splitting a window and re-aggregating gives the same totals;
`rollup` sums the partials of the accounts of a group; `compute` turns the sums into KPIs.
"""

from datetime import date, timedelta

import numpy as np
import pandas as pd

from .metrics import ACCOUNT_METRICS, ORGANIC_SUMS

GRANULARITIES = ("day", "week", "month", "total")
GROUP_KEYS = ("platform", "account", "campaign")

# Raw organic sums (AccountDailyMetric columns summed over the days of a period): analytics/metrics.py.
# Raw paid sums; the paid names that clash with organic ones carry the `paid_` prefix (KPIS.md).
PAID_SUMS = ("spend", "paid_impressions", "clicks", "engagements", "conversions", "revenue", "paid_followers_gained")
INTERACTION_TERMS = ("likes", "comments", "shares", "saves")

# The (numerator, denominator) of every ratio, by pair name; `interactions` is the row's
# likes + comments + shares + saves (NULL when all four are).
ORGANIC_PAIRS = {
    "engagement": ("interactions", "views"),
    "by_followers": ("interactions", "followers"),
    "read": ("views", "followers"),
}
PAID_PAIRS = {
    "ctr": ("clicks", "paid_impressions"),
    "cvr": ("conversions", "clicks"),
    "cpm": ("spend", "paid_impressions"),
    "cpc": ("spend", "clicks"),
    "cpe": ("spend", "engagements"),
    "cpa": ("spend", "conversions"),
    "cpf": ("spend", "paid_followers_gained"),
    "roas": ("revenue", "spend"),
}
# Posts: Σ(completion_rate × views) / Σ views over the posts reporting both.
POST_PAIRS = {"completion": ("completion_weighted", "views")}
# Per account and period: net_followers / followers(day before) (computed in `rollup`).
GROWTH_PAIR = "growth"
PAIR_PARTS = ("num", "den", "rows", "any")


def pair_columns(pairs) -> tuple[str, ...]:
    return tuple(f"{pair}_{part}" for pair in pairs for part in PAIR_PARTS)


# Extra per-(period, account) aggregates of the organic partial frame.
ORGANIC_STATE = ("gl_days", "followers_latest", "followers_before", *pair_columns(ORGANIC_PAIRS))
POST_SUMS = pair_columns(POST_PAIRS)

# `followers` in a result is the follower total at the end of the period: the latest value reported
# in the period, summed over the accounts of the group.
RAW_SUMS = ACCOUNT_METRICS + PAID_SUMS  # the sums and the followers level, in KPIS.md's order
ORGANIC_KPIS = (
    "interactions", "engagement_rate", "engagement_rate_by_followers", "net_followers", "follower_growth_rate",
    "read_rate", "completion_rate", "ces", "bilibili_interactions", "interactions_per_mille",
)
PAID_KPIS = ("ctr", "cvr", "cpm", "cpc", "cpe", "cpa", "cpf", "roas", "roi")
KPI_NAMES = RAW_SUMS + ORGANIC_KPIS + PAID_KPIS
# Every ratio KPI and the pair it stands on: `coverage[kpi]` = rows reporting both / either side.
PAIR_OF = {
    "engagement_rate": "engagement", "interactions_per_mille": "engagement",
    "engagement_rate_by_followers": "by_followers", "read_rate": "read", "follower_growth_rate": GROWTH_PAIR,
    "completion_rate": "completion", **{name: name for name in PAID_PAIRS}, "roi": "roas",
}
COVERAGE_KPIS = tuple(name for name in KPI_NAMES if name in PAIR_OF)
MONEY = ("spend", "revenue")
INTEGER_KPIS = frozenset(RAW_SUMS) - frozenset(MONEY) | {"interactions", "net_followers", "ces", "bilibili_interactions"}


def coverage_column(kpi: str) -> str:
    return f"{kpi}_coverage"


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
    # min_count=1: a sum of nothing but NULLs stays NULL. The values as one float block first:
    # grouping a frame of mixed int and float columns cost several times more.
    values = pd.DataFrame(frame[list(columns)].to_numpy(dtype=float), columns=list(columns), index=frame.index)
    return values.groupby([frame[key] for key in keys], dropna=False, sort=True).sum(min_count=1)


# ---------------------------------------------------------------- partials


def add_pairs(rows: pd.DataFrame, pairs, values: pd.DataFrame) -> pd.DataFrame:
    """Per-row pair columns (rows = one account day, campaign day or post): numerator and
    denominator where the row reports both sides, and whether it reports both / either."""
    for pair, (numerator, denominator) in pairs.items():
        num, den = values[numerator].astype(float), values[denominator].astype(float)
        both = num.notna() & den.notna()
        rows[f"{pair}_num"] = num.where(both)
        rows[f"{pair}_den"] = den.where(both)
        rows[f"{pair}_rows"] = both.astype(int)
        rows[f"{pair}_any"] = (num.notna() | den.notna()).astype(int)
    return rows


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
    out["followers_latest"] = d["followers"].astype(float)
    out["followers_before"] = d["followers_before"].astype(float)
    values = d.assign(interactions=sum_skipna(d, list(INTERACTION_TERMS)))
    return add_pairs(out, ORGANIC_PAIRS, values)


def campaign_day_partials(rows: pd.DataFrame) -> pd.DataFrame:
    """Day partials from raw CampaignDailyMetric-like rows (period, identity columns, PAID_SUMS):
    the pandas mirror of frames.paid_partials at day granularity, one row per campaign day."""
    out = rows.copy()
    for col in PAID_SUMS:
        out[col] = out[col].astype(float)
    return add_pairs(out, PAID_PAIRS, out)


def _last_valid(series: pd.Series):
    valid = series.dropna()
    return valid.iloc[-1] if len(valid) else np.nan


def rebucket(partials: pd.DataFrame, *, granularity: str, start: date, end: date) -> pd.DataFrame:
    """Combine partials of finer, adjacent periods into the buckets of `granularity` over the window.

    Sums and counts add; the latest followers come from the latest part reporting them and the
    day-before snapshot from the part starting on the bucket's first day. Parts must be per account
    (and campaign) and an account needs a part starting on a bucket's first day for its day-before
    snapshot to be known (frames.py reads that snapshot directly).
    """
    bounds = dict(buckets(start, end, granularity))
    p = partials.copy()
    p["part_start"] = p["period"]
    p["period"] = [bucket_of(day, granularity, start) for day in p["period"]]
    p = p.sort_values(["period", "part_start"])
    identity = [c for c in ("campaign", "account", "platform") if c in p.columns]
    keys = ["period", *identity]
    additive = [c for c in (*ORGANIC_SUMS, *PAID_SUMS, *POST_SUMS, *pair_columns(ORGANIC_PAIRS),
                            *pair_columns(PAID_PAIRS)) if c in p.columns]
    out = _group_sum(p, keys, additive)
    for col in [c for c in p.columns if c.endswith(("_rows", "_any")) or c == "gl_days"]:
        out[col] = p.groupby(keys, dropna=False, sort=True)[col].sum()  # counts: 0, never NULL
    if "followers_latest" in p.columns:
        out["followers_latest"] = p.groupby(keys, dropna=False, sort=True)["followers_latest"].agg(_last_valid)
        first_parts = p[p["part_start"] == p["period"]]
        out["followers_before"] = first_parts.groupby(keys, dropna=False)["followers_before"].first()
    out = out.reset_index()
    out["n_days"] = [window_days(period, bounds[period]) for period in out["period"]]
    return out


# ---------------------------------------------------------------- roll-up and KPIs


def _account_net_followers(organic: pd.DataFrame) -> pd.Series:
    """net_followers of one account and period (KPIS.md): Σgained − Σlost when both are reported for
    every day of the period, otherwise the latest followers reported in the period − followers on
    the day before the period."""
    by_flows = organic["followers_gained"] - organic["followers_lost"]
    by_totals = organic["followers_latest"] - organic["followers_before"]
    return by_flows.where(organic["gl_days"] >= organic["n_days"], by_totals)


def _account_rules(organic: pd.DataFrame) -> pd.DataFrame:
    """The per-account quantities of a period, before accounts add up: net followers, the growth
    pair (net followers over followers the day before) and the average daily followers of the
    days reporting interactions and followers."""
    o = organic.copy()
    o["net_followers"] = _account_net_followers(o)
    add_pairs(o, {GROWTH_PAIR: ("net_followers", "followers_before")}, o)
    o["followers"] = o["followers_latest"]
    o["by_followers_den"] = ratio(o["by_followers_den"], o["by_followers_rows"])
    return o


ORGANIC_ROLLUP = (*ORGANIC_SUMS, "followers", "net_followers", *pair_columns(ORGANIC_PAIRS),
                  *pair_columns({GROWTH_PAIR: None}))


def rollup(
    *,
    organic: pd.DataFrame | None = None,
    paid: pd.DataFrame | None = None,
    posts: pd.DataFrame | None = None,
    group_by: str | None = None,
) -> pd.DataFrame:
    """Sum the per-account partials into one row per period (and group key).

    Per-account quantities (net_followers, average and latest followers) are computed per account
    first and then summed, so accounts with different reporting habits add up correctly. A source
    that cannot be attributed to the group (organic data per campaign) is left out: its sums stay
    NULL and its coverage counts 0 of 0 (coverage NULL).
    """
    if group_by is not None and group_by not in GROUP_KEYS:
        raise ValueError(f"unknown group_by {group_by!r}; expected one of {', '.join(GROUP_KEYS)}")
    keys = ["period"] + ([group_by] if group_by else [])
    parts = []
    if organic is not None and set(keys) <= set(organic.columns):
        parts.append(_group_sum(_account_rules(organic), keys, ORGANIC_ROLLUP))
    if paid is not None and set(keys) <= set(paid.columns):
        parts.append(_group_sum(paid, keys, (*PAID_SUMS, *pair_columns(PAID_PAIRS))))
    if posts is not None and set(keys) <= set(posts.columns):
        parts.append(_group_sum(posts, keys, POST_SUMS))
    sums = pd.concat(parts, axis=1).reset_index() if parts else pd.DataFrame(columns=keys)
    # Every column at once (one reindex and cast): column by column was most of a report's time.
    numbers = sums.reindex(columns=list(ROLLUP_COLUMNS)).astype(float)
    return pd.concat([sums[keys], numbers], axis=1)


ROLLUP_COLUMNS = (*RAW_SUMS, "net_followers",
                  *pair_columns({**ORGANIC_PAIRS, GROWTH_PAIR: None, **PAID_PAIRS, **POST_PAIRS}))


def engagement(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with interactions and engagement_rate added, of one post's lifetime counters."""
    frame["interactions"] = sum_skipna(frame, list(INTERACTION_TERMS))
    frame["engagement_rate"] = ratio(frame["interactions"], frame["views"])
    return frame


def compute(sums: pd.DataFrame) -> pd.DataFrame:
    """Add every KPI of KPIS.md and the coverage of every ratio KPI to a frame of period sums (as
    produced by `rollup`): a ratio is Σ paired numerators / Σ paired denominators."""
    columns = [col for col in sums.columns if col not in ("period", *GROUP_KEYS)]
    matrix = sums[columns].to_numpy(dtype=float)  # one conversion, then column views
    s = {col: matrix[:, n] for n, col in enumerate(columns)}

    def total(columns, weights=None):
        weights = weights or [1] * len(columns)
        return _sum_skipna([s[c] * w for c, w in zip(columns, weights, strict=True)])

    def paired(pair, scale=1):
        return _ratio(s[f"{pair}_num"] * scale, s[f"{pair}_den"])

    k = {"interactions": total(list(INTERACTION_TERMS))}
    k["engagement_rate"] = paired("engagement")
    k["engagement_rate_by_followers"] = paired("by_followers")
    k["follower_growth_rate"] = paired(GROWTH_PAIR)
    k["read_rate"] = paired("read")
    k["completion_rate"] = paired("completion")
    k["ces"] = total(["likes", "saves", "comments", "shares", "followers_gained"], [1, 1, 4, 4, 8])
    k["bilibili_interactions"] = total(["likes", "coins", "saves", "shares", "comments", "danmaku"])
    k["interactions_per_mille"] = paired("engagement", 1000)
    for name in ("ctr", "cvr", "cpc", "cpe", "cpa", "cpf", "roas"):
        k[name] = paired(name)
    k["cpm"] = paired("cpm", 1000)
    k["roi"] = _ratio(s["roas_num"] - s["roas_den"], s["roas_den"])
    for name in COVERAGE_KPIS:
        pair = PAIR_OF[name]
        k[coverage_column(name)] = _ratio(s[f"{pair}_rows"], s[f"{pair}_any"])
    kept = sums.drop(columns=[name for name in k if name in sums.columns])
    return pd.concat([kept, pd.DataFrame(k, index=sums.index)], axis=1)


def _json_columns(frame: pd.DataFrame, names, typed: bool) -> list[dict]:
    columns = []
    for name in names:
        values = frame[name].to_numpy(dtype=float)
        missing = np.isnan(values).tolist()
        if typed and name in INTEGER_KPIS:
            values = np.where(np.isnan(values), 0, values).round().astype(np.int64)
        elif typed and name in MONEY:
            values = values.round(2)
        columns.append([None if null else value for null, value in zip(missing, values.tolist(), strict=True)])
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def json_rows(frame: pd.DataFrame, *, typed: bool = True) -> list[dict]:
    """The KPI columns of `frame` as JSON-ready dicts, one per row: None for NULL; when `typed`,
    int for counters and money rounded to 2 decimals, else plain floats (for `change`).
    Converted column by column: per-cell pandas access is too slow for day × account reports."""
    return _json_columns(frame, KPI_NAMES, typed)


def coverage_rows(frame: pd.DataFrame) -> list[dict]:
    """`coverage` of every ratio KPI per row of `frame`, keyed by KPI name (None: no row reports either side)."""
    rows = _json_columns(frame, [coverage_column(name) for name in COVERAGE_KPIS], typed=False)
    return [dict(zip(COVERAGE_KPIS, row.values(), strict=True)) for row in rows]


# Spend-based paid ratios: their basis reads best as the share of the spend they stand on.
SPEND_SIDE = {name: ("num" if numerator == "spend" else "den")
              for name, (numerator, denominator) in PAID_PAIRS.items() if "spend" in (numerator, denominator)}
SPEND_SIDE["roi"] = SPEND_SIDE["roas"]


def basis_rows(frame: pd.DataFrame) -> list[dict]:
    """What each ratio KPI of each row stands on, for readers: {kpi: {"rows": n, "of": m}} (rows
    reporting both sides / either side) plus "spend_share" (the share of the spend in its paired
    rows) for the spend-based paid KPIs. KPIs no row reports are left out."""
    out = []
    for position in range(len(frame)):
        row = {}
        for name in COVERAGE_KPIS:
            pair = PAIR_OF[name]
            of = frame[f"{pair}_any"].iloc[position]
            if pd.isna(of) or of == 0:
                continue
            row[name] = {"rows": int(frame[f"{pair}_rows"].iloc[position]), "of": int(of)}
            if name in SPEND_SIDE:
                paired = frame[f"{pair}_{SPEND_SIDE[name]}"].iloc[position]
                spend = frame["spend"].iloc[position]
                row[name]["spend_share"] = float(paired / spend) if spend and not pd.isna(spend) and not pd.isna(
                    paired) else 0.0
        out.append(row)
    return out


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
    """One row per bucket of the window (× group seen in the data) with every raw sum, KPI and coverage.

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


REPORT_COLUMNS = (*KPI_NAMES, *(coverage_column(name) for name in COVERAGE_KPIS))


def compare(current: pd.DataFrame, previous: pd.DataFrame, keys: list[str]):
    """Align a report with the report of the previous window (same keys) and compute `change`.

    Returns (current, previous, change) frames sharing one index of `keys` (current and previous
    with their coverage columns); a group present in only one of the windows gets NULLs in the other.
    """
    cur = current.set_index(keys)[list(REPORT_COLUMNS)]
    prev = previous.set_index(keys)[list(REPORT_COLUMNS)]
    index = cur.index.union(prev.index, sort=False)
    cur, prev = cur.reindex(index), prev.reindex(index)
    return cur, prev, pd.DataFrame({name: change(cur[name], prev[name]) for name in KPI_NAMES}, index=index)
