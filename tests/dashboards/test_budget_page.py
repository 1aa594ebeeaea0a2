"""The budget planner page: curves, current vs recommended spend, what-if form and exports."""

import csv
import io
import json
import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from accounts.models import Role
from dashboards import budget_figures
from tests.analytics.test_budget import START
from tests.api.test_budget_plan import END, seed
from tests.factories import MembershipFactory

URL = f"/campaigns/budget/?preset=custom&start={START}&end={END}"


@pytest.fixture
def planner(client, db):
    membership = MembershipFactory(role=Role.VIEWER)  # reading a plan changes nothing: viewers may
    seed(membership.organization)
    client.force_login(membership.user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _figure(response, chart_id: str) -> dict:
    match = re.search(
        rf'<script type="application/json" id="figure-{chart_id}">(.*?)</script>', response.content.decode(), re.S
    )
    assert match, f"no figure {chart_id}"
    return json.loads(match.group(1))


def test_page_shows_curves_split_and_cards(planner):
    response = planner.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/campaigns/budget/?' in html
    assert "预算规划" in html
    curves = _figure(response, "budget_curves")
    names = {trace.get("name") for trace in curves["data"]}
    assert {"抖音", "微信公众号"} <= names
    split = _figure(response, "budget_split")
    assert [trace["name"] for trace in split["data"]] == ["当前", "建议"]
    current, recommended = (trace["y"] for trace in split["data"])
    assert sum(recommended) == pytest.approx(sum(current))
    plan = response.context["plan"]
    assert plan.platforms.loc["wechat", "recommended_spend"] > plan.platforms.loc["wechat", "spend"]
    assert 'data-kpi="marginal_roas"' in html
    _figure(response, "budget_total")


def test_what_if_form_replans_and_keeps_its_values(planner):
    response = planner.get(URL + "&total=2000&scenario_platform=wechat&cpa_change=20&max_douyin=1500")
    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.total == 2000
    assert plan.scenario.cpa_change == pytest.approx(0.2)
    assert plan.scenario.platform == "wechat"
    assert plan.platforms.loc["douyin", "upper"] == 1500
    html = response.content.decode()
    assert 'name="total" min="0" step="0.01" value="2000"' in html
    assert 'name="max_douyin" min="0" step="0.01" value="1500"' in html
    assert '<option value="wechat" selected>' in html


def test_a_budget_the_bounds_cannot_hold_is_explained(planner):
    response = planner.get(URL + "&total=1")
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-plan-error" in html
    assert "放不进去" in html
    assert response.context["plan"].total == pytest.approx(response.context["plan"].current_total)


def test_bad_what_if_values_are_form_errors(planner):
    response = planner.get(URL + "&total=-5&cvr_change=abc")
    assert response.status_code == 200
    assert set(response.context["what_if"].errors) == {"total", "cvr_change"}
    assert response.context["plan"].total == pytest.approx(response.context["plan"].current_total)


@pytest.mark.parametrize("table", ["budget_plan", "budget_sensitivity", "budget_campaigns"])
def test_tables_export_as_csv_and_excel(planner, table):
    csv_response = planner.get(URL + f"&total=2000&export={table}&format=csv")
    assert csv_response.status_code == 200
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert len(rows) > 2
    xlsx = planner.get(URL + f"&total=2000&export={table}&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]] == rows[0]
    if table == "budget_plan":
        spend_column = rows[0].index("建议花费")
        assert sum(float(r[spend_column]) for r in rows[1:]) == pytest.approx(2000, abs=0.02)


def test_page_without_paid_data_says_so(client, db):
    membership = MembershipFactory()
    client.force_login(membership.user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/campaigns/budget/")
    assert response.status_code == 200
    assert "所选时间段没有投放花费" in response.content.decode()
    assert response.context["figures"]["curves"] is None


def test_page_needs_a_login(client, db):
    assert client.get("/campaigns/budget/").status_code == 302


def test_figures_are_pure_and_empty_safe():
    assert budget_figures.response_curves(pd.DataFrame(), pd.DataFrame(), pd.DataFrame()) is None
    assert budget_figures.spend_comparison(pd.DataFrame()) is None
    assert budget_figures.budget_response(pd.DataFrame(), 0, 0) is None
    plan = pd.DataFrame(
        {
            "platform": ["douyin"],
            "spend": [100.0],
            "recommended_spend": [150.0],
            "lower": [50.0],
            "upper": [200.0],
            "expected_revenue_now": [300.0],
            "expected_revenue_recommended": [380.0],
        }
    )
    split = budget_figures.spend_comparison(plan)
    assert split.data[1].error_y.array == (50.0,)
    assert split.data[1].error_y.arrayminus == (100.0,)
    curves = pd.DataFrame({"platform": ["douyin"] * 3, "spend": [0.0, 100.0, 200.0], "revenue": [0.0, 300.0, 450.0]})
    figure = budget_figures.response_curves(curves, curves, plan)
    assert [t.mode for t in figure.data] == ["markers", "lines", "markers", "markers"]
    assert figure.data[3].x == (150.0,)


def test_page_in_english(planner):
    planner.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = planner.get(URL + "&total=1").content.decode()
    assert "<h1>Budget planner</h1>" in html
    assert "CPA +20% means each conversion costs 20% more" in html
    assert "does not fit. Change the budget or widen the bounds." in html
    assert "Recommended budget per platform (per day)" in html
