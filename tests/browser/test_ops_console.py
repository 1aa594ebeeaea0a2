"""The data page as ops use it, in Chromium: runs, a run's detail and retry, the 30-night strips, a reconnect
through the sandbox's authorisation page, and the dashboards' banner."""

import datetime as dt

import pytest
import requests
from django.test import override_settings
from django.utils import timezone

from accounts.models import AccountStatus, Role
from ingestion.models import IngestionRun, RunSource, RunStatus
from ingestion.sandbox import Sandbox, demo_credentials
from ingestion.sandbox.demo import night_after
from ingestion.services import night_yesterday, nightly_schedule_update, sync_all_inline
from tests.dashboards.demo import PASSWORD
from tests.factories import MembershipFactory, OrganizationFactory, SocialAccountFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOUYIN = "_000browserDouyin"


@pytest.fixture
def sandbox():
    with Sandbox(seed=9) as server, override_settings(**server.api_bases(), PLATFORM_RETRY_WAIT=0.01):
        yield server


def test_ops_watch_the_nights_retry_a_window_and_reconnect_an_account(live_server, page, screenshot, sandbox):
    org = OrganizationFactory(name="星河美妆")
    nightly_schedule_update(hour=2, minute=30, enabled=True)  # transactional tests flush the migration's row
    owner = UserFactory(username="ops-owner")
    MembershipFactory(user=owner, organization=org, role=Role.OWNER)
    accounts = {
        platform: SocialAccountFactory(
            organization=org,
            platform=platform,
            name=name,
            external_id=external_id,
            credentials=demo_credentials(platform, external_id),
        )
        for platform, external_id, name in [
            ("wechat", "wxBROWSER1", "星河 · 公众号"),
            ("weibo", "5800000077", "星河 · 微博"),
            ("bilibili", "777777", "星河 · B站"),
        ]
    }
    # Twelve real nights against the sandbox, three of them in a quota outage.
    last = night_yesterday()
    outage = {last - dt.timedelta(days=back) for back in (7, 6, 5)}
    for back in range(11, -1, -1):
        night = last - dt.timedelta(days=back)
        requests.delete(f"{sandbox.url}/_sandbox/faults", timeout=5)
        if night in outage:
            requests.post(
                f"{sandbox.url}/_sandbox/faults", json={"platform": "*", "fault": "rate_limit", "count": 10_000}, timeout=5
            )
        with night_after(sandbox.url, night):
            sync_all_inline(day=night)
    douyin = SocialAccountFactory(
        organization=org,
        platform="douyin",
        name="星河 · 抖音",
        external_id=DOUYIN,
        credentials={**demo_credentials("douyin", DOUYIN), "access_token": "revoked"},
        status=AccountStatus.NEEDS_REAUTH,
        status_detail="douyin /oauth/refresh_token/: error_code 10010 refresh_token过期",
    )
    now = timezone.now()
    IngestionRun.objects.create(
        account=accounts["bilibili"],
        source=RunSource.API,
        status=RunStatus.RETRYING,
        window_start=last,
        window_end=last,
        attempt=2,
        started_at=now,
        next_attempt_at=now + dt.timedelta(minutes=2),
        error="平台暂时不可用（可重试）：bilibili /arcopen/fn/data/user/stat: HTTP 503",
        error_detail={"platform": "bilibili", "endpoint": "/arcopen/fn/data/user/stat", "code": "HTTP 503"},
    )

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", owner.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/")
    banner = page.locator("[data-freshness]")
    assert "需要重新授权" in banner.inner_text()
    assert "缺失" in banner.inner_text()
    screenshot("ops_banner", full_page=False)

    page.click("[data-freshness] a")
    page.wait_for_url(f"{live_server.url}/data/")
    strip = page.locator(f"[data-nights='{accounts['weibo'].pk}'] .night")
    assert strip.count() == 30
    states = [strip.nth(n).get_attribute("class").removeprefix("night n-") for n in range(30)]
    assert states[-12:] == ["succeeded"] * 4 + ["gap"] * 3 + ["succeeded"] * 5  # snapshots lost in the outage
    wechat = page.locator(f"[data-nights='{accounts['wechat'].pk}'] .night")
    assert [wechat.nth(n).get_attribute("class") for n in (22, 23, 24)] == ["night n-deferred"] * 3  # read later
    assert page.locator("[data-next-run]").inner_text().endswith("02:30")
    assert "等待重试" in page.locator("[data-section=runs]").inner_text()
    screenshot("ops_data_page")

    # Only the deferred runs, then one of them in detail, retried.
    page.select_option("select[name=runs-status]", "deferred")
    page.click("[data-run-filter] button[type=submit]")
    page.wait_for_url("**/data/?*runs-status=deferred*")
    assert page.locator(".runs .run").count() == 9  # three nights of three accounts
    assert page.locator(".runs .run.r-deferred").count() == 9
    page.locator(".runs .run a").first.click()
    page.locator("[data-section=run]").wait_for()
    assert "28003017" not in page.content()  # not Douyin: the error is the platform's own
    assert page.locator("[data-error-detail]").count() == 1
    screenshot("ops_run_detail")
    page.click("[data-retry]")
    page.locator(".msg.success").wait_for()
    assert "新的运行编号" in page.locator(".msg.success").inner_text()

    # Reconnect Douyin through the (sandbox) platform's authorisation page.
    page.goto(f"{live_server.url}/data/")
    page.click(f"[data-reauth='{douyin.pk}']")
    page.wait_for_url(f"{sandbox.url}/platform/oauth/connect/**")
    screenshot("ops_reauth_platform_page", full_page=False)
    page.fill("input[name=account]", DOUYIN)
    page.click("[data-authorize]")
    page.wait_for_url(f"{live_server.url}/data/")
    assert "已重新授权" in page.locator(".msg.success").inner_text()
    douyin.refresh_from_db()
    assert douyin.status == AccountStatus.ACTIVE
    assert douyin.credentials["access_token"] != "revoked"
    assert page.locator(f"[data-reauth='{douyin.pk}']").count() == 0
    screenshot("ops_after_reauth")
    assert page.watch.foreign_requests() == []
    assert page.watch.console_errors == []
