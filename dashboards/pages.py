"""The data of each dashboard page, read through analytics.selectors (the same reads as the API)."""

from __future__ import annotations

import pandas as pd
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import tenancy
from accounts.models import Platform, SocialAccount
from analytics import selectors
from analytics.models import Campaign

from . import channels, coverage, figures, formatting
from .catalog import CAMPAIGN_COLUMNS, DRILLDOWN_COMMON, METRICS, OVERVIEW_CARDS, PLATFORM_NATIVE
from .context import query_string
from .forms import Filters
from .tables import Column, Table, metric_column

TOP_N = 5
POSTS_SHOWN = 50


def report_frame(report: dict) -> pd.DataFrame:
    """One row per result: period, the group keys present, and every KPI as a column."""
    rows = []
    for result in report.get("results", []):
        row = {key: value for key, value in result.items() if key not in ("kpis", "previous", "change")}
        row.update({name: (float(v) if v is not None else None) for name, v in result.get("kpis", {}).items()})
        rows.append(row)
    frame = pd.DataFrame(rows)
    if "period" in frame:
        frame["period"] = pd.to_datetime(frame["period"])
    return frame


def money_per_day(by_platform_day: pd.DataFrame) -> pd.DataFrame:
    """Daily spend and revenue of all platforms: raw sums add up across platforms (NULL stays NULL)."""
    if by_platform_day.empty or "spend" not in by_platform_day:
        return pd.DataFrame(columns=["period", "spend", "revenue"])
    return by_platform_day.groupby("period")[["spend", "revenue"]].sum(min_count=1).reset_index()


def cards(result: dict | None, names) -> list[dict]:
    """KPI cards: value, change vs the previous period and whether that change is good news."""
    kpis = (result or {}).get("kpis", {})
    changes = (result or {}).get("change") or {}
    previous = (result or {}).get("previous") or {}
    badges = coverage.badges(result, names)
    return [
        {
            "name": name, "label": METRICS[name].label, "value": kpis.get(name),
            "display": formatting.metric_value(name, kpis.get(name)),
            "exact": formatting.metric_exact(name, kpis.get(name)), "badge": badges.get(name),
            "previous": formatting.metric_value(name, previous.get(name)),
            "change": changes.get(name), "change_display": formatting.change(changes.get(name)),
            "tone": formatting.change_tone(name, changes.get(name)),
        }
        for name in names
    ]


def _first(report: dict) -> dict | None:
    results = report.get("results") or []
    return results[0] if results else None


def _report(organization, filters: Filters, **kwargs) -> dict:
    return selectors.kpi_report(organization=organization, **filters.selector_kwargs(), basis=True, **kwargs)


def _platform_label(code) -> str:
    return str(Platform(code).label) if code in Platform.values else str(code or "")


def _account_rows(report: dict, names) -> list[dict]:
    accounts = {a.pk: a for a in SocialAccount.objects.filter(pk__in=[r.get("account") for r in report["results"]])}
    rows = []
    for result in report["results"]:
        account = accounts.get(result.get("account"))
        rows.append({
            "account_name": account.name if account else result.get("account"),
            "platform_name": _platform_label(account.platform if account else result.get("platform")),
            **{name: result["kpis"].get(name) for name in names},
            "badges": coverage.badges(result, names), "coverage": result.get("coverage"),
        })
    return rows


# ----------------------------------------------------------------------------- overview


def overview(organization, filters: Filters) -> dict:
    total = _report(organization, filters, compare="previous")
    by_platform = _report(organization, filters, group_by="platform")
    by_platform_day = report_frame(_report(organization, filters, group_by="platform", granularity="day"))
    platform_frame = report_frame(by_platform)
    summary_names = ("followers", "net_followers", "views", "interactions", "engagement_rate", "spend", "revenue", "roi")
    summary = Table(
        "platforms", _("分平台汇总"),
        [Column("platform_name", _("平台")), *(metric_column(n) for n in summary_names)],
        [{"platform_name": _platform_label(r.get("platform")), "platform": r.get("platform"),
          **{n: r["kpis"].get(n) for n in summary_names}, "badges": coverage.badges(r, summary_names),
          "coverage": r.get("coverage")}
         for r in by_platform["results"]],
        empty=_("这个时间段还没有数据。到「数据状态」页同步账号或导入导出文件。"),
    )
    return {
        "cards": cards(_first(total), OVERVIEW_CARDS),
        "figures": {
            "followers": figures.to_json(figures.follower_trend(by_platform_day)),
            "engagement": figures.to_json(figures.engagement_by_platform(platform_frame)),
            "spend_revenue": figures.to_json(figures.spend_vs_revenue(money_per_day(by_platform_day))),
        },
        "tables": [summary],
    }


