"""End to end on a real Celery worker: a nightly sync lands, alerts are evaluated, the robot gets the message.

The worker runs the production tasks (`tests.ingestion.celery_worker_app`: only the fake platform's
connector is added and the test's own queue is the default), on the real Redis and the test database.
"""

import datetime as dt
import os
import time
import uuid

import pytest
from django.conf import settings

from alerts.models import Alert, AlertDelivery, AlertEvaluation, AlertRule, DeliveryStatus
from alerts.services import alert_rule_create, builtin_rules_ensure
from analytics.models import AccountDailyMetric
from ingestion.tasks import sync_account
from socialmetrics.embedded import process_stop
from tests.alerts.robots import Robots
from tests.factories import OrganizationFactory, SocialAccountFactory
from tests.ingestion.http_platform import PLATFORM, FakePlatform, day_numbers
from tests.ingestion.workers import database_url, worker_ready, worker_start

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DAY = dt.date(2026, 10, 10)


@pytest.fixture(scope="module")
def servers():
    with FakePlatform() as platform, Robots() as robots:
        yield platform, robots


@pytest.fixture(scope="module")
def alert_worker(django_db_setup, django_db_blocker, tmp_path_factory, servers):
    _, robots = servers
    queue = f"alerts-test-{uuid.uuid4().hex[:12]}"
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    with django_db_blocker.unblock():
        url = database_url()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": settings.REDIS_URL,
        "SYNC_TEST_QUEUE": queue,
        "SYNC_QUEUE_PREFIX": f"{queue}.",
        "CONN_MAX_AGE": "0",
        "ALERT_EVALUATION_DELAY": "1",
        "ALERT_RETRY_BACKOFF": "1",
        "WEBHOOK_ALLOWED_HOSTS": robots.host_port,
        "SITE_URL": "http://sm.example",
    }
    worker = worker_start(app="tests.ingestion.celery_worker_app", name=queue, env=env, log=log)
    try:
        worker_ready(worker, log)
        yield queue, log
    finally:
        process_stop(worker, timeout=20)


def test_sync_then_evaluate_then_deliver(alert_worker, servers, settings):
    queue, log = alert_worker
    platform, robots = servers
    settings.WEBHOOK_ALLOWED_HOSTS = [robots.host_port]
    org = OrganizationFactory(slug="e2e", name="端到端品牌")
    account = SocialAccountFactory(
        organization=org, platform=PLATFORM, external_id="e2e-a", name="主号", credentials={"base_url": platform.url}
    )
    synced_views = day_numbers("e2e-a", DAY)["views"]
    # Four weeks in which the account had twice the views the platform reports for DAY.
    AccountDailyMetric.objects.bulk_create(
        [
            AccountDailyMetric(
                account=account, date=DAY - dt.timedelta(days=n), views=2 * synced_views + n % 3, likes=100, followers=10_000
            )
            for n in range(1, 29)
        ]
    )
    rule = alert_rule_create(
        organization=org,
        name="播放下跌",
        metric="views",
        condition="drop",
        threshold=0.2,
        channels=[robots.wecom(), robots.dingtalk()],
    )

    sync_account.apply_async(args=(account.pk, DAY.isoformat(), DAY.isoformat()), queue=queue)

    deadline = time.monotonic() + 60
    while AlertDelivery.objects.filter(status=DeliveryStatus.SENT).count() < 2:
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.3)
    [alert] = Alert.objects.filter(rule=rule)
    assert alert.date == DAY
    assert alert.value == synced_views
    assert alert.change == pytest.approx(-0.5, abs=0.01)
    assert alert.link.startswith("http://sm.example/?")
    assert sorted(AlertDelivery.objects.values_list("kind", "code", "attempts")) == [("dingtalk", "0", 1), ("wecom", "0", 1)]
    [wecom] = robots.received["wecom"]
    assert "播放" in wecom["markdown"]["content"]
    assert "-50.0%" in wecom["markdown"]["content"]
    assert robots.received["dingtalk"][0]["markdown"]["title"].startswith("【告警】播放下跌")
    assert AlertEvaluation.objects.filter(rule=rule, date=DAY).count() == 1


def test_an_expired_token_alerts_and_transient_robot_failures_are_retried(alert_worker, servers, settings):
    queue, log = alert_worker
    platform, robots = servers
    platform.script["retry-a"] = [401]
    robots.script["wecom"] = [{"errcode": 45009, "errmsg": "api freq out of limit"}, {"errcode": -1, "errmsg": "busy"}]
    org = OrganizationFactory(slug="retry")
    account = SocialAccountFactory(
        organization=org, platform=PLATFORM, external_id="retry-a", credentials={"base_url": platform.url}
    )
    builtin_rules_ensure(organization=org)
    reauth = AlertRule.objects.get(organization=org, builtin="needs_reauth")
    reauth.channels = [robots.wecom()]
    reauth.save()

    sync_account.apply_async(args=(account.pk, DAY.isoformat(), DAY.isoformat()), queue=queue)

    deadline = time.monotonic() + 60
    while not AlertDelivery.objects.filter(alert__rule=reauth, status=DeliveryStatus.SENT).exists():
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.3)
    delivery = AlertDelivery.objects.get(alert__rule=reauth)
    assert (delivery.attempts, delivery.code) == (3, "0")
    assert delivery.alert.scope == f"account:{account.pk}"
    assert "access token rejected" in delivery.alert.summary
