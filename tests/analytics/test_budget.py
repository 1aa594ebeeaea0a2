"""The budget planner on synthetic data with known curves (no database)."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from analytics import budget

START = dt.date(2026, 1, 1)


def daily_rows(specs: dict, *, days: int = 90, seed: int = 7, noise: float = 0.03) -> pd.DataFrame:
    """specs: platform → (vmax, k, mean daily spend, spread): spend uniform in mean·(1 ± spread), revenue
    on the curve vmax·s/(k+s) with multiplicative noise; one campaign per platform."""
    rng = np.random.default_rng(seed)
    rows = []
    for index, (platform, (vmax, k, mean, spread)) in enumerate(specs.items()):
        for day in range(days):
            spend = mean * rng.uniform(1 - spread, 1 + spread)
            revenue = None if vmax is None else vmax * spend / (k + spend) * rng.normal(1, noise)
            rows.append(
                {
                    "date": START + dt.timedelta(days=day),
                    "platform": platform,
                    "campaign": index + 1,
                    "spend": spend,
                    "revenue": revenue,
                    "paired_spend": spend if revenue is not None else None,
                    "paired_revenue": revenue,
                }
            )
    return pd.DataFrame(rows, columns=budget_columns()).astype(
        dict.fromkeys(("spend", "revenue", "paired_spend", "paired_revenue"), float)
    )


def budget_columns():
    return ["date", "platform", "campaign", "spend", "revenue", "paired_spend", "paired_revenue"]


# Douyin saturates early (k = 500 at ~¥800/day); WeChat is still almost linear at the same spend.
TWO = {"douyin": (3000.0, 500.0, 800.0, 0.6), "wechat": (20000.0, 10000.0, 800.0, 0.6)}


def test_fit_recovers_known_curves():
    table = budget.plan(daily_rows(TWO)).platforms
    assert table.loc["douyin", "model"] == table.loc["wechat", "model"] == budget.SATURATING
    assert table.loc["douyin", "vmax"] == pytest.approx(3000, rel=0.05)
    assert table.loc["douyin", "k"] == pytest.approx(500, rel=0.1)
    # WeChat barely bends over the spend seen: k is loosely pinned, its marginal ROAS is not.
    truth = 20000 * 10000 / (10000 + table.loc["wechat", "spend"]) ** 2
    assert table.loc["wechat", "marginal_roas"] == pytest.approx(truth, rel=0.05)
    assert table["fit_quality"].min() > 0.9


def test_marginal_roas_is_the_curves_derivative_at_current_spend():
    table = budget.plan(daily_rows(TWO)).platforms
    for _, row in table.iterrows():
        expected = row["vmax"] * row["k"] / (row["k"] + row["spend"]) ** 2
        assert row["marginal_roas"] == pytest.approx(expected)
    # Douyin's average ROAS is higher, but its next yuan earns less than WeChat's.
    assert table.loc["douyin", "roas"] > table.loc["wechat", "roas"]
    assert table.loc["douyin", "marginal_roas"] < table.loc["wechat", "marginal_roas"]


def test_plan_moves_spend_toward_higher_marginal_roas_and_keeps_the_total():
    result = budget.plan(daily_rows(TWO))
    table = result.platforms
    assert result.total == pytest.approx(table["spend"].sum())
    assert table["recommended_spend"].sum() == pytest.approx(result.total)
    assert table.loc["wechat", "recommended_spend"] > table.loc["wechat", "spend"]
    assert table.loc["douyin", "recommended_spend"] < table.loc["douyin", "spend"]
    assert result.recommended.revenue > result.now.revenue
    # At the optimum the platforms inside their bounds earn the same on their next yuan.
    planned = table["recommended_spend"]
    inside = table[(planned > table["lower"] + 1e-6) & (planned < table["upper"] - 1e-6)]
    assert len(inside) == 2
    assert inside["marginal_roas_recommended"].to_numpy() == pytest.approx([result.recommended.marginal_roas] * 2, rel=1e-6)


def test_the_plan_is_the_best_split_a_brute_force_finds():
    result = budget.plan(daily_rows(TWO))
    table = result.platforms
    curves = budget.Curves(table["vmax"].to_numpy(), table["k"].to_numpy(), table["slope"].to_numpy())
    douyin = np.linspace(table.loc["douyin", "lower"], table.loc["douyin", "upper"], 2001)
    wechat = result.total - douyin
    feasible = (wechat >= table.loc["wechat", "lower"]) & (wechat <= table.loc["wechat", "upper"])
    splits = zip(douyin[feasible], wechat[feasible], strict=True)
    best = max(float(curves.revenue(np.array([d, w])).sum()) for d, w in splits)
    assert result.recommended.revenue == pytest.approx(best, rel=1e-6)
    assert result.recommended.revenue >= best - 1e-6


def test_budget_and_bounds_are_respected():
    result = budget.plan(daily_rows(TWO), total=2000, bounds={"wechat": (None, 1000)})
    table = result.platforms
    assert table["recommended_spend"].sum() == pytest.approx(2000)
    assert table.loc["wechat", "upper"] == 1000
    assert table.loc["wechat", "recommended_spend"] == pytest.approx(1000)  # it wants more than its cap
    assert (table["recommended_spend"] >= table["lower"] - 1e-9).all()
    assert (table["recommended_spend"] <= table["upper"] + 1e-9).all()


def test_default_bounds_are_half_to_twice_current_spend():
    table = budget.plan(daily_rows(TWO)).platforms
    assert table["lower"].to_numpy() == pytest.approx(table["spend"].to_numpy() * 0.5)
    assert table["upper"].to_numpy() == pytest.approx(table["spend"].to_numpy() * 2.0)


def test_linear_platforms_fill_the_better_one_first():
    # Both flat spend → average ROAS: the worse line drops to its lower bound, the better one takes the rest
    # up to its upper bound, and only then does the worse one get more.
    specs = {"douyin": (3000.0, 500.0, 800.0, 0.02), "weibo": (20000.0, 10000.0, 800.0, 0.02)}
    result = budget.plan(daily_rows(specs))
    table = result.platforms
    assert set(table["model"]) == {budget.AVERAGE_ROAS}
    assert {w.code for w in result.warnings} == {"flat_spend"}
    best, other = table["roas"].idxmax(), table["roas"].idxmin()
    assert table.loc[other, "recommended_spend"] == pytest.approx(table.loc[other, "lower"])
    assert table.loc[best, "recommended_spend"] == pytest.approx(result.total - table.loc[other, "lower"])
    assert result.recommended.marginal_roas == pytest.approx(table.loc[best, "roas"])
    larger = budget.plan(daily_rows(specs), total=table["upper"][best] + table["lower"][other] + 100).platforms
    assert larger.loc[best, "recommended_spend"] == pytest.approx(larger.loc[best, "upper"])
    assert larger.loc[other, "recommended_spend"] == pytest.approx(larger.loc[other, "lower"] + 100)
    assert table.loc[best, "marginal_roas"] == pytest.approx(table.loc[best, "roas"])


def test_one_platform_keeps_its_spend_and_says_how_it_fitted():
    result = budget.plan(daily_rows({"douyin": TWO["douyin"]}))
    (row,) = [row for _, row in result.platforms.iterrows()]
    assert row["recommended_spend"] == pytest.approx(row["spend"])
    assert result.recommended.revenue == pytest.approx(result.now.revenue)
    # A bigger budget goes where it can: to the only platform, within its bounds.
    bigger = budget.plan(daily_rows({"douyin": TWO["douyin"]}), total=row["spend"] * 1.5)
    assert bigger.platforms["recommended_spend"].iloc[0] == pytest.approx(row["spend"] * 1.5)


def test_constant_spend_falls_back_to_average_roas_with_a_warning():
    rows = daily_rows({"douyin": (3000.0, 500.0, 800.0, 0.0), "wechat": TWO["wechat"]})
    result = budget.plan(rows)
    douyin = result.platforms.loc["douyin"]
    assert douyin["model"] == budget.AVERAGE_ROAS
    assert douyin["marginal_roas"] == pytest.approx(douyin["roas"])
    assert [w.code for w in result.warnings if w.platform == "douyin"][:1] == ["flat_spend"]
    assert "average ROAS" in next(w.detail for w in result.warnings if w.platform == "douyin")


def test_too_few_days_falls_back_to_average_roas():
    result = budget.plan(daily_rows(TWO, days=10))
    assert set(result.platforms["model"]) == {budget.AVERAGE_ROAS}
    assert {w.code for w in result.warnings if w.campaign is None} == {"too_few_days"}


def test_no_revenue_gets_the_lower_bound_and_untracked_revenue_is_held():
    rows = daily_rows({"douyin": (0.0, 500.0, 800.0, 0.5), "weibo": (None, 1.0, 500.0, 0.5), "wechat": TWO["wechat"]})
    result = budget.plan(rows)
    table = result.platforms
    assert table.loc["douyin", "model"] == budget.AVERAGE_ROAS
    assert table.loc["douyin", "roas"] == 0
    assert table.loc["douyin", "recommended_spend"] == pytest.approx(table.loc["douyin", "lower"])
    assert table.loc["weibo", "model"] == budget.HELD
    assert np.isnan(table.loc["weibo", "roas"])
    assert table.loc["weibo", "recommended_spend"] == pytest.approx(table.loc["weibo", "spend"])
    assert table["recommended_spend"].sum() == pytest.approx(result.total)
    codes = {(w.platform, w.code) for w in result.warnings if w.campaign is None}
    assert {("douyin", "no_revenue"), ("weibo", "revenue_not_tracked")} <= codes


def test_nothing_to_plan_is_a_warning_not_an_error():
    result = budget.plan(pd.DataFrame(columns=budget_columns()))
    assert result.platforms.empty
    assert result.days == 0
    assert [w.code for w in result.warnings] == ["no_data"]


@pytest.mark.parametrize(
    ("options", "field", "words"),
    [
        ({"total": -1.0}, "total", "≥ 0"),
        ({"total": 10.0}, "total", "cannot be placed"),
        ({"total": 1e9}, "total", "cannot be placed"),
        ({"lower": 2.0, "upper": 1.0}, "lower", "lower ≤ upper"),
        ({"bounds": {"douyin": (900.0, 100.0)}}, "min_douyin", "above the upper bound"),
        ({"bounds": {"douyin": (-5.0, None)}}, "min_douyin", "≥ 0"),
        ({"bounds": {"bilibili": (1.0, 2.0)}}, "min_bilibili", "no paid rows"),
        ({"scenario": budget.Scenario(cpa_change=0.2, platform="bilibili")}, "scenario_platform", "no paid rows"),
        ({"scenario": budget.Scenario(cvr_change=-1.0)}, "cvr_change", "above -1"),
        ({"total": float("nan")}, "total", "≥ 0"),
    ],
)
def test_bad_parameters_say_what_is_wrong(options, field, words):
    with pytest.raises(budget.PlanError) as raised:
        budget.plan(daily_rows(TWO), **options)
    assert raised.value.field == field
    assert words in str(raised.value)


def test_bounds_that_cannot_sum_to_the_budget_name_the_range():
    with pytest.raises(budget.PlanError, match=r"allow ¥[\d,.]+–¥[\d,.]+ per day"):
        budget.plan(daily_rows(TWO), total=100.0)


def test_what_if_dearer_cpa_moves_money_away_and_lowers_roi():
    base = budget.plan(daily_rows(TWO))
    dearer = budget.plan(daily_rows(TWO), scenario=budget.Scenario(cpa_change=0.2, platform="wechat"))
    assert dearer.platforms.loc["wechat", "recommended_spend"] < base.platforms.loc["wechat", "recommended_spend"]
    assert dearer.recommended.roi < base.recommended.roi
    assert dearer.baseline.revenue == pytest.approx(base.recommended.revenue)
    assert dearer.baseline_now.revenue == pytest.approx(base.now.revenue)
    assert dearer.platforms["recommended_spend"].sum() == pytest.approx(base.total)


def test_what_if_better_conversion_scales_revenue():
    base = budget.plan(daily_rows(TWO))
    better = budget.plan(daily_rows(TWO), scenario=budget.Scenario(cvr_change=0.15))
    # Every platform's revenue × 1.15: the same split, 15 % more revenue.
    assert better.platforms["recommended_spend"].to_numpy() == pytest.approx(base.platforms["recommended_spend"].to_numpy())
    assert better.recommended.revenue == pytest.approx(base.recommended.revenue * 1.15)


def test_sensitivity_table_is_the_studys():
    result = budget.plan(daily_rows(TWO))
    rows = result.sensitivity
    assert len(rows) == 4 * 3  # all platforms, then each platform alone; CPA ±20 %, CVR ±15 %
    assert [(r["change"], r["amount"]) for r in rows[:4]] == [("cpa", 0.2), ("cpa", -0.2), ("cvr", 0.15), ("cvr", -0.15)]
    by = {(r["platform"], r["change"], r["amount"]): r for r in rows}
    assert by[(None, "cpa", 0.2)]["roi_change"] < 0 < by[(None, "cpa", -0.2)]["roi_change"]
    assert by[(None, "cvr", 0.15)]["roi_change"] > 0 > by[(None, "cvr", -0.15)]["roi_change"]
    for row in rows:
        assert row["expected_revenue_replanned"] >= row["expected_revenue_kept"] - 1e-6  # re-planning never hurts
        assert sum(row["recommended_spend"].values()) == pytest.approx(result.total)


def test_budget_curve_is_concave_and_spans_the_bounds():
    result = budget.plan(daily_rows(TWO))
    totals = [p["total"] for p in result.budget_curve]
    revenue = np.array([p["expected_revenue"] for p in result.budget_curve])
    assert totals[0] == pytest.approx(result.platforms["lower"].sum())
    assert totals[-1] == pytest.approx(result.platforms["upper"].sum())
    steps = np.diff(revenue)
    assert (steps > 0).all()
    assert (np.diff(steps) <= 1e-6).all()


def test_campaigns_split_their_platforms_recommendation():
    rows = daily_rows(TWO)
    extra = daily_rows({"douyin": (1500.0, 2000.0, 300.0, 0.6)}, seed=3).assign(campaign=9)
    result = budget.plan(pd.concat([rows, extra], ignore_index=True))
    campaigns = result.campaigns
    assert set(campaigns.index) == {1, 2, 9}
    for platform, row in result.platforms.iterrows():
        mine = campaigns[campaigns["platform"] == platform]
        assert mine["recommended_spend"].sum() == pytest.approx(row["recommended_spend"])
        assert mine["spend"].sum() == pytest.approx(row["spend"])


def test_allocate_handles_ties_between_equal_lines():
    curves = budget.Curves(np.zeros(2), np.array([np.inf, np.inf]), np.array([2.0, 2.0]))
    spend, marginal = budget.allocate(curves, np.array([0.0, 0.0]), np.array([10.0, 10.0]), 10.0)
    assert spend.sum() == pytest.approx(10.0)
    assert marginal == pytest.approx(2.0)


def test_worked_example_of_budget_md():
    curves = budget.Curves(np.array([3000.0, 0.0]), np.array([500.0, np.inf]), np.array([0.0, 2.0]))
    lower, upper, today = np.array([250.0, 250.0]), np.array([1000.0, 1000.0]), np.array([500.0, 500.0])
    assert curves.marginal(today) == pytest.approx([1.5, 2.0])
    assert curves.revenue(today).sum() == pytest.approx(2500)
    spend, marginal = budget.allocate(curves, lower, upper, 1000.0)
    assert spend == pytest.approx([366.03, 633.97], abs=0.005)
    assert marginal == pytest.approx(2.0)
    assert curves.revenue(spend).sum() == pytest.approx(2535.90, abs=0.005)
    dearer = curves.scaled(cost=np.array([1.2, 1.0]))
    replanned, _ = budget.allocate(dearer, lower, upper, 1000.0)
    assert replanned == pytest.approx([348.68, 651.32], abs=0.005)
    assert dearer.revenue(replanned).sum() == pytest.approx(2405.27, abs=0.005)
    assert dearer.revenue(spend).sum() == pytest.approx(2404.64, abs=0.005)


def test_spend_without_revenue_is_kept_and_earns_nothing_on_the_curve():
    tracked = daily_rows(TWO)
    untracked = daily_rows({"douyin": (None, 1.0, 400.0, 0.3)}, seed=5).assign(campaign=7)
    result = budget.plan(pd.concat([tracked, untracked], ignore_index=True))
    douyin = result.platforms.loc["douyin"]
    assert douyin["held_spend"] == pytest.approx(untracked["spend"].mean())
    assert douyin["spend"] == pytest.approx(douyin["held_spend"] + tracked.query("platform == 'douyin'")["spend"].mean())
    # The curve prices the tracked spend only: the model's revenue now is the tracked campaign's.
    alone = budget.plan(tracked).platforms.loc["douyin"]
    assert douyin["expected_revenue_now"] == pytest.approx(alone["expected_revenue_now"])
    assert douyin["marginal_roas"] == pytest.approx(alone["marginal_roas"])
    assert douyin["lower"] >= douyin["held_spend"]
    campaigns = result.campaigns
    assert campaigns.loc[7, "model"] == budget.HELD
    assert campaigns.loc[7, "recommended_spend"] == pytest.approx(campaigns.loc[7, "spend"])
    assert result.platforms["recommended_spend"].sum() == pytest.approx(result.total)