# ----------------------------------------------------------------------------- platform drill-down


def drilldown(organization, filters: Filters) -> dict:
    present = list(
        tenancy.scoped(SocialAccount.objects.all(), organization).values_list("platform", flat=True).distinct()
    )
    platform = filters.account.platform if filters.account else filters.platform
    if platform is None and present:
        platform = next(p for p in Platform.values if p in present)
    if platform is None:
        return {"platform": None, "present_platforms": [], "cards": [], "figures": {}, "tables": []}
    scoped = Filters(filters.preset, filters.start, filters.end, platform, filters.account)
    names = tuple(dict.fromkeys((*PLATFORM_NATIVE.get(platform, ()), *DRILLDOWN_COMMON)))
    total = _report(organization, scoped, compare="previous")
    daily = _report(organization, scoped, granularity="day")
    per_account = _report(organization, scoped, group_by="account")
    table = Table(
        "accounts", _("账号明细"),
        [Column("account_name", _("账号")), *(metric_column(n) for n in names)],
        _account_rows(per_account, names),
        empty=_("这个平台在所选时间段没有数据。到「数据状态」页同步账号或导入导出文件。"),
    )
    trend = figures.metric_trend(report_frame(daily), ("views", "engagement_rate"),
                                 color=figures.PLATFORM_COLORS.get(platform))
    native = figures.metric_trend(report_frame(daily), PLATFORM_NATIVE.get(platform, ())[:1],
                                  color=figures.PLATFORM_COLORS.get(platform))
    return {
        "platform": platform,
        "platform_label": _platform_label(platform),
        "present_platforms": [(p, _platform_label(p)) for p in Platform.values if p in present],
        "cards": cards(_first(total), names),
        "native_metric": METRICS[PLATFORM_NATIVE[platform][0]].label if platform in PLATFORM_NATIVE else "",
        "figures": {"trend": figures.to_json(trend), "native": figures.to_json(native)},
        "tables": [table, *([channels.oa_followers_from_channels(organization, filters.start, filters.end)]
                            if platform == Platform.WECHAT_CHANNELS else [])],
    }


# ----------------------------------------------------------------------------- content

POST_METRICS = ("views", "interactions", "engagement_rate", "likes", "comments", "shares", "saves", "completion_rate")
GROWTH_METRICS = ("views", "interactions", "likes", "comments", "shares", "saves")


def _post_columns(view: str = "published") -> list[Column]:
    growth = [Column(f"{n}_growth", _("%(metric)s增长") % {"metric": METRICS[n].label}, "count", sortable=True)
              for n in GROWTH_METRICS] if view == "activity" else []
    return [
        Column("title", _("标题")), Column("platform_name", _("平台")), Column("account_name", _("账号")),
        Column("published_at", _("发布时间"), "datetime", sortable=True), *growth,
        *(metric_column(n, sortable=True) for n in POST_METRICS),
    ]


def _post_rows(posts: pd.DataFrame) -> list[dict]:
    rows = posts.astype(object).where(posts.notna(), None).to_dict("records")
    for row in rows:
        row["platform_name"] = _platform_label(row.get("platform"))
        row["detail_url"] = reverse("dashboards:post_detail", args=[row["post"]])
        if row.get("published_at") is not None and not row.get("published_time_known", True):
            row["published_at"] = row["published_at"].date()  # the day only: no made-up 00:00
    return rows


def content(organization, filters: Filters, sort: str, view: str = "published") -> dict:
    """Posts published in the window (counters as of its last day), or with view "activity" the
    posts whose counters grew in it (KPIS.md, "Posts in a window")."""
    posts = selectors.post_performance(organization=organization, **filters.selector_kwargs(), ordering=sort,
                                       view=view)
    empty = (_("这个时间段没有发布作品。切换到「本期有增长」查看以前发布、本期仍有增长的作品。") if view == "published"
             else _("这个时间段没有作品的数据有增长。同步账号，或在「数据状态」页导入作品/笔记导出文件。"))
    if posts is None or posts.empty:
        return {"posts_count": 0, "figures": {}, "view": view, "sort": sort,
                "tables": [Table("posts", _("内容表现"), _post_columns(view), empty=empty)], "top": [], "bottom": []}
    ranked = posts.dropna(subset=["engagement_rate"]).sort_values("engagement_rate", ascending=False)
    cells = figures.posting_heatmap_frame(posts)
    overall = ranked["engagement_rate"].median() if not ranked.empty else None
    return {
        "view": view,
        "qs": query_string(filters, view=view),  # sorting and downloads keep the view
        "untimed_posts": int((~posts["published_time_known"].astype(bool)).sum()),
        "posts_count": len(posts),
        "median_engagement_rate": overall,
        "top": _post_rows(ranked.head(TOP_N)),
        "bottom": _post_rows(ranked.tail(TOP_N).iloc[::-1]) if len(ranked) > TOP_N else [],
        "figures": {"heatmap": figures.to_json(figures.posting_heatmap(cells, overall))},
        "tables": [Table("posts", _("内容表现"), _post_columns(view), _post_rows(posts), empty=empty,
                         shown=POSTS_SHOWN)],
        "sort": sort,
    }


