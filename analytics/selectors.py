"""Reads for the API, dashboards, reports and alerts: every KPI goes through here.

Thin layer: validate, fetch partials with frames.py (one GROUP BY query per source), compute with
kpis.py, shape for JSON.
"""

from datetime import date

import pandas as pd

from accounts.models import Platform
from analytics import frames, kpis
from analytics.errors import QueryError

MAX_WINDOW_DAYS = 3 * 365 + 1  # three years, one of them possibly a leap year
COMPARES = ("previous",)
SERIES_METRICS = ("followers", "views", "interactions", "engagement_rate", "spend", "revenue")
POST_ORDERINGS = (
    "published_at", "views", "impressions", "likes", "comments", "shares", "saves", "interactions",
    "engagement_rate", "completion_rate",
)


def _validate_window(start, end) -> None:
    if not isinstance(start, date) or not isinstance(end, date):
        raise QueryError("start and end must be dates (YYYY-MM-DD)")
    if end < start:
        raise QueryError(f"end ({end.isoformat()}) is before start ({start.isoformat()})")
    if kpis.window_days(start, end) > MAX_WINDOW_DAYS:
        raise QueryError(f"window of {kpis.window_days(start, end)} days is longer than 3 years ({MAX_WINDOW_DAYS} days)")


def _validate_choice(name: str, value, choices, suffix: str = "") -> None:
    if value not in choices:
        raise QueryError(f"unknown {name} {value!r}; expected one of {', '.join(choices)}{suffix}")


def _validate_platform(platform) -> None:
    if platform:  # "" (an empty form field) means every platform
        _validate_choice("platform", platform, Platform.values)


def _report_frame(*, organization, start, end, platform, account, campaign, granularity, group_by, shift=0):
    common = {"organization": organization, "start": start, "end": end, "granularity": granularity,
              "platform": platform, "account": account, "shift": shift}
    # Organic data cannot be attributed to a campaign: with a campaign filter or grouping only the
    # paid KPIs are defined, the organic ones stay NULL.
    organic_too = campaign is None and group_by != "campaign"
    return kpis.report(
        organic=frames.organic_partials(**common) if organic_too else None,
        paid=frames.paid_partials(**common, campaign=campaign, group_by=group_by),
        posts=frames.post_partials(**common, group_by=group_by) if organic_too else None,
        start=start, end=end, granularity=granularity, group_by=group_by,
    )


def _key_value(value):
    if value is None or pd.isna(value):
        return None
    return value if isinstance(value, str) else int(value)


