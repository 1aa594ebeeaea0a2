"""The budget planner in Chromium: curves draw, the what-if form re-plans, the plan downloads."""

import pytest

from tests.analytics.test_budget import START
from tests.api.test_budget_plan import END, seed
from tests.browser.test_dashboards import login, wait_charts
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_budget_planner_in_the_browser(live_server, page, screenshot, transactional_db):
    membership = MembershipFactory()
    seed(membership.organization)
    login(page, live_server, membership.user.username)

    page.click("nav a:has-text('预算规划')")
    page.wait_for_url("**/campaigns/budget/**")
    page.goto(f"{live_server.url}/campaigns/budget/?preset=custom&start={START}&end={END}")
    assert wait_charts(page) == 3
    assert page.locator("nav a.active").inner_text().strip().endswith("预算规划")
    before = page.locator("[data-kpi=expected_revenue] .kpi-value").inner_text()
    screenshot("budget")

    page.fill("input[name=total]", "2500")
    page.select_option("select[name=scenario_platform]", "wechat")
    page.fill("input[name=cpa_change]", "20")
    page.fill("input[name=max_douyin]", "900")
    page.click("form[data-what-if] button[type=submit]")
    page.wait_for_url("**total=2500**")
    assert wait_charts(page) == 3
    assert page.locator("[data-kpi=total] .kpi-value").inner_text() == "¥2,500.00"
    assert page.locator("[data-kpi=expected_revenue] .kpi-value").inner_text() != before
    assert page.locator("input[name=max_douyin]").input_value() == "900"
    plan_row = page.locator("[data-table=budget_plan] tbody tr").first
    assert "抖音" in plan_row.inner_text()
    screenshot("budget_what_if")

    with page.expect_download() as download:
        page.click("[data-table=budget_plan] a:has-text('CSV')")
    assert download.value.suggested_filename.startswith("budget_plan_")

    page.fill("input[name=total]", "1")
    page.click("form[data-what-if] button[type=submit]")
    page.wait_for_url("**total=1**")
    assert "放不进去" in page.locator("[data-plan-error]").inner_text()
    screenshot("budget_infeasible", full_page=False)
    assert page.watch.foreign_requests() == []
    assert page.watch.console_errors == []
