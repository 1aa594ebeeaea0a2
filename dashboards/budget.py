"""The budget planner page (投放 › 预算规划): the curves, today's and the recommended split, what-if, export.

Reads through analytics.budget_frames.budget_plan, as GET /api/v1/budget-plan/ does; the what-if
controls are a GET form, so every plan has a URL that can be shared and exported.
"""

from __future__ import annotations

import pandas as pd
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Platform
from analytics import budget
from analytics.budget_frames import budget_plan

from . import budget_figures, figures, formatting
from .context import filter_form, organization_required, page_context
from .tables import Column, Table
from .views import _respond

WHAT_IF_FIELDS = ("total", "scenario_platform", "cpa_change", "cvr_change")
# The planner's reasons, as a marketer reads them (details and numbers: docs/BUDGET.md).
WARNING_TEXT = {
    "revenue_not_tracked": gettext_lazy("没有同时上报花费和收入的日子，保持当前花费。"),
    "no_spend": gettext_lazy("所选时间段没有花费，保持为 0。"),
    "no_revenue": gettext_lazy("有花费但收入为 0：边际 ROAS 为 0，按下限分配。"),
    "too_few_days": gettext_lazy("同时有花费和收入的天数不足 %(days)s 天，改用平均 ROAS。"),
    "flat_spend": gettext_lazy("每日花费几乎不变，看不出收益递减，改用平均 ROAS。"),
    "poor_fit": gettext_lazy("曲线对每日收入的解释度太低，改用平均 ROAS。"),
    "no_saturation": gettext_lazy("在已投放的花费范围内看不到收益递减，按平均 ROAS 计算。"),
    "extrapolated": gettext_lazy("建议花费超过了历史单日最高花费，属于外推，请小步验证。"),
    "no_data": gettext_lazy("所选时间段没有投放花费，无法规划。"),
}
MODEL_TEXT = {
    budget.SATURATING: gettext_lazy("收益递减曲线"),
    budget.AVERAGE_ROAS: gettext_lazy("平均 ROAS"),
    budget.HELD: gettext_lazy("保持不变"),
}
CHANGE_TEXT = {"cpa": gettext_lazy("获客成本 (CPA)"), "cvr": gettext_lazy("转化率 (CVR)")}


class WhatIfForm(forms.Form):
    """The what-if controls: budget, one platform's (or every platform's) CPA and CVR change in percent, and
    per-platform bounds in CNY per day."""

    total = forms.DecimalField(required=False, min_value=0, decimal_places=2, label=gettext_lazy("每日预算（¥）"))
    scenario_platform = forms.ChoiceField(
        choices=[("", gettext_lazy("全部平台")), *Platform.choices], required=False, label=gettext_lazy("假设作用于")
    )
    cpa_change = forms.DecimalField(
        required=False, min_value=-90, max_value=500, decimal_places=1, label=gettext_lazy("CPA 变化（%）")
    )
    cvr_change = forms.DecimalField(
        required=False, min_value=-90, max_value=500, decimal_places=1, label=gettext_lazy("转化率变化（%）")
    )

    def __init__(self, data, **kwargs):
        super().__init__(data, **kwargs)
        for code in Platform.values:
            for side in ("min", "max"):
                self.fields[f"{side}_{code}"] = forms.DecimalField(required=False, min_value=0, decimal_places=2)

    def plan_options(self) -> dict:
        """Options for budget_plan; only valid fields count (the errors are shown by the form)."""
        data = self.cleaned_data if self.is_valid() else {}

        def number(name):
            value = data.get(name)
            return None if value is None else float(value)

        bounds = {code: (number(f"min_{code}"), number(f"max_{code}")) for code in Platform.values}
        return {
            "total": number("total"),
            "bounds": {code: pair for code, pair in bounds.items() if pair != (None, None)},
            "scenario": budget.Scenario(
                cpa_change=(number("cpa_change") or 0.0) / 100,
                cvr_change=(number("cvr_change") or 0.0) / 100,
                platform=data.get("scenario_platform") or None,
            ),
        }


def plan_error_text(error: budget.PlanError) -> str:
    numbers = {k: formatting.money(v) if isinstance(v, float) else v for k, v in error.numbers.items()}
    if error.code == "budget_outside_bounds":
        return (
            _("各平台上下限合计只允许每天 %(low)s – %(high)s，%(total)s 的预算放不进去。请调整预算或放宽上下限。") % numbers
        )
    if error.code == "bounds_reversed":
        return _("%(platform)s 的下限 %(low)s 高于上限 %(high)s。") % numbers
    return str(error)


