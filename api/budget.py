"""`GET /api/v1/budget-plan/`: where the next yuan earns most (docs/BUDGET.md), with what-if and sensitivity."""

import math

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.models import Platform
from analytics import budget
from analytics.budget_frames import budget_plan

from .base import TenantAPIView
from .windows import WindowSerializer

PLAN_RULE = (
    "Per platform, a saturating response curve (Michaelis–Menten, revenue = vmax·spend/(k+spend)) is fitted to the "
    "window's daily spend → revenue; where the data cannot carry one (too few days, flat spend, poor fit) its "
    "average ROAS is used and a warning says so. The recommended allocation of `total` (CNY per day; default: "
    "today's daily spend) maximises expected revenue within each platform's bounds (default `lower`×–`upper`× "
    "its current daily spend, or `min_<platform>` / `max_<platform>` in CNY per day). Money is CNY per day, "
    "averaged over the days of the window that have paid spend. `cpa_change` / `cvr_change` (fractions, for "
    "`scenario_platform` or every platform) re-plan under a what-if; `sensitivity` is the study's table "
    "(CPA ±20 %, conversion rate ±15 %). The method: docs/BUDGET.md."
)
MONEY_DIGITS, RATIO_DIGITS = 2, 6


class BudgetPlanQuerySerializer(WindowSerializer):
    total = serializers.FloatField(required=False, help_text="daily budget to allocate, CNY per day (≥ 0)")
    platform = serializers.ListField(
        child=serializers.ChoiceField(choices=Platform.choices),
        required=False,
        help_text="repeatable: plan only these platforms (default: every platform with paid rows)",
    )
    lower = serializers.FloatField(default=budget.DEFAULT_LOWER, help_text="default lower bound, × current spend")
    upper = serializers.FloatField(default=budget.DEFAULT_UPPER, help_text="default upper bound, × current spend")
    scenario_platform = serializers.ChoiceField(
        choices=Platform.choices, required=False, help_text="the platform the what-if changes (default: all)"
    )
    cpa_change = serializers.FloatField(
        default=0.0, min_value=-0.9, max_value=5.0, help_text="what-if: cost per result changes by this fraction"
    )
    cvr_change = serializers.FloatField(
        default=0.0, min_value=-0.9, max_value=5.0, help_text="what-if: conversion rate changes by this fraction"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in Platform.choices:
            for side in ("min", "max"):
                self.fields[f"{side}_{code}"] = serializers.FloatField(
                    required=False, help_text=f"{side}imum daily spend on {label} ({code}), CNY per day"
                )

    def plan_options(self) -> dict:
        data = self.validated_data
        bounds = {}
        for code in Platform.values:
            lo, hi = data.get(f"min_{code}"), data.get(f"max_{code}")
            if lo is not None or hi is not None:
                bounds[code] = (lo, hi)
        return {
            "start": data["start"],
            "end": data["end"],
            "platforms": data.get("platform") or None,
            "total": data.get("total"),
            "lower": data["lower"],
            "upper": data["upper"],
            "bounds": bounds,
            "scenario": budget.Scenario(
                cpa_change=data["cpa_change"], cvr_change=data["cvr_change"], platform=data.get("scenario_platform")
            ),
        }


class BudgetPlatformSerializer(serializers.Serializer):
    platform = serializers.CharField()
    spend = serializers.FloatField(help_text="current spend, CNY per day")
    revenue = serializers.FloatField(allow_null=True, help_text="current revenue, CNY per day (null: not tracked)")
    roas = serializers.FloatField(allow_null=True, help_text="Σ revenue / Σ spend over rows reporting both")
    marginal_roas = serializers.FloatField(allow_null=True, help_text="revenue of the next yuan at current spend")
    recommended_spend = serializers.FloatField(help_text="CNY per day")
    untracked_spend = serializers.FloatField(help_text="spend of rows without revenue: kept, not planned")
    bounds = serializers.ListField(child=serializers.FloatField(), help_text="[lower, upper], CNY per day")
    fit_quality = serializers.FloatField(allow_null=True, help_text="R² of the model used on daily revenue")
    model = serializers.ChoiceField(choices=[budget.SATURATING, budget.AVERAGE_ROAS, budget.HELD])
    days = serializers.IntegerField(help_text="days with both spend and revenue (the fit's points)")
    curve = serializers.DictField(child=serializers.FloatField(), allow_null=True, help_text="vmax and k, CNY per day")
    expected_revenue_now = serializers.FloatField(help_text="the model's revenue at current spend")
    expected_revenue_recommended = serializers.FloatField()
    marginal_roas_recommended = serializers.FloatField(allow_null=True)


class BudgetCampaignSerializer(serializers.Serializer):
    campaign = serializers.IntegerField()
    name = serializers.CharField()
    platform = serializers.CharField()
    spend = serializers.FloatField()
    revenue = serializers.FloatField(allow_null=True)
    roas = serializers.FloatField(allow_null=True)
    marginal_roas = serializers.FloatField(allow_null=True)
    recommended_spend = serializers.FloatField(help_text="its platform's recommended spend, split by the same rule")
    fit_quality = serializers.FloatField(allow_null=True)
    model = serializers.CharField()
    days = serializers.IntegerField()


class BudgetWarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    platform = serializers.CharField(allow_null=True)
    campaign = serializers.IntegerField(allow_null=True)


class BudgetOutcomeSerializer(serializers.Serializer):
    expected_revenue_now = serializers.FloatField()
    expected_revenue_recommended = serializers.FloatField()
    expected_roi_now = serializers.FloatField(allow_null=True)
    expected_roi_recommended = serializers.FloatField(allow_null=True)
    recommended_spend = serializers.DictField(child=serializers.FloatField())


class SensitivityRowSerializer(serializers.Serializer):
    platform = serializers.CharField(allow_null=True, help_text="null: every platform at once")
    change = serializers.ChoiceField(choices=["cpa", "cvr"])
    amount = serializers.FloatField()
    expected_revenue_kept = serializers.FloatField(help_text="keeping the recommended plan")
    expected_roi_kept = serializers.FloatField(allow_null=True)
    expected_revenue_replanned = serializers.FloatField()
    expected_roi_replanned = serializers.FloatField(allow_null=True)
    roi_change = serializers.FloatField(allow_null=True, help_text="replanned ROI − the recommended plan's ROI")
    recommended_spend = serializers.DictField(child=serializers.FloatField())


class BudgetPlanSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    days = serializers.IntegerField(help_text="days of the window with paid spend (the per-day averages' divisor)")
    total = serializers.FloatField(help_text="the daily budget allocated, CNY per day")
    current_total = serializers.FloatField(help_text="today's daily spend, CNY per day")
    platforms = BudgetPlatformSerializer(many=True)
    expected_revenue_now = serializers.FloatField()
    expected_revenue_recommended = serializers.FloatField()
    expected_roi_now = serializers.FloatField(allow_null=True)
    expected_roi_recommended = serializers.FloatField(allow_null=True)
    marginal_roas = serializers.FloatField(allow_null=True, help_text="what the next yuan of budget would earn")
    scenario = serializers.DictField(help_text="the what-if applied (cpa_change, cvr_change, platform)")
    baseline = BudgetOutcomeSerializer(allow_null=True, help_text="the plan without the what-if, when one is given")
    sensitivity = SensitivityRowSerializer(many=True)
    campaigns = BudgetCampaignSerializer(many=True)
    warnings = BudgetWarningSerializer(many=True)


def _number(value, digits: int):
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return round(float(value), digits)


def _money(value):
    return _number(value, MONEY_DIGITS)


def _ratio(value):
    return _number(value, RATIO_DIGITS)


def _curve(row) -> dict | None:
    return {"vmax": _money(row["vmax"]), "k": _money(row["k"])} if row["model"] == budget.SATURATING else None


def _platform_row(platform: str, row) -> dict:
    return {
        "platform": platform,
        "spend": _money(row["spend"]),
        "revenue": _money(row["revenue"]),
        "roas": _ratio(row["roas"]),
        "marginal_roas": _ratio(row["marginal_roas"]) if row["model"] != budget.HELD else None,
        "recommended_spend": _money(row["recommended_spend"]),
        "untracked_spend": _money(row["held_spend"]),
        "bounds": [_money(row["lower"]), _money(row["upper"])],
        "fit_quality": _ratio(row["fit_quality"]),
        "model": row["model"],
        "days": int(row["days"]),
        "curve": _curve(row),
        "expected_revenue_now": _money(row["expected_revenue_now"]),
        "expected_revenue_recommended": _money(row["expected_revenue_recommended"]),
        "marginal_roas_recommended": _ratio(row["marginal_roas_recommended"]) if row["model"] != budget.HELD else None,
    }


def _campaign_row(campaign: int, row) -> dict:
    return {
        "campaign": int(campaign),
        "name": row.get("name", str(campaign)),
        "platform": row["platform"],
        "spend": _money(row["spend"]),
        "revenue": _money(row["revenue"]),
        "roas": _ratio(row["roas"]),
        "marginal_roas": _ratio(row["marginal_roas"]) if row["model"] != budget.HELD else None,
        "recommended_spend": _money(row["recommended_spend"]),
        "fit_quality": _ratio(row["fit_quality"]),
        "model": row["model"],
        "days": int(row["days"]),
    }


def _spend_by_platform(platforms, spend) -> dict:
    return {p: _money(v) for p, v in zip(platforms, spend, strict=True)}


def plan_body(result: budget.Plan) -> dict:
    """The plan as the API's JSON (money rounded to fen, ratios to 6 digits)."""
    platforms = list(result.platforms.index)
    baseline = None
    if result.baseline is not None:
        baseline = {
            "expected_revenue_now": _money(result.baseline_now.revenue),
            "expected_revenue_recommended": _money(result.baseline.revenue),
            "expected_roi_now": _ratio(result.baseline_now.roi),
            "expected_roi_recommended": _ratio(result.baseline.roi),
            "recommended_spend": _spend_by_platform(platforms, result.baseline.spend),
        }
    return {
        "start": result.start,
        "end": result.end,
        "days": result.days,
        "total": _money(result.total),
        "current_total": _money(result.current_total),
        "platforms": [_platform_row(p, row) for p, row in budget.records(result.platforms)],
        "expected_revenue_now": _money(result.now.revenue),
        "expected_revenue_recommended": _money(result.recommended.revenue),
        "expected_roi_now": _ratio(result.now.roi),
        "expected_roi_recommended": _ratio(result.recommended.roi),
        "marginal_roas": _ratio(result.recommended.marginal_roas),
        "scenario": {
            "cpa_change": result.scenario.cpa_change,
            "cvr_change": result.scenario.cvr_change,
            "platform": result.scenario.platform,
        },
        "baseline": baseline,
        "sensitivity": [
            {
                **row,
                "amount": row["amount"],
                "expected_revenue_kept": _money(row["expected_revenue_kept"]),
                "expected_roi_kept": _ratio(row["expected_roi_kept"]),
                "expected_revenue_replanned": _money(row["expected_revenue_replanned"]),
                "expected_roi_replanned": _ratio(row["expected_roi_replanned"]),
                "roi_change": _ratio(row["roi_change"]),
                "recommended_spend": {p: _money(v) for p, v in row["recommended_spend"].items()},
            }
            for row in result.sensitivity
        ],
        "campaigns": [_campaign_row(c, row) for c, row in budget.records(result.campaigns)],
        "warnings": [
            {"code": w.code, "detail": w.detail, "platform": w.platform, "campaign": w.campaign} for w in result.warnings
        ],
    }


def _csv_rows(body: dict) -> list[dict]:
    """`?format=csv`: one row per platform, its bounds as two columns."""
    rows = []
    for row in body["platforms"]:
        flat = {k: v for k, v in row.items() if k not in ("bounds", "curve")}
        rows.append({**flat, "lower": row["bounds"][0], "upper": row["bounds"][1]})
    return rows


class BudgetPlanView(TenantAPIView):
    """The budget plan of a window; `?format=csv` gives its platform rows."""

    @extend_schema(parameters=[BudgetPlanQuerySerializer], responses=BudgetPlanSerializer, description=PLAN_RULE)
    def get(self, request):
        query = BudgetPlanQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = budget_plan(organization=self.tenant.organization, **query.plan_options())
        body = plan_body(result)
        if getattr(request.accepted_renderer, "format", None) == "csv":
            return Response({"results": _csv_rows(body)})
        return Response(body)
