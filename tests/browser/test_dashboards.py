"""Log in, visit every page with demo data, change filters; charts render, numbers match kpi_report."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from analytics.selectors import kpi_report
from dashboards.forms import Preset, preset_window
from tests.dashboards.demo import PASSWORD, demo_workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workspace(transactional_db):
    return demo_workspace()


def login(page, live_server, username, screenshot=None):
    page.goto(f"{live_server.url}/accounts/login/")
    if screenshot:
        screenshot("login", full_page=False)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/")


def wait_charts(page):
    charts = page.locator("[data-chart]")
    for index in range(charts.count()):
        charts.nth(index).locator("svg.main-svg").first.wait_for(state="attached", timeout=15000)
    return charts.count()


def card_values(page) -> dict:
    return {
        el.get_attribute("data-kpi"): el.get_attribute("data-value")
        for el in page.locator(".kpi[data-kpi]").element_handles()
    }


def assert_close(shown: str, expected):
    if expected is None:
        assert shown == ""
    else:
        assert float(shown) == pytest.approx(float(expected), rel=1e-9, abs=1e-9)


def test_every_page_renders_with_charts_and_the_selectors_numbers(live_server, page, screenshot, workspace, imports_inline):
    user, organization, accounts = workspace
    login(page, live_server, user.username, screenshot)

    # Overview: cards equal kpi_report with compare=previous over the default window.
    start, end = preset_window(Preset.DEFAULT, timezone.localdate())
    assert wait_charts(page) == 3
    expected = kpi_report(organization=organization, start=start, end=end, compare="previous")["results"][0]
    shown = card_values(page)
    assert set(shown) == {"views", "interactions", "engagement_rate", "net_followers", "spend", "conversions", "cpa", "roi"}
    for name, value in shown.items():
        assert_close(value, expected["kpis"][name])
    assert "¥" in page.locator(".kpi[data-kpi=spend] .kpi-value").inner_text()
    screenshot("overview")

    # The same numbers through the REST API the agencies use (session auth: the browser's cookies).
    api = page.request.get(
        f"{live_server.url}/api/v1/kpis/?start={start}&end={end}&compare=previous&org={organization.slug}")
    assert api.status == 200, api.text()
    for name, value in shown.items():
        assert_close(value, api.json()["results"][0]["kpis"][name])

    # Change the filters: last 7 days on Douyin; the URL keeps them and the cards follow.
    page.click("label.chip:has(input[value='7d'])")
    page.wait_for_url(re.compile(r"preset=7d"))
    page.select_option("select[name=platform]", "douyin")
    page.wait_for_url(re.compile(r"platform=douyin"))
    wait_charts(page)
    start7, end7 = preset_window(Preset.LAST_7, timezone.localdate())
    douyin = kpi_report(organization=organization, start=start7, end=end7, platform="douyin", compare="previous")
    for name, value in card_values(page).items():
        assert_close(value, douyin["results"][0]["kpis"][name])

    # Custom range kept in the URL across the navigation.
    custom_start, custom_end = end - dt.timedelta(days=44), end - dt.timedelta(days=5)
    page.goto(f"{live_server.url}/platforms/?preset=custom&start={custom_start}&end={custom_end}&platform=bilibili")
    wait_charts(page)
    bilibili = kpi_report(organization=organization, start=custom_start, end=custom_end, platform="bilibili",
                          compare="previous")["results"][0]["kpis"]
    values = card_values(page)
    for name in ("coins", "danmaku", "bilibili_interactions", "views"):
        assert_close(values[name], bilibili[name])
    assert page.locator("input[name=start]").input_value() == custom_start.isoformat()
    screenshot("platforms_bilibili")
    page.click(".nav a:has-text('内容')")
    page.wait_for_url(re.compile(r"/content/\?.*start=" + custom_start.isoformat()))

    # Content: table, performers, heatmap; sorting by views.
    page.goto(f"{live_server.url}/content/")
    assert wait_charts(page) == 1
    assert page.locator("[data-table=posts] tbody tr").count() > 10
    page.click("[data-table=posts] th a:has-text('阅读/播放')")
    page.wait_for_url(re.compile(r"sort=-views"))
    cells = page.locator("[data-table=posts] tbody td:nth-child(5)").element_handles()
    views = [float(td.get_attribute("data-value")) for td in cells]
    assert views == sorted(views, reverse=True)
    screenshot("content")
    screenshot("content_top", full_page=False)

    # Campaigns and data status.
    page.goto(f"{live_server.url}/campaigns/")
    assert wait_charts(page) == 2
    assert page.locator("[data-table=campaigns] tbody tr").count() == 10
    screenshot("campaigns")
    page.goto(f"{live_server.url}/platforms/?platform=douyin")
    wait_charts(page)
    douyin_30 = kpi_report(organization=organization, start=start, end=end, platform="douyin",
                           compare="previous")["results"][0]["kpis"]
    assert_close(card_values(page)["completion_rate"], douyin_30["completion_rate"])
    screenshot("platforms_douyin")

    # Data status: every account, then an upload of the daily template with the result shown.
    page.goto(f"{live_server.url}/data/")
    assert page.locator("[data-section=accounts] tbody tr").count() == len(accounts)
    page.select_option("select[name=account]", str(accounts[0].pk))
    page.select_option("select[name=kind]", "daily_csv")
    page.set_input_files("input[name=file]", files=[{
        "name": "公众号每日数据.csv", "mimeType": "text/csv",
        "buffer": b"date,followers,views,likes\n2026-10-01,100,1000,50\n2026-10-02,110,3000,90\n",
    }])
    page.click("[data-section=import] button[type=submit]")
    page.locator("[data-import-result=ok]").wait_for()
    assert "2026-10-01 — 2026-10-02" in page.locator("[data-import-result]").inner_text()
    assert page.locator(".runs .run").count() == 1
    screenshot("data_status")
    page.reload()  # POST/redirect/GET: a refresh shows the page again and uploads nothing
    page.locator("[data-section=runs]").wait_for()
    assert page.url == f"{live_server.url}/data/"
    assert page.locator("[data-import-result]").count() == 0
    assert page.locator(".runs .run").count() == 1

    assert page.watch.console_errors == []
    assert page.watch.foreign_requests() == []


def test_language_switch_and_organization_switch(live_server, page, screenshot, workspace):
    user, organization, _accounts = workspace
    login(page, live_server, user.username)
    assert page.locator("h1").inner_text() == "总览"
    page.click(".lang button[value=en]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Overview"
    wait_charts(page)
    screenshot("overview_en")
    page.click(".lang button[value=zh-hans]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "总览"

    page.select_option("#org-select", label="晨光食品")
    page.wait_for_load_state()
    assert page.locator("#org-select option:checked").inner_text() == "晨光食品"
    assert page.locator(".chart").count() == 0  # the other organization has no data: empty states instead
    assert page.locator(".empty").count() >= 3
    screenshot("overview_empty")
    assert page.watch.console_errors == []
    assert page.watch.foreign_requests() == []


def test_login_locks_out_after_repeated_failures(live_server, page, screenshot, workspace):
    user, _organization, _accounts = workspace
    for _attempt in range(5):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", "wrong-password")
        page.click("button[type=submit].primary")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    assert "锁定" in page.content()
    screenshot("login_locked", full_page=False)


@pytest.mark.slow
def test_the_seeded_demo_workspace_in_the_browser(live_server, page, screenshot, transactional_db):
    """What `make run` shows: seed_demo's data (real connectors against the sandbox, real importers)."""
    call_command("seed_demo", days=60, stdout=io.StringIO())
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "demo")
    page.fill("input[name=password]", "socialmetrics-demo")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/")
    for path, name in [("/", "overview"), ("/platforms/?platform=xiaohongshu", "platforms"), ("/content/", "content"),
                       ("/campaigns/", "campaigns"), ("/data/", "data_status"),
                       ("/platforms/?platform=kuaishou", "platforms_kuaishou"),
                       ("/platforms/?platform=wechat_channels", "platforms_wechat_channels")]:
        page.goto(f"{live_server.url}{path}")
        if path != "/data/":
            assert wait_charts(page) >= 1, path
        screenshot(f"demo_{name}")
    assert page.watch.console_errors == []
    assert page.watch.foreign_requests() == []