def _label(platform) -> str:
    return str(Platform(platform).label) if platform in Platform.values else str(platform or _("全部平台"))


def _warning_text(warning: budget.SeriesWarning) -> str:
    text = WARNING_TEXT.get(warning.code)
    return str(text) % {"days": budget.MIN_FIT_DAYS} if text else warning.detail


def _platform_rows(plan: budget.Plan) -> list[dict]:
    rows = []
    for platform, row in plan.platforms.iterrows():
        held = row["model"] == budget.HELD
        rows.append(
            {
                "platform": platform,
                "platform_name": _label(platform),
                "spend": row["spend"],
                "revenue": row["revenue"],
                "roas": row["roas"],
                "marginal_roas": None if held else row["marginal_roas"],
                "lower": row["lower"],
                "upper": row["upper"],
                "recommended_spend": row["recommended_spend"],
                "spend_change": row["recommended_spend"] / row["spend"] - 1 if row["spend"] > 0 else None,
                "expected_revenue_now": row["expected_revenue_now"],
                "expected_revenue_recommended": row["expected_revenue_recommended"],
                "model_name": str(MODEL_TEXT[row["model"]]),
                "fit_quality": row["fit_quality"],
                "days": int(row["days"]),
            }
        )
    return rows


def _campaign_rows(plan: budget.Plan) -> list[dict]:
    return [
        {
            "campaign_name": row.get("name", str(campaign)),
            "platform": row["platform"],
            "platform_name": _label(row["platform"]),
            "spend": row["spend"],
            "roas": row["roas"],
            "marginal_roas": None if row["model"] == budget.HELD else row["marginal_roas"],
            "recommended_spend": row["recommended_spend"],
            "model_name": str(MODEL_TEXT[row["model"]]),
            "fit_quality": row["fit_quality"],
        }
        for campaign, row in budget.records(plan.campaigns)
    ]


def _sensitivity_rows(plan: budget.Plan) -> list[dict]:
    return [
        {
            "scope": _label(row["platform"]),
            "change": f"{CHANGE_TEXT[row['change']]} {row['amount']:+.0%}",
            "expected_revenue_kept": row["expected_revenue_kept"],
            "expected_roi_kept": row["expected_roi_kept"],
            "expected_revenue_replanned": row["expected_revenue_replanned"],
            "expected_roi_replanned": row["expected_roi_replanned"],
            "roi_change": row["roi_change"],
            "split": " · ".join(f"{_label(p)} {formatting.money(v)}" for p, v in row["recommended_spend"].items()),
        }
        for row in plan.sensitivity
    ]


def _tables(plan: budget.Plan) -> list[Table]:
    money, ratio, rate = "money", "ratio", "rate"
    empty = _("这个时间段没有投放数据。在「数据状态」页导入投放报表（campaign_csv），或同步小红书聚光账号。")
    return [
        Table(
            "budget_plan",
            _("分平台预算建议（每天）"),
            [
                Column("platform_name", _("平台")),
                Column("spend", _("当前花费"), money),
                Column("revenue", _("当前收入"), money),
                Column("roas", "ROAS", ratio),
                Column("marginal_roas", _("边际 ROAS"), ratio),
                Column("lower", _("下限"), money),
                Column("upper", _("上限"), money),
                Column("recommended_spend", _("建议花费"), money),
                Column("spend_change", _("调整"), rate),
                Column("expected_revenue_now", _("当前预期收入"), money),
                Column("expected_revenue_recommended", _("建议后预期收入"), money),
                Column("model_name", _("模型")),
                Column("fit_quality", _("拟合度 R²"), ratio),
                Column("days", _("拟合天数"), "count"),
            ],
            _platform_rows(plan),
            empty=empty,
        ),
        Table(
            "budget_sensitivity",
            _("敏感性分析"),
            [
                Column("scope", _("范围")),
                Column("change", _("变化")),
                Column("expected_revenue_kept", _("保持建议方案的预期收入"), money),
                Column("expected_roi_kept", _("保持方案 ROI"), rate),
                Column("expected_revenue_replanned", _("重新规划的预期收入"), money),
                Column("expected_roi_replanned", _("重新规划 ROI"), rate),
                Column("roi_change", _("ROI 变动"), rate),
                Column("split", _("重新规划的分配")),
            ],
            _sensitivity_rows(plan),
            empty=empty,
        ),
        Table(
            "budget_campaigns",
            _("分投放计划"),
            [
                Column("campaign_name", _("投放计划")),
                Column("platform_name", _("平台")),
                Column("spend", _("当前花费"), money),
                Column("roas", "ROAS", ratio),
                Column("marginal_roas", _("边际 ROAS"), ratio),
                Column("recommended_spend", _("建议花费"), money),
                Column("model_name", _("模型")),
                Column("fit_quality", _("拟合度 R²"), ratio),
            ],
            _campaign_rows(plan),
            empty=empty,
            shown=50,
        ),
    ]


