"""The alerts page: rules with their state, a new rule, the test button, what fired."""

import pytest

from alerts.models import AlertRule
from alerts.services import alert_rule_create, organization_alerts_evaluate
from tests.alerts.conftest import DROP_DAY
from tests.api.conftest import MODEL_BACKEND
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def login(client, org, role="analyst"):
    membership = MembershipFactory(organization=org, role=role)
    membership.user.save()
    client.force_login(membership.user, backend=MODEL_BACKEND)


def test_page_lists_rules_and_what_fired(client, series_org, robots):
    org, _ = series_org
    alert_rule_create(
        organization=org, name="播放下跌", metric="views", condition="drop", threshold=0.2, channels=[robots.wecom()]
    )
    organization_alerts_evaluate(organization=org, day=DROP_DAY)
    login(client, org)
    page = client.get("/alerts/").content.decode()
    assert "播放下跌" in page
    assert "1 处告警中" in page
    assert "账号需要重新授权" in page
    assert "key=weco…" in page
    assert "wecom-key-0001" not in page
    assert "抖音 · 主号" in page  # what moved most
    assert 'href="/alerts/"' in page  # the navigation link


def test_analysts_add_rules_and_send_a_test_message(client, org, robots):
    login(client, org)
    response = client.post(
        "/alerts/",
        {
            "name": "互动率过低",
            "metric": "engagement_rate",
            "condition": "below",
            "threshold": "0.01",
            "channel_kind": "wecom",
            "channel_target": robots.wecom()["url"],
        },
    )
    assert response.status_code == 302
    rule = AlertRule.objects.get(name="互动率过低")
    assert rule.channels == [robots.wecom()]
    followed = client.post(f"/alerts/rules/{rule.pk}/test/", follow=True).content.decode()
    assert "发送成功" in followed
    assert "代码 0" in followed
    assert "测试消息" in robots.received["wecom"][0]["markdown"]["content"]


def test_bad_rules_are_explained_next_to_the_form(client, org):
    login(client, org)
    response = client.post(
        "/alerts/",
        {
            "name": "x",
            "metric": "views",
            "condition": "drop",
            "threshold": "20",
            "channel_kind": "dingtalk",
            "channel_target": "https://oapi.dingtalk.com/robot/send",
        },
    )
    assert response.status_code == 400
    assert "access_token=…" in response.content.decode()
    response = client.post("/alerts/", {"name": "x", "metric": "views", "condition": "drop", "threshold": "20"})
    assert response.status_code == 400
    assert "0.2 means 20 %" in response.content.decode()
    assert not AlertRule.objects.filter(name="x").exists()


def test_viewers_cannot_change_rules(client, org):
    login(client, org, role="viewer")
    response = client.post("/alerts/", {"name": "x", "metric": "views", "condition": "drop", "threshold": "0.2"})
    assert response.status_code == 403
    assert not AlertRule.objects.filter(name="x").exists()
