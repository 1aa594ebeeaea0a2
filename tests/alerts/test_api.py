"""/api/v1/alert-rules/ and /api/v1/alerts/: roles, tenancy, write-only encrypted secrets, the test button."""

import pytest
from django.db import connection

from alerts.models import AlertRule
from alerts.services import organization_alerts_evaluate
from tests.alerts.conftest import DROP_DAY, write_days
from tests.alerts.robots import DINGTALK_SECRET
from tests.api.conftest import assert_error, key_client, session_client
from tests.factories import OrganizationFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db

RULES = "/api/v1/alert-rules/"


@pytest.fixture(autouse=True)
def no_throttle(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": None}}


@pytest.fixture
def org():
    return OrganizationFactory(slug="brand-a")


def rule_body(**overrides):
    return {"name": "互动率下跌", "metric": "engagement_rate", "condition": "drop", "threshold": 0.2, **overrides}


def test_create_list_and_read_back_a_rule_with_masked_channels(org, robots):
    client = key_client(org)
    body = rule_body(channels=[robots.dingtalk(), {"kind": "email", "address": "ops@example.com"}])
    created = client.post(RULES, body, format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["channels"][0] == {
        "kind": "dingtalk",
        "has_secret": True,
        "url": f"{robots.url}/robot/send?access_token=ding…",
    }
    assert data["channels"][1] == {"kind": "email", "has_secret": False, "address": "op…@example.com"}
    assert DINGTALK_SECRET not in created.content.decode()
    listed = client.get(RULES).json()["results"]
    assert {r["builtin"] for r in listed} == {"", "needs_reauth", "sync_failing", "data_stale"}
    with connection.cursor() as cursor:  # at rest the URL and the secret are one opaque token
        cursor.execute("SELECT channel_config FROM alerts_alertrule WHERE id = %s", [data["id"]])
        (stored,) = cursor.fetchone()
    assert DINGTALK_SECRET not in stored
    assert "access_token" not in stored
    assert "ops@example.com" not in stored


def test_patching_channels_without_the_secret_keeps_it(org, robots):
    client = key_client(org)
    rule_id = client.post(RULES, rule_body(channels=[robots.dingtalk()]), format="json").json()["id"]
    channel = {"kind": "dingtalk", "url": robots.dingtalk()["url"]}
    assert client.patch(f"{RULES}{rule_id}/", {"channels": [channel], "threshold": 0.3}, format="json").status_code == 200
    rule = AlertRule.objects.get(pk=rule_id)
    assert rule.channels[0]["secret"] == DINGTALK_SECRET
    assert rule.threshold == 0.3


@pytest.mark.parametrize(
    ("body", "attr"),
    [
        (rule_body(metric="likes_per_day"), "metric"),
        (rule_body(condition="sideways"), "condition"),
        (rule_body(threshold=20), "threshold"),
        (rule_body(platform="douyin", account=1), "account"),
        (rule_body(channels=[{"kind": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"}]), "channels"),
        (rule_body(channels=[{"kind": "email", "address": "not-an-address"}]), "channels"),
        (rule_body(channels=[{"kind": "sms", "url": "https://x"}]), "channels"),
        ({"name": "x"}, "metric"),
    ],
)
def test_bad_rules_answer_400_with_the_field(org, body, attr):
    response = key_client(org).post(RULES, body, format="json")
    errors = assert_error(response, 400)["errors"]
    assert any((e["attr"] or "").startswith(attr) for e in errors), errors


def test_other_organizations_accounts_are_unknown(org):
    other = SocialAccountFactory(organization=OrganizationFactory())
    response = key_client(org).post(RULES, rule_body(account=other.pk), format="json")
    assert_error(response, 400, attr="account")


def test_viewers_read_analysts_write_and_builtin_rules_are_not_deleted(org):
    viewer, analyst = session_client(org, "viewer"), session_client(org, "analyst")
    assert viewer.get(RULES).status_code == 200
    assert_error(viewer.post(RULES, rule_body(), format="json"), 403)
    assert analyst.post(RULES, rule_body(), format="json").status_code == 201
    builtin = AlertRule.objects.get(organization=org, builtin="needs_reauth")
    assert_error(analyst.delete(f"{RULES}{builtin.pk}/"), 400, attr="builtin")
    assert analyst.patch(f"{RULES}{builtin.pk}/", {"enabled": False}, format="json").json()["enabled"] is False


def test_send_test_message_answers_each_channels_result(org, robots):
    client = key_client(org)
    rule_id = client.post(RULES, rule_body(channels=[robots.wecom(), robots.wecom(key="revoked")]), format="json").json()[
        "id"
    ]
    response = client.post(f"{RULES}{rule_id}/test/")
    assert response.status_code == 200
    first, second = response.json()["results"]
    assert (first["ok"], first["code"]) == (True, "0")
    assert (second["ok"], second["code"], second["transient"]) == (False, "93000", False)
    assert "revoked" not in second["target"].replace("revo…", "")
    assert "测试消息" in robots.received["wecom"][0]["markdown"]["content"]


def test_alerts_list_what_fired_with_drivers_and_deliveries(org, robots):
    accounts = [SocialAccountFactory(organization=org, name=n) for n in ("A", "B")]
    write_days(accounts[0], drops={DROP_DAY: 0.5})
    write_days(accounts[1])
    client = key_client(org)
    rule_id = client.post(RULES, rule_body(metric="views", channels=[robots.wecom()]), format="json").json()["id"]
    organization_alerts_evaluate(organization=org, day=DROP_DAY)

    response = client.get("/api/v1/alerts/", {"rule": rule_id, "start": DROP_DAY, "end": DROP_DAY})
    [alert] = response.json()["results"]
    assert alert["date"] == DROP_DAY.isoformat()
    assert alert["metric"] == "views"
    assert alert["change"] == pytest.approx(-0.25, abs=0.02)
    assert alert["contributors"][0]["label"] == "抖音 · A"
    assert alert["deliveries"] == [
        {
            "kind": "wecom",
            "target": f"{robots.url}/cgi-bin/webhook/send?key=weco…",
            "status": "pending",
            "code": "",
            "detail": "",
            "attempts": 0,
            "digest_size": 0,
            "sent_at": None,
        }
    ]
    assert key_client(OrganizationFactory()).get("/api/v1/alerts/").json()["count"] == 0
    assert_error(client.get("/api/v1/alerts/", {"start": "2026-10-10", "end": "2026-10-01"}), 400, attr="end")
    assert client.get("/api/v1/alerts/", {"format": "csv"}).status_code == 200