def kpi_report(
    *,
    organization,
    start: date,
    end: date,
    platform: str | None = None,
    account: int | None = None,
    campaign: int | None = None,
    granularity: str = "total",
    group_by: str | None = None,
    compare: str | None = None,
    basis: bool = False,
) -> dict:
    """The KPI response of CONTRACT.md: every KPI of KPIS.md and the raw sums it is built from, per
    bucket (and group), optionally with the previous window and the change against it.

    `coverage` (and `previous_coverage`) holds, per ratio KPI, the share of the rows reporting
    either side of the ratio that report both (KPIS.md, "Coverage"): the ratio stands on those rows.
    `period` is the first day of the bucket inside the window. `followers` is the follower total at
    the end of the period (latest value reported in it, summed over accounts). Money (spend,
    revenue) is a float rounded to 2 decimals; rates are unrounded fractions. Paid rows without an
    account are grouped under `"account": null` when grouping by account. With `basis` (the
    dashboards' coverage badges) each result also says what each ratio stands on (kpis.basis_rows).
    """
    _validate_window(start, end)
    _validate_platform(platform)
    _validate_choice("granularity", granularity, kpis.GRANULARITIES)
    if group_by is not None:
        _validate_choice("group_by", group_by, kpis.GROUP_KEYS)
    for name, value in (("account", account), ("campaign", campaign)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise QueryError(f"{name} must be an integer id, got {value!r}")
    if compare is not None:
        _validate_choice("compare", compare, COMPARES)

    args = {"organization": organization, "start": start, "end": end, "platform": platform, "account": account,
            "campaign": campaign, "granularity": granularity, "group_by": group_by}
    current = _report_frame(**args)
    keys = ["period"] + ([group_by] if group_by else [])
    if compare == "previous":
        previous = _report_frame(**args, shift=kpis.window_days(start, end))
        cur, prev, chg = kpis.compare(current, previous, keys)
    else:
        cur, prev, chg = current.set_index(keys)[list(kpis.REPORT_COLUMNS)], None, None

    keys_out = cur.index.to_frame(index=False)
    current_rows, current_coverage = kpis.json_rows(cur), kpis.coverage_rows(cur)
    previous_rows = kpis.json_rows(prev) if prev is not None else None
    previous_coverage = kpis.coverage_rows(prev) if prev is not None else None
    basis_rows = kpis.basis_rows(current.set_index(keys).reindex(cur.index)) if basis else None
    change_rows = kpis.json_rows(chg, typed=False) if chg is not None else None
    results = []
    for position, period in enumerate(keys_out["period"]):
        item = {"period": period.isoformat()}
        if group_by:
            item[group_by] = _key_value(keys_out[group_by].iloc[position])
        item["kpis"] = current_rows[position]
        item["coverage"] = current_coverage[position]
        if basis_rows is not None:
            item["basis"] = basis_rows[position]
        if previous_rows is not None:
            item["previous"] = previous_rows[position]
            item["previous_coverage"] = previous_coverage[position]
            item["change"] = change_rows[position]
        results.append(item)
    results.sort(key=lambda r: (r["period"], r.get(group_by) is None, r.get(group_by) or 0) if group_by else r["period"])
    return {"start": start.isoformat(), "end": end.isoformat(), "granularity": granularity, "results": results}


def post_performance(
    *,
    organization,
    start: date | None,
    end: date | None,
    platform: str | None = None,
    account: int | None = None,
    post: int | None = None,
    ordering: str = "-engagement_rate",
    limit: int | None = None,
    view: str = "published",
) -> pd.DataFrame:
    """The posts of a window and their KPIs — the one rule the API and the dashboards share
    (KPIS.md, "Posts in a window"):

    view "published" (default): the posts published in the window (the account's local day), with
    their lifetime counters as of their latest snapshot on or before `end`. View "activity": the
    posts whose counters grew in the window, with `<counter>_growth` (latest snapshot in the window
    − latest snapshot before it; a post published in the window grew from 0, an older post without
    an earlier snapshot has unknown growth) and `interactions_growth`. `start` or `end` may be None
    (that side of the window is open; both None = every post, numbers from the latest snapshot).

    Columns: post, external_id, kind, title, url, published_at (Asia/Shanghai), published_time_known,
    account, account_name, platform, snapshot_date, the post counters, completion_rate,
    avg_watch_seconds, interactions and engagement_rate (NaN = NULL). `ordering` is a column of
    POST_ORDERINGS (or a growth column in the activity view), optionally prefixed with "-" for
    descending; NULLs sort last, ties by post id.
    """
    if start is not None or end is not None:
        _validate_window(start or end, end or start)
    _validate_platform(platform)
    _validate_choice("view", view, frames.POST_VIEWS)
    column = ordering.removeprefix("-")
    _validate_choice("ordering", column, POST_ORDERINGS + (GROWTH_ORDERINGS if view == "activity" else ()),
                     " (optionally with '-')")
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise QueryError(f"limit must be a positive integer, got {limit!r}")
    posts = frames.post_snapshots(organization=organization, start=start, end=end, platform=platform, account=account,
                                  post=post, view=view)
    posts = kpis.engagement(posts)
    if view == "activity":
        posts = _with_growth(posts, start)
    posts = posts.sort_values([column, "post"], ascending=[not ordering.startswith("-"), True], na_position="last")
    return posts.head(limit).reset_index(drop=True) if limit else posts.reset_index(drop=True)


GROWTH_COUNTERS = ("views", "likes", "comments", "shares", "saves", "interactions")
GROWTH_ORDERINGS = tuple(f"{name}_growth" for name in GROWTH_COUNTERS)


def _with_growth(posts: pd.DataFrame, start: date | None) -> pd.DataFrame:
    """Growth columns of the activity view; keeps the posts with a counter that grew."""
    before = pd.DataFrame({c: posts.get(f"before_{c}", pd.Series(float("nan"), index=posts.index))
                           for c in kpis.INTERACTION_TERMS + ("views",)})
    before["interactions"] = kpis.sum_skipna(before, list(kpis.INTERACTION_TERMS))
    published = posts["published_at"]
    # No snapshot before the window: a post published in it grew from nothing; an older one is unknown.
    # (Compared as local timestamps: a column of unknown publish times has no dates to compare.)
    from_zero = (published >= pd.Timestamp(start, tz=published.dt.tz)) if start else pd.Series(True, index=posts.index)
    for name in GROWTH_COUNTERS:
        earlier = before[name].where(before[name].notna() | ~from_zero.fillna(False), 0.0)
        posts[f"{name}_growth"] = posts[name] - earlier
    grew = (posts[list(GROWTH_ORDERINGS)] > 0).any(axis=1)
    return posts[grew].drop(columns=[c for c in posts.columns if c.startswith("before_")])


def post_snapshot_series(*, organization, post: int) -> pd.DataFrame:
    """Every daily snapshot of one post (lifetime counters as of each day), oldest first, with
    interactions and engagement_rate; columns `date` (datetime64), counters, rates (NaN = NULL)."""
    snapshots = kpis.engagement(frames.post_daily_snapshots(organization=organization, post=post))
    snapshots["date"] = pd.to_datetime(snapshots["date"])
    return snapshots


def daily_series(
    *,
    organization,
    start: date,
    end: date,
    platform: str | None = None,
    account: int | None = None,
    metrics: tuple[str, ...] = SERIES_METRICS,
) -> pd.DataFrame:
    """Per day × platform series for charts: columns `date` (datetime64), `platform` and `metrics`
    (any KPI name; NaN = NULL). Every day of the window appears for every platform with data."""
    _validate_window(start, end)
    _validate_platform(platform)
    unknown = [m for m in metrics if m not in kpis.KPI_NAMES]
    if unknown:
        raise QueryError(f"unknown metrics {', '.join(unknown)}; expected KPI names of KPIS.md")
    report = _report_frame(organization=organization, start=start, end=end, platform=platform, account=account,
                           campaign=None, granularity="day", group_by="platform")
    series = report[["period", "platform", *metrics]].rename(columns={"period": "date"})
    series["date"] = pd.to_datetime(series["date"])
    return series.sort_values(["date", "platform"]).reset_index(drop=True)