def _cards(plan: budget.Plan) -> list[dict]:
    def card(name, label, display, note=""):
        return {"name": name, "label": label, "display": display, "note": note}

    revenue_gain = plan.recommended.revenue - plan.now.revenue
    return [
        card(
            "total",
            _("每日预算"),
            formatting.money(plan.total),
            _("当前每天花费 %(spend)s") % {"spend": formatting.money(plan.current_total)},
        ),
        card(
            "expected_revenue",
            _("建议后预期每日收入"),
            formatting.money(plan.recommended.revenue),
            _("当前分配 %(now)s，%(gain)s")
            % {
                "now": formatting.money(plan.now.revenue),
                "gain": f"{'+' if revenue_gain >= 0 else '−'}{formatting.money(abs(revenue_gain))}",
            },
        ),
        card(
            "roi",
            _("预期 ROI"),
            formatting.rate(plan.recommended.roi),
            _("当前分配 %(roi)s") % {"roi": formatting.rate(plan.now.roi)},
        ),
        card(
            "marginal_roas",
            _("下一元预算"),
            formatting.ratio(plan.recommended.marginal_roas),
            _("在建议方案下多投 ¥1 预期带来的收入（¥）"),
        ),
    ]


def budget_page(organization, filters, what_if: WhatIfForm) -> dict:
    platforms = [filters.platform] if filters.platform else None
    window = {
        "organization": organization,
        "start": filters.start,
        "end": filters.end,
        "platforms": platforms,
        "account": filters.account.pk if filters.account else None,
    }
    plan_error = None
    try:
        plan = budget_plan(**window, **what_if.plan_options())
    except budget.PlanError as error:  # show why, and the default plan beside it
        plan_error = plan_error_text(error)
        plan = budget_plan(**window)
    table = plan.platforms.reset_index() if not plan.platforms.empty else pd.DataFrame()
    points = plan.points
    if not table.empty:  # the days' tracked spend, on the curves' axis of total spend
        points = points.assign(spend=points["spend"] + points["platform"].map(plan.platforms["held_spend"]))
    curves = budget_figures.response_curves(budget.curve_samples(plan), points, table)
    return {
        "plan": plan,
        "plan_error": plan_error,
        "cards": _cards(plan) if not table.empty else [],
        "warnings": [
            {"platform": _label(w.platform) if w.platform else "", "campaign": w.campaign, "text": _warning_text(w)}
            for w in plan.warnings
            if w.campaign is None
        ],
        "campaign_warnings": sum(1 for w in plan.warnings if w.campaign is not None),
        "bound_rows": [
            {
                "code": p,
                "label": _label(p),
                "lower": row["lower"],
                "upper": row["upper"],
                "held": row["model"] == budget.HELD,
                "min_given": what_if.data.get(f"min_{p}", ""),
                "max_given": what_if.data.get(f"max_{p}", ""),
            }
            for p, row in plan.platforms.iterrows()
        ],
        "figures": {
            "curves": figures.to_json(curves),
            "split": figures.to_json(budget_figures.spend_comparison(table)),
            "budget": figures.to_json(
                budget_figures.budget_response(pd.DataFrame(plan.budget_curve), plan.current_total, plan.total)
            ),
        },
        "tables": _tables(plan),
    }


@organization_required
def budget_view(request):
    context = page_context(request, filter_form(request), page="budget")
    what_if = WhatIfForm(request.GET)
    context |= budget_page(request.organization, context["filters"], what_if) | {"what_if": what_if}
    # Exports and links keep the what-if: the query as given, without a previous export's keys.
    context["qs"] = request.GET.copy()
    for key in ("export", "format"):
        context["qs"].pop(key, None)
    context["qs"] = context["qs"].urlencode()
    return _respond(request, "dashboards/budget.html", context)
