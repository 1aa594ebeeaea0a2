"""The printable report and the reports page in a real browser: the chart draws, nothing leaves the site,
a failed delivery shows with its reason here and on the data page (screenshots in tests/browser/screenshots/)."""

import pytest

from reports.models import Report, ReportStatus
from reports.services import schedule_create
from tests.browser.conftest import wait_until
from tests.factories import MembershipFactory
from tests.reports.conftest import OCTOBER, report_org  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "report-pass-123"


def _login(page, live_server, org):
    membership = MembershipFactory(organization=org, role="analyst")
    membership.user.set_password(PASSWORD)
    membership.user.save()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", membership.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/")


def test_report_page_history_and_data_page_line(live_server, page, screenshot, report_org):  # noqa: F811
    schedule = schedule_create(organization=report_org, name="客户月报", period="month")
    Report.objects.create(
        organization=report_org,
        schedule=schedule,
        start=OCTOBER[0],
        end=OCTOBER[1],
        status=ReportStatus.DELIVERY_FAILED,
        error="email bo…@example.com: 550 mailbox unavailable",
    )
    _login(page, live_server, report_org)

    page.goto(f"{live_server.url}/reports/view/?start={OCTOBER[0]}&end={OCTOBER[1]}")
    wait_until(page, "window.reportReady === true")
    assert page.locator("[data-report-chart] svg.main-svg").count() >= 1
    assert "艾克美品牌" in page.inner_text("h1")
    screenshot("report-view")

    page.goto(f"{live_server.url}/reports/")
    assert "550 mailbox unavailable" in page.inner_text("[data-section=report-failures]")
    screenshot("reports-page")
    page.goto(f"{live_server.url}/data/")
    assert "报表失败" in page.inner_text("[data-section=report-status]")
    assert page.watch.foreign_requests() == [] and page.watch.console_errors == []
