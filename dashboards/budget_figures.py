"""The budget page's Plotly figures, pure like dashboards.figures: DataFrames in, figure (or None) out."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from django.utils.translation import gettext as _

from accounts.platforms import PLATFORM_COLORS

from .figures import NEUTRAL, _axis, _layout, _platform_label


def _color(platform: str) -> str:
    return PLATFORM_COLORS.get(platform, NEUTRAL[sum(map(ord, platform)) % len(NEUTRAL)])  # stable across runs


def response_curves(curves: pd.DataFrame, points: pd.DataFrame, plan: pd.DataFrame) -> go.Figure | None:
    """Expected daily revenue against daily spend per platform: the fitted curve (line), the days it was
    fitted to (dots), today's spend (circle) and the recommended spend (star).

    curves: platform, spend, revenue · points: platform, spend, revenue · plan: platform, spend,
    expected_revenue_now, recommended_spend, expected_revenue_recommended."""
    if curves is None or curves.empty:
        return None
    fig = go.Figure()
    money = "¥%{x:,.0f} → ¥%{y:,.0f}"
    for platform, line in curves.groupby("platform", sort=True):
        color, name = _color(platform), _platform_label(platform)
        days = points[points["platform"] == platform] if points is not None and not points.empty else points
        if days is not None and not days.empty:
            fig.add_scatter(
                x=days["spend"].tolist(),
                y=days["revenue"].tolist(),
                mode="markers",
                name=name,
                legendgroup=platform,
                showlegend=False,
                marker={"color": color, "size": 5, "opacity": 0.3},
                hovertemplate=_("%(platform)s 某天：") % {"platform": name} + money + "<extra></extra>",
            )
        fig.add_scatter(
            x=line["spend"].tolist(),
            y=line["revenue"].tolist(),
            mode="lines",
            name=name,
            legendgroup=platform,
            line={"color": color, "width": 2.5},
            hovertemplate=name + " " + money + "<extra></extra>",
        )
        row = plan[plan["platform"] == platform]
        if not row.empty:
            row = row.iloc[0]
            fig.add_scatter(
                x=[row["spend"]],
                y=[row["expected_revenue_now"]],
                mode="markers",
                legendgroup=platform,
                showlegend=False,
                marker={"color": color, "size": 11, "symbol": "circle-open", "line": {"width": 2.5}},
                hovertemplate=_("%(platform)s 当前：") % {"platform": name} + money + "<extra></extra>",
            )
            fig.add_scatter(
                x=[row["recommended_spend"]],
                y=[row["expected_revenue_recommended"]],
                mode="markers",
                legendgroup=platform,
                showlegend=False,
                marker={"color": color, "size": 14, "symbol": "star", "line": {"width": 1, "color": "#fff"}},
                hovertemplate=_("%(platform)s 建议：") % {"platform": name} + money + "<extra></extra>",
            )
    fig = _layout(
        fig,
        height=380,
        xaxis={**_axis("money"), "title": {"text": _("每日花费")}},
        yaxis={**_axis("money"), "title": {"text": _("预期每日收入")}},
    )
    return fig


def spend_comparison(plan: pd.DataFrame) -> go.Figure | None:
    """Current against recommended daily spend per platform, with the bounds as error bars.
    Columns: platform, spend, recommended_spend, lower, upper."""
    if plan is None or plan.empty:
        return None
    names = [_platform_label(p) for p in plan["platform"]]
    fig = go.Figure()
    fig.add_bar(
        x=names,
        y=plan["spend"].tolist(),
        name=_("当前"),
        marker={"color": "#CBD5E1"},
        hovertemplate="%{x}: ¥%{y:,.2f}<extra></extra>",
    )
    recommended = plan["recommended_spend"]
    fig.add_bar(
        x=names,
        y=recommended.tolist(),
        name=_("建议"),
        marker={"color": [_color(p) for p in plan["platform"]]},
        error_y={
            "type": "data",
            "symmetric": False,
            "color": "#64748B",
            "array": (plan["upper"] - recommended).tolist(),
            "arrayminus": (recommended - plan["lower"]).tolist(),
        },
        hovertemplate="%{x}: ¥%{y:,.2f}<extra></extra>",
    )
    return _layout(fig, yaxis=_axis("money"), barmode="group", bargap=0.35)


def budget_response(curve: pd.DataFrame, current_total: float, total: float) -> go.Figure | None:
    """Expected revenue of the best plan at each daily budget the bounds allow; lines at today's spend
    and at the budget planned. Columns: total, expected_revenue."""
    if curve is None or curve.empty:
        return None
    fig = go.Figure(
        go.Scatter(
            x=curve["total"].tolist(),
            y=curve["expected_revenue"].tolist(),
            mode="lines",
            name=_("最优分配下的预期收入"),
            line={"color": "#4F46E5", "width": 2.5},
            hovertemplate=_("预算 ¥%{x:,.0f}/天 → ¥%{y:,.0f}/天") + "<extra></extra>",
        )
    )
    marks = [(total, _("本次预算"), "dash")]
    if abs(current_total - total) > 0.005:  # one line when the budget is today's spend
        marks.append((current_total, _("当前花费"), "dot"))
    for x, label, dash in marks:
        fig.add_vline(x=x, line={"color": "#94A3B8", "dash": dash}, annotation_text=label, annotation_position="top left")
    return _layout(
        fig,
        xaxis={**_axis("money"), "title": {"text": _("每日预算")}},
        yaxis={**_axis("money"), "title": {"text": _("预期每日收入")}},
    )
