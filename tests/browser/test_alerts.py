"""The alerts page in Chromium: add a rule with a WeCom robot, send a test message, see what fired."""

import pytest

from alerts.services import organization_alerts_evaluate
from tests.alerts.conftest import DROP_DAY, write_days
from tests.alerts.robots import Robots
from tests.factories import MembershipFactory, OrganizationFactory, SocialAccountFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_alerts_page_in_the_browser(live_server, page, screenshot, settings):
    org = OrganizationFactory(slug="brand", name="演示品牌")
    for name, drop in (("抖音主号", 0.4), ("抖音副号", 0.1)):
        write_days(SocialAccountFactory(organization=org, name=name), drops={DROP_DAY: drop})
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role="analyst")
    with Robots() as robots:
        settings.WEBHOOK_ALLOWED_HOSTS = [robots.host_port]
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", "pw-123456-secret")
        page.click("button[type=submit].primary")
        page.wait_for_url(f"{live_server.url}/")
        page.click("nav a[href='/alerts/']")
        page.wait_for_url(f"{live_server.url}/alerts/")

        page.fill("input[name=name]", "播放下跌 20%")
        page.select_option("select[name=metric]", "views")
        page.select_option("select[name=condition]", "drop")
        page.fill("input[name=threshold]", "0.2")
        page.select_option("select[name=channel_kind]", "wecom")
        page.fill("input[name=channel_target]", robots.wecom()["url"])
        page.click("section[data-section=new-rule] button[type=submit]")
        page.wait_for_selector("text=已添加告警规则")
        row = page.locator("tr[data-rule]", has_text="播放下跌 20%")
        assert "key=weco…" in row.inner_text()
        assert "wecom-key-0001" not in page.content()

        row.locator("button[data-test-rule]").click()
        page.locator(".msg.success", has_text="发送成功").wait_for()
        assert "测试消息" in robots.received["wecom"][0]["markdown"]["content"]

        organization_alerts_evaluate(organization=org, day=DROP_DAY)
        page.reload()
        alert = page.locator("section[data-section=alerts] tbody tr").first
        assert "播放下跌 20%" in alert.inner_text()
        assert "抖音 · 抖音主号" in alert.inner_text()
        assert "告警中" in page.locator("tr[data-rule]", has_text="播放下跌 20%").inner_text()
        assert page.watch.console_errors == []
        assert page.watch.foreign_requests() == []
        screenshot("alerts")
