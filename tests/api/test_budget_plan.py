"""GET /api/v1/budget-plan/ against PostgreSQL rows made from known response curves."""

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from analytics.budget_frames import paid_daily
from analytics.models import CampaignDailyMetric
from tests.analytics.test_budget import START, TWO, daily_rows
from tests.api.conftest import assert_error
from tests.factories import CampaignFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db
END = START + dt.timedelta(days=89)
WINDOW = f"start={START}&end={END}"


def _money(value):
    return None if value is None or value != value else Decimal(str(round(value, 2)))


def seed(organization, specs=TWO, *, days=90, seed=7):
    """The synthetic rows of tests.analytics.test_budget as campaign rows, each campaign day split over two
    accounts (the frame must add them up again)."""
    rows = daily_rows(specs, days=days, seed=seed)
    campaigns = {}
    metrics = []
    for row in rows.itertuples():
        if row.platform not in campaigns:
            accounts = [SocialAccountFactory(organization=organization, platform=row.platform) for _ in range(2)]
            campaigns[row.platform] = (
                CampaignFactory(organization=organization, platform=row.platform, name=f"{row.platform} 常投"),
                accounts,
            )
        campaign, accounts = campaigns[row.platform]
        for account in accounts:
            metrics.append(
                CampaignDailyMetric(
                    campaign=campaign,
                    account=account,
                    date=row.date,
                    spend=_money(row.spend / 2),
                    revenue=_money(row.revenue / 2 if row.revenue == row.revenue else None),
                    conversions=10,
                )
            )
    CampaignDailyMetric.objects.bulk_create(metrics)
    return {platform: campaign for platform, (campaign, _) in campaigns.items()}


def test_paid_daily_sums_accounts_and_pairs_rows(org_a):
    campaign = CampaignFactory(organization=org_a, platform="weibo")
    one, two = SocialAccountFactory(organization=org_a), SocialAccountFactory(organization=org_a)
    day = dt.date(2026, 3, 1)
    CampaignDailyMetric.objects.bulk_create(
        [
            CampaignDailyMetric(campaign=campaign, account=one, date=day, spend=Decimal("600"), revenue=Decimal("1800")),
            CampaignDailyMetric(campaign=campaign, account=two, date=day, spend=Decimal("400"), revenue=None),
            CampaignDailyMetric(
                campaign=campaign, account=None, date=day + dt.timedelta(days=1), spend=None, revenue=Decimal("5")
            ),
        ]
    )
    CampaignDailyMetric.objects.create(campaign=CampaignFactory(platform="weibo"), date=day, spend=Decimal("9"))
    frame = paid_daily(organization=org_a, start=day, end=day + dt.timedelta(days=1))
    first, second = frame.sort_values("date").to_dict("records")
    assert (first["platform"], first["campaign"]) == ("weibo", campaign.pk)
    assert (first["spend"], first["revenue"], first["paired_spend"], first["paired_revenue"]) == (1000, 1800, 600, 1800)
    assert second["spend"] != second["spend"]
    assert second["paired_revenue"] != second["paired_revenue"]  # NULL
    assert paid_daily(organization=org_a, start=day, end=day, platforms=["douyin"]).empty
    (only_two,) = paid_daily(organization=org_a, start=day, end=day, account=two.pk).to_dict("records")
    assert only_two["spend"] == 400
    assert pd.isna(only_two["paired_spend"])  # its row reports no revenue