SNAPSHOT_METRICS = ("views", "likes", "comments", "shares", "saves", "completion_rate")


def post_detail(organization, filters: Filters, post_id: int) -> dict | None:
    """One post: its KPIs as of the window's end, its daily snapshots (trend and table), a link out."""
    posts = selectors.post_performance(organization=organization, start=None, end=filters.end, post=post_id)
    if posts.empty:
        return None
    (post,) = _post_rows(posts)
    snapshots = selectors.post_snapshot_series(organization=organization, post=post_id)
    names = ("views", "interactions", "engagement_rate", "likes", "comments", "shares", "saves", "completion_rate")
    result = {"kpis": {name: post.get(name) for name in names}}
    trend = figures.metric_trend(snapshots.rename(columns={"date": "period"}), ("views", "interactions"),
                                 color=figures.PLATFORM_COLORS.get(post["platform"]))
    table = Table(
        "snapshots", _("每日快照（累计值）"),
        [Column("date", _("日期"), "date"), *(metric_column(n) for n in (*SNAPSHOT_METRICS[:1], "interactions",
                                                                        *SNAPSHOT_METRICS[1:]))],
        snapshots.astype(object).where(snapshots.notna(), None).to_dict("records"),
        empty=_("这篇作品还没有快照。"),
    )
    return {"post": post, "cards": cards(result, names), "hide_change": True, "figures": {"trend": figures.to_json(trend)},
            "tables": [table], "as_of": post.get("snapshot_date")}


# ----------------------------------------------------------------------------- campaigns


def campaigns(organization, filters: Filters) -> dict:
    per_campaign = _report(organization, filters, group_by="campaign")
    per_platform = _report(organization, filters, group_by="platform")
    total = _report(organization, filters, compare="previous")
    daily = _report(organization, filters, granularity="day")
    known = {c.pk: c for c in tenancy.scoped(Campaign.objects.all(), organization)}
    campaign_rows = []
    for result in per_campaign["results"]:
        campaign = known.get(result.get("campaign"))
        campaign_rows.append({
            "campaign_name": campaign.name if campaign else str(result.get("campaign")),
            "platform": campaign.platform if campaign else result.get("platform"),
            "platform_name": _platform_label(campaign.platform if campaign else result.get("platform")),
            **{n: result["kpis"].get(n) for n in CAMPAIGN_COLUMNS},
            "badges": coverage.badges(result, CAMPAIGN_COLUMNS), "coverage": result.get("coverage"),
        })
    campaign_rows.sort(key=lambda r: -(r.get("spend") or 0))
    platform_rows = [
        {"platform": r.get("platform"), "platform_name": _platform_label(r.get("platform")),
         **{n: r["kpis"].get(n) for n in CAMPAIGN_COLUMNS}, "badges": coverage.badges(r, CAMPAIGN_COLUMNS),
         "coverage": r.get("coverage")}
        for r in per_platform["results"] if r["kpis"].get("spend") is not None
    ]
    metric_columns = [metric_column(n) for n in CAMPAIGN_COLUMNS]
    empty = _("这个时间段没有投放数据。在「数据状态」页导入投放报表（campaign_csv），或同步小红书聚光账号。")
    return {
        "cards": cards(_first(total), ("spend", "revenue", "conversions", "cpa", "roas", "roi")),
        "figures": {
            "campaigns": figures.to_json(figures.campaign_comparison(pd.DataFrame(campaign_rows))),
            "spend_revenue": figures.to_json(figures.spend_vs_revenue(report_frame(daily))),
        },
        "tables": [
            Table("campaigns", _("分投放计划"), [Column("campaign_name", _("投放计划")), Column("platform_name", _("平台")),
                                               *metric_columns], campaign_rows, empty=empty),
            Table("campaign_platforms", _("分平台投放"), [Column("platform_name", _("平台")), *metric_columns],
                  platform_rows, empty=empty),
        ],
    }
