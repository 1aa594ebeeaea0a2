"""Plotly figures as pure functions: DataFrame in, figure out (None when there is nothing to draw).

No database and no request here, so every chart can be tested with a literal DataFrame.
The browser draws them with the static plotly.min.js.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from accounts.models import Platform
from accounts.platforms import PLATFORM_COLORS

from . import formatting
from .catalog import METRICS

FONT = "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, system-ui, sans-serif"
NEUTRAL = ("#4F46E5", "#0EA5E9", "#F97316", "#10B981", "#A855F7", "#EF4444")
AXIS_FORMATS = {"rate": {"tickformat": ".1%"}, "money": {"tickprefix": "¥", "tickformat": ",.0f"},
                "count": {"tickformat": ",d"}, "ratio": {"tickformat": ".2f"}}
WEEKDAYS = (gettext_lazy("周一"), gettext_lazy("周二"), gettext_lazy("周三"), gettext_lazy("周四"),
            gettext_lazy("周五"), gettext_lazy("周六"), gettext_lazy("周日"))


def _layout(fig: go.Figure, *, height: int = 320, **extra) -> go.Figure:
    fig.update_layout(
        height=height, margin=extra.pop("margin", {"l": 48, "r": 16, "t": 24, "b": 40}),
        font={"family": FONT, "size": 12, "color": "#344054"},
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hoverlabel={"font": {"family": FONT}},
        **extra,
    )
    fig.update_xaxes(gridcolor="#EEF0F3", zeroline=False)
    fig.update_yaxes(gridcolor="#EEF0F3", zeroline=False, rangemode="tozero")
    return fig


def _axis(kind: str, values=None, *, from_zero: bool = True) -> dict:
    """The axis format of `kind`; counts and money reaching 10,000 tick in 万 / 亿 in the Chinese UI
    (plotly has no such format: the ticks are computed here; hovers keep the exact values)."""
    known = [float(v) for v in (values if values is not None else []) if v is not None and v == v]
    top = max(known, default=0)
    if kind not in ("count", "money") or top < 10**4 or not (get_language() or "zh").startswith("zh"):
        return AXIS_FORMATS.get(kind, {})
    low = 0.0 if from_zero else min(known)
    raw = max(top - low, 1) / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step)
    ticks = [step * n for n in range(first, int(top // step) + 2)]
    prefix = "¥" if kind == "money" else ""
    labels = [prefix + formatting.compact("count", t) for t in ticks]
    if len(set(labels)) < len(labels):  # a range too narrow for two decimals of 万: plain numbers
        return AXIS_FORMATS.get(kind, {})
    return {"tickvals": ticks, "ticktext": labels}


def _platform_label(code: str) -> str:
    try:
        return str(Platform(code).label)
    except ValueError:
        return str(code)


def _date_axis(periods: pd.Series) -> dict:
    """Month-day ticks for short windows; year-month once a window is long enough to cross a year."""
    span = (pd.Timestamp(periods.max()) - pd.Timestamp(periods.min())).days if len(periods) else 0
    return {"tickformat": "%Y-%m" if span > 180 else "%m-%d", "hoverformat": "%Y-%m-%d"}


def _dates(series: pd.Series) -> list[str]:
    return [pd.Timestamp(v).strftime("%Y-%m-%d") for v in series]


def _usable(frame: pd.DataFrame | None, *columns: str) -> bool:
    """The columns exist and the last one (the value drawn) has at least one number."""
    if frame is None or frame.empty or any(c not in frame for c in columns):
        return False
    return bool(frame[columns[-1]].notna().any())


def follower_trend(frame: pd.DataFrame) -> go.Figure | None:
    """Follower totals per day, one line per platform. Columns: period, platform, followers."""
    if not _usable(frame, "period", "platform", "followers"):
        return None
    fig = go.Figure()
    for platform, rows in frame.dropna(subset=["followers"]).sort_values("period").groupby("platform", sort=True):
        fig.add_scatter(
            x=_dates(rows["period"]), y=rows["followers"].astype(float).tolist(), mode="lines",
            name=_platform_label(platform), line={"color": PLATFORM_COLORS.get(platform), "width": 2.5},
            hovertemplate="%{y:,d}",
        )
    fig = _layout(fig, hovermode="x unified", xaxis=_date_axis(frame["period"]),
                  yaxis=_axis("count", frame["followers"].astype(float), from_zero=False))
    return fig.update_yaxes(rangemode="normal")  # follower totals move slowly: zero would flatten every line


def engagement_by_platform(frame: pd.DataFrame) -> go.Figure | None:
    """Engagement rate per platform. Columns: platform, engagement_rate."""
    if not _usable(frame, "platform", "engagement_rate"):
        return None
    rows = frame.dropna(subset=["engagement_rate"]).sort_values("engagement_rate", ascending=False)
    fig = go.Figure(go.Bar(
        x=[_platform_label(p) for p in rows["platform"]], y=rows["engagement_rate"].astype(float).tolist(),
        marker={"color": [PLATFORM_COLORS.get(p, NEUTRAL[0]) for p in rows["platform"]]},
        text=[f"{v:.2%}" for v in rows["engagement_rate"]], textposition="outside", cliponaxis=False,
        hovertemplate="%{x}: %{y:.2%}<extra></extra>",
    ))
    return _layout(fig, yaxis=_axis("rate"), bargap=0.45)


def spend_vs_revenue(frame: pd.DataFrame) -> go.Figure | None:
    """Daily spend (bars) against attributed revenue (line). Columns: period, spend, revenue."""
    if not _usable(frame, "period", "spend") or frame[["spend", "revenue"]].isna().all().all():
        return None
    rows = frame.sort_values("period")
    x = _dates(rows["period"])
    fig = go.Figure()
    fig.add_bar(x=x, y=rows["spend"].astype(float).tolist(), name=_("花费"), marker={"color": "#94A3B8"},
                hovertemplate="¥%{y:,.2f}")
    fig.add_scatter(x=x, y=rows["revenue"].astype(float).tolist(), name=_("收入"), mode="lines+markers",
                    line={"color": "#4F46E5", "width": 2.5}, marker={"size": 5}, connectgaps=True,
                    hovertemplate="¥%{y:,.2f}")
    values = [*rows["spend"].astype(float), *rows["revenue"].astype(float)]
    return _layout(fig, hovermode="x unified", xaxis=_date_axis(rows["period"]), yaxis=_axis("money", values),
                   bargap=0.3)


def metric_trend(frame: pd.DataFrame, metrics: tuple[str, ...], *, color: str | None = None) -> go.Figure | None:
    """One line per metric over time; a second axis when rates and counts meet. Columns: period, *metrics."""
    metrics = tuple(m for m in metrics if frame is not None and m in frame and frame[m].notna().any())
    if frame is None or frame.empty or "period" not in frame or not metrics:
        return None
    rows = frame.sort_values("period")
    x = _dates(rows["period"])
    fig = go.Figure()
    first_kind = METRICS[metrics[0]].kind if metrics[0] in METRICS else "count"
    for index, name in enumerate(metrics):
        kind = METRICS[name].kind if name in METRICS else "count"
        on_second = kind != first_kind
        sparse = rows[name].notna().sum() < 3  # a lone point of a line is invisible without its marker
        fig.add_scatter(
            x=x, y=rows[name].astype(float).tolist(), mode="lines+markers" if sparse else "lines",
            name=str(METRICS[name].label),
            yaxis="y2" if on_second else "y",
            line={"color": color if index == 0 and color else NEUTRAL[index % len(NEUTRAL)], "width": 2.5,
                  "dash": "dot" if on_second else "solid"},
        )
    extra = {"yaxis2": {"overlaying": "y", "side": "right", "showgrid": False, "rangemode": "tozero",
                        **_axis("rate")}} if any(
        (METRICS[m].kind if m in METRICS else "count") != first_kind for m in metrics) else {}
    first_values = [v for m in metrics if (METRICS[m].kind if m in METRICS else "count") == first_kind
                    for v in rows[m].astype(float)]
    return _layout(fig, hovermode="x unified", xaxis=_date_axis(rows["period"]),
                   yaxis=_axis(first_kind, first_values), **extra)


def posting_heatmap_frame(posts: pd.DataFrame, timezone: str = "Asia/Shanghai") -> pd.DataFrame:
    """Median engagement rate of posts per (weekday, hour) of publishing, local time, with post counts."""
    if posts is None or posts.empty or not {"published_at", "engagement_rate"} <= set(posts.columns):
        return pd.DataFrame(columns=["weekday", "hour", "median", "posts"])
    rows = posts.dropna(subset=["published_at", "engagement_rate"])
    if "published_time_known" in rows.columns:  # a date-only publish time is not 00:00
        rows = rows[rows["published_time_known"].astype(bool)]
    published = pd.to_datetime(rows["published_at"])
    if published.dt.tz is not None:
        published = published.dt.tz_convert(timezone)
    grouped = rows.assign(weekday=published.dt.day_of_week, hour=published.dt.hour).groupby(["weekday", "hour"])
    return grouped["engagement_rate"].agg(median="median", posts="size").reset_index()


def posting_heatmap(cells: pd.DataFrame, overall_median: float | None) -> go.Figure | None:
    """Weekday × hour grid; colour = median engagement rate of the posts published then, vs the overall median."""
    if cells is None or cells.empty:
        return None
    grid = [[None] * 24 for _weekday in range(7)]
    counts = [[0] * 24 for _weekday in range(7)]
    for row in cells.itertuples():
        grid[int(row.weekday)][int(row.hour)] = float(row.median)
        counts[int(row.weekday)][int(row.hour)] = int(row.posts)
    hover = _("%{y} %{x}:00<br>中位互动率 %{z:.2%}<br>发布 %{customdata} 篇<extra></extra>")
    fig = go.Figure(go.Heatmap(
        z=grid, x=list(range(24)), y=[str(d) for d in WEEKDAYS], customdata=counts, hovertemplate=hover,
        colorscale=[[0, "#F1F5F9"], [0.5, "#A5B4FC"], [1, "#3730A3"]], xgap=2, ygap=2,
        zmid=overall_median if overall_median else None,
        colorbar={"tickformat": ".1%", "thickness": 10, "title": {"text": _("中位互动率")}},
    ))
    fig.update_yaxes(autorange="reversed", rangemode="normal")
    return _layout(fig, height=300, xaxis={"dtick": 2, "title": {"text": _("发布时段（时）")}})


def campaign_comparison(frame: pd.DataFrame) -> go.Figure | None:
    """Spend and revenue per campaign, coloured by platform. Columns: campaign_name, platform, spend, revenue."""
    if not _usable(frame, "campaign_name", "spend"):
        return None
    rows = frame.dropna(subset=["spend"]).sort_values("spend", ascending=True).tail(15)
    names = rows["campaign_name"].astype(str).tolist()
    fig = go.Figure()
    fig.add_bar(y=names, x=rows["spend"].astype(float).tolist(), orientation="h", name=_("花费"),
                marker={"color": [PLATFORM_COLORS.get(p, NEUTRAL[0]) for p in rows["platform"]]},
                hovertemplate="%{y}: ¥%{x:,.2f}<extra></extra>")
    if "revenue" in rows and rows["revenue"].notna().any():
        fig.add_scatter(y=names, x=rows["revenue"].astype(float).tolist(), mode="markers", name=_("收入"),
                        marker={"color": "#4F46E5", "size": 10, "symbol": "diamond"},
                        hovertemplate="%{y}: ¥%{x:,.2f}<extra></extra>")
    fig.update_yaxes(rangemode="normal")
    values = [*rows["spend"].astype(float), *(rows["revenue"].astype(float) if "revenue" in rows else [])]
    return _layout(fig, height=max(260, 40 + 32 * len(names)), xaxis=_axis("money", values),
                   margin={"l": 140, "r": 16, "t": 24, "b": 40})


def to_json(figure: go.Figure | None) -> str | None:
    """JSON for a <script type="application/json"> tag: '<', '>' and '&' escaped so titles cannot break out."""
    if figure is None:
        return None
    return figure.to_json().replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
