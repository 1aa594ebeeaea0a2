"""Deliveries: one digest per robot when several alerts are due, codes recorded, the command's idempotence."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from alerts.models import Alert, AlertDelivery, DeliveryStatus
from alerts.services import alert_deliveries_send, alert_rule_create, organization_alerts_evaluate
from tests.alerts.conftest import DROP_DAY

pytestmark = pytest.mark.django_db


def drop_rules(org, channels, metrics=("views", "likes", "comments", "interactions")):
    return [
        alert_rule_create(organization=org, name=f"{m} 下跌", metric=m, condition="drop", threshold=0.2, channels=channels)
        for m in metrics
    ]


def test_alerts_due_on_one_robot_go_out_as_one_digest(series_org, robots):
    org, _ = series_org
    drop_rules(org, [robots.wecom()])
    organization_alerts_evaluate(organization=org, day=DROP_DAY)
    [key] = set(AlertDelivery.objects.values_list("channel_key", flat=True))

    outcome = alert_deliveries_send(channel_key=key)

    assert (outcome.sent, outcome.retry_in) == (4, None)
    [digest] = robots.received["wecom"]
    content = digest["markdown"]["content"]
    assert content.count("下跌") >= 4
    assert len(content.encode()) <= 4096
    assert list(AlertDelivery.objects.values_list("status", "code", "digest_size", "attempts").distinct()) == [
        (DeliveryStatus.SENT, "0", 4, 1)
    ]


def test_a_permanent_error_code_is_recorded_and_not_retried(series_org, robots):
    org, _ = series_org
    drop_rules(org, [robots.wecom(key="revoked")], metrics=("views",))
    organization_alerts_evaluate(organization=org, day=DROP_DAY)
    outcome = alert_deliveries_send(channel_key=AlertDelivery.objects.get().channel_key)
    assert outcome.retry_in is None
    delivery = AlertDelivery.objects.get()
    assert (delivery.status, delivery.code, delivery.detail) == (DeliveryStatus.FAILED, "93000", "invalid webhook url")


def test_a_transient_error_is_retried_later_with_backoff(series_org, robots, settings):
    settings.ALERT_RETRY_BACKOFF = 10
    org, _ = series_org
    drop_rules(org, [robots.feishu()], metrics=("views",))
    organization_alerts_evaluate(organization=org, day=DROP_DAY)
    robots.script["feishu"] = [{"code": 11232, "msg": "frequency limited"}, {"code": 11232, "msg": "frequency limited"}]
    key = AlertDelivery.objects.get().channel_key
    first, second = alert_deliveries_send(channel_key=key), alert_deliveries_send(channel_key=key)
    assert 10 <= first.retry_in <= 15
    assert 20 <= second.retry_in <= 30  # doubling, with jitter
    assert AlertDelivery.objects.get().status == DeliveryStatus.RETRYING
    assert alert_deliveries_send(channel_key=key).retry_in is None
    delivery = AlertDelivery.objects.get()
    assert (delivery.status, delivery.code, delivery.attempts) == (DeliveryStatus.SENT, "0", 3)


def test_evaluate_alerts_command_delivers_once_per_day(series_org, robots, capsys):
    org, _ = series_org
    drop_rules(org, [robots.dingtalk()], metrics=("views",))
    call_command("evaluate_alerts", "--org", "brand", "--date", DROP_DAY.isoformat())
    first = capsys.readouterr().out
    call_command("evaluate_alerts", "--org", "brand", "--date", DROP_DAY.isoformat())
    second = capsys.readouterr().out
    assert "1 alerts fired" in first
    assert "1 sent for the day" in first
    assert "0 alerts fired" in second
    assert len(robots.received["dingtalk"]) == 1
    assert Alert.objects.count() == 1


def test_evaluate_alerts_command_rejects_bad_input(db):
    with pytest.raises(CommandError, match="no organization with slug 'nope'"):
        call_command("evaluate_alerts", "--org", "nope", "--date", "2026-10-01")
    with pytest.raises(CommandError, match="not a date"):
        call_command("evaluate_alerts", "--date", "2026-13-01")


def test_a_day_without_data_records_no_data_and_fires_nothing(series_org):
    org, _ = series_org
    rule = drop_rules(org, [], metrics=("views",))[0]
    organization_alerts_evaluate(organization=org, day=dt.date(2027, 1, 1))
    assert rule.evaluations.get().outcome == "no_data"
    assert not Alert.objects.exists()