def test_plan_moves_spend_to_the_higher_marginal_roas_and_keeps_the_total(client_a, org_a, org_b):
    seed(org_a)
    seed(org_b, {"bilibili": TWO["douyin"]})  # another organization's rows never show
    response = client_a.get(f"/api/v1/budget-plan/?{WINDOW}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert {"platforms", "total", "expected_revenue_now", "expected_revenue_recommended", "warnings"} <= set(body)
    rows = {row["platform"]: row for row in body["platforms"]}
    assert set(rows) == {"douyin", "wechat"}
    for row in rows.values():
        assert {
            "platform",
            "spend",
            "revenue",
            "roas",
            "marginal_roas",
            "recommended_spend",
            "bounds",
            "fit_quality",
        } <= set(row)
        assert row["bounds"] == pytest.approx([row["spend"] * 0.5, row["spend"] * 2], abs=0.01)
        assert row["fit_quality"] > 0.9
        assert row["model"] == "saturating"
    assert body["days"] == 90
    assert body["total"] == pytest.approx(sum(r["spend"] for r in rows.values()), abs=0.02)
    assert sum(r["recommended_spend"] for r in rows.values()) == pytest.approx(body["total"], abs=0.02)
    assert rows["wechat"]["marginal_roas"] > rows["douyin"]["marginal_roas"]
    assert rows["wechat"]["recommended_spend"] > rows["wechat"]["spend"]
    assert body["expected_revenue_recommended"] > body["expected_revenue_now"]
    assert len(body["sensitivity"]) == 12
    assert {c["name"] for c in body["campaigns"]} == {"douyin 常投", "wechat 常投"}


def test_what_if_and_budget_move_the_plan(client_a, org_a):
    seed(org_a)
    base = client_a.get(f"/api/v1/budget-plan/?{WINDOW}&total=2000").json()
    dearer = client_a.get(f"/api/v1/budget-plan/?{WINDOW}&total=2000&scenario_platform=wechat&cpa_change=0.2").json()
    assert base["total"] == dearer["total"] == 2000
    wechat = {r["platform"]: r for r in dearer["platforms"]}["wechat"]
    assert wechat["recommended_spend"] < {r["platform"]: r for r in base["platforms"]}["wechat"]["recommended_spend"]
    assert dearer["expected_roi_recommended"] < base["expected_roi_recommended"]
    assert dearer["baseline"]["expected_roi_recommended"] == pytest.approx(base["expected_roi_recommended"], abs=1e-6)
    assert base["baseline"] is None
    capped = client_a.get(f"/api/v1/budget-plan/?{WINDOW}&total=2000&max_wechat=900").json()
    assert {r["platform"]: r for r in capped["platforms"]}["wechat"]["recommended_spend"] == pytest.approx(900)


def test_degenerate_data_are_warned_about(client_a, org_a):
    seed(org_a, {"douyin": (3000.0, 500.0, 800.0, 0.0), "weibo": (None, 1.0, 300.0, 0.5)}, days=20)
    body = client_a.get(f"/api/v1/budget-plan/?{WINDOW}").json()
    rows = {row["platform"]: row for row in body["platforms"]}
    assert rows["douyin"]["model"] == "average_roas"
    assert (rows["douyin"]["marginal_roas"] == pytest.approx(
        rows["douyin"]["roas"], abs=1e-5
    ))
    assert rows["weibo"]["model"] == "held"
    assert rows["weibo"]["roas"] is None
    assert rows["weibo"]["recommended_spend"] == pytest.approx(rows["weibo"]["spend"])
    codes = {(w["platform"], w["code"]) for w in body["warnings"] if w["campaign"] is None}
    assert {("douyin", "flat_spend"), ("weibo", "revenue_not_tracked")} <= codes
    empty = client_a.get("/api/v1/budget-plan/?start=2020-01-01&end=2020-01-31").json()
    assert empty["platforms"] == []
    assert [w["code"] for w in empty["warnings"]] == ["no_data"]


@pytest.mark.parametrize(
    ("query", "attr", "words"),
    [
        (f"{WINDOW}&total=-100", "total", "≥ 0"),
        (f"{WINDOW}&total=1", "total", "cannot be placed"),
        (f"{WINDOW}&total=99999999", "total", "cannot be placed"),
        (f"{WINDOW}&min_douyin=900&max_douyin=100", "min_douyin", "above the upper bound"),
        (f"{WINDOW}&min_douyin=-1", "min_douyin", "≥ 0"),
        (f"{WINDOW}&max_bilibili=10", "min_bilibili", "no paid rows"),
        (f"{WINDOW}&lower=3", "lower", "lower ≤ upper"),
        (f"{WINDOW}&total=nan", "total", None),
        (f"{WINDOW}&cpa_change=-2", "cpa_change", None),
        (f"{WINDOW}&platform=tiktok", "platform", None),
        (f"{WINDOW}&scenario_platform=bilibili&cvr_change=0.1", "scenario_platform", "no paid rows"),
        ("start=2026-02-30&end=2026-03-01", "start", None),
        (f"start={END}&end={START}", "end", "before start"),
        (f"end={END}", "start", None),
        ("start=2020-01-01&end=2026-01-01", "end", "longer than 3 years"),
    ],
)
def test_bad_parameters_are_a_clear_400(client_a, org_a, query, attr, words):
    seed(org_a, days=30)
    body = assert_error(client_a.get(f"/api/v1/budget-plan/?{query}"), 400, attr=attr)
    if words:
        assert any(words in e["detail"] for e in body["errors"]), body


def test_csv_lists_the_platform_rows(client_a, org_a):
    seed(org_a, days=30)
    response = client_a.get(f"/api/v1/budget-plan/?{WINDOW}&format=csv")
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("platform,spend,revenue,roas,marginal_roas,recommended_spend")
    assert lines[0].endswith("lower,upper")
    assert [line.split(",")[0] for line in lines[1:]] == ["douyin", "wechat"]


def test_needs_credentials(org_a):
    from rest_framework.test import APIClient

    assert_error(APIClient().get(f"/api/v1/budget-plan/?{WINDOW}"), 401)


def test_schema_documents_the_endpoint(client_a):
    schema = client_a.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/budget-plan/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"start", "end", "total", "platform", "min_douyin", "max_wechat", "cpa_change", "cvr_change"} <= names
    assert "400" in operation["responses"]


def test_the_answer_has_exactly_the_documented_fields(client_a, org_a):
    from api import budget as api_budget

    seed(org_a, days=30)
    body = client_a.get(f"/api/v1/budget-plan/?{WINDOW}&cpa_change=0.1").json()
    assert set(body) == set(api_budget.BudgetPlanSerializer().fields)
    assert set(body["platforms"][0]) == set(api_budget.BudgetPlatformSerializer().fields)
    assert set(body["campaigns"][0]) == set(api_budget.BudgetCampaignSerializer().fields)
    assert set(body["sensitivity"][0]) == set(api_budget.SensitivityRowSerializer().fields)
    assert set(body["baseline"]) == set(api_budget.BudgetOutcomeSerializer().fields)
