"""Evaluating rules against real rows in PostgreSQL: states, evaluations, one alert per episode."""

import datetime as dt

import pytest

from alerts.models import Alert, AlertDelivery, AlertEvaluation, AlertRule, AlertState, HealthCheck, State
from alerts.services import alert_rule_create, organization_alerts_evaluate
from tests.alerts.conftest import DIP_DAY, DROP_DAY, FIRST_DAY

pytestmark = pytest.mark.django_db


def evaluate_days(org, first, last):
    day = first
    while day <= last:
        organization_alerts_evaluate(organization=org, day=day)
        day += dt.timedelta(days=1)


def test_a_25_percent_drop_alerts_once_and_a_15_percent_dip_not_at_all(series_org):
    org, accounts = series_org
    rule = alert_rule_create(
        organization=org,
        name="播放下跌",
        metric="views",
        condition="drop",
        threshold=0.2,
        channels=[{"kind": "email", "address": "ops@example.com"}],
    )

    evaluate_days(org, FIRST_DAY + dt.timedelta(days=28), FIRST_DAY + dt.timedelta(days=59))

    [alert] = Alert.objects.filter(rule=rule)
    assert alert.date == DROP_DAY
    assert alert.scope == "org"
    assert alert.scope_label == "品牌"
    assert alert.change == pytest.approx(-0.25, abs=0.02)
    assert alert.z_score < -3
    assert {c["label"] for c in alert.contributors} == {f"抖音 · {a.name}" for a in accounts}
    assert sum(c["effect"] for c in alert.contributors) == pytest.approx(alert.value - alert.baseline, rel=0.05)
    assert "preset=custom" in alert.link
    assert f"end={DROP_DAY}" in alert.link
    assert AlertDelivery.objects.get(alert=alert).kind == "email"
    dip = AlertEvaluation.objects.get(rule=rule, date=DIP_DAY)
    assert dip.outcome == "ok"
    assert dip.change == pytest.approx(-0.15, abs=0.02)
    assert AlertEvaluation.objects.filter(rule=rule).count() == 32  # every evaluation is recorded
    state = AlertState.objects.get(rule=rule, scope="org")
    assert state.state == State.OK
    assert state.last_alerted_on == DROP_DAY


def test_re_running_a_day_sends_nothing_new(series_org):
    org, _ = series_org
    rule = alert_rule_create(
        organization=org,
        name="r",
        metric="views",
        condition="drop",
        threshold=0.2,
        channels=[{"kind": "email", "address": "ops@example.com"}],
    )
    for day in (DROP_DAY, DROP_DAY, DROP_DAY + dt.timedelta(days=1), DROP_DAY):
        organization_alerts_evaluate(organization=org, day=day)
    assert Alert.objects.filter(rule=rule).count() == 1
    assert AlertDelivery.objects.count() == 1
    assert AlertState.objects.get(rule=rule).state == State.RESOLVED  # the past day did not move it back


def test_a_drop_that_lasts_alerts_once_and_the_grace_period_mutes_a_quick_relapse(series_org):
    org, accounts = series_org
    from analytics.models import AccountDailyMetric

    # Days after the drop stay low for two days, recover one day, then fall again.
    low = [DROP_DAY + dt.timedelta(days=n) for n in (1, 2, 4)]
    for day in low:
        AccountDailyMetric.objects.filter(date=day).update(views=700)
    rule = alert_rule_create(organization=org, name="r", metric="views", condition="drop", threshold=0.2, grace_days=7)
    evaluate_days(org, DROP_DAY, DROP_DAY + dt.timedelta(days=4))
    states = list(AlertEvaluation.objects.filter(rule=rule).order_by("date").values_list("state", flat=True))
    assert states == ["triggered", "triggered", "triggered", "resolved", "triggered"]
    assert Alert.objects.filter(rule=rule).count() == 1


def test_rules_scoped_to_an_account_and_a_platform(series_org):
    org, (main, other) = series_org
    alert_rule_create(organization=org, name="acct", metric="views", condition="drop", threshold=0.2, account=main)
    alert_rule_create(
        organization=org, name="plat", metric="engagement_rate", condition="below", threshold=0.5, platform="douyin"
    )
    organization_alerts_evaluate(organization=org, day=DROP_DAY)
    scopes = dict(Alert.objects.values_list("rule__name", "scope"))
    assert scopes == {"acct": f"account:{main.pk}", "plat": "platform:douyin"}
    plat = Alert.objects.get(rule__name="plat")
    assert plat.coverage in (None, 1.0)  # read from the KPI report when it carries coverage


def test_builtin_health_rules_exist_and_flag_an_account_that_needs_reauthorisation(series_org):
    org, (main, _) = series_org
    main.status = "needs_reauth"
    main.status_detail = "token expired"
    main.save()
    organization_alerts_evaluate(organization=org, day=DROP_DAY)
    assert set(AlertRule.objects.filter(organization=org).values_list("builtin", flat=True)) == set(HealthCheck.values)
    [alert] = Alert.objects.filter(rule__builtin=HealthCheck.NEEDS_REAUTH)
    assert alert.scope == f"account:{main.pk}"
    assert "token expired" in alert.summary
    assert alert.link.endswith("/data/")


def test_scopes_wait_while_their_accounts_are_still_syncing(series_org):
    from ingestion.models import IngestionRun, RunStatus

    org, (main, _) = series_org
    rule = alert_rule_create(organization=org, name="r", metric="views", condition="drop", threshold=0.2)
    IngestionRun.objects.create(account=main, source="api", status=RunStatus.RUNNING, window_end=DROP_DAY)
    summary = organization_alerts_evaluate(organization=org, day=DROP_DAY)
    assert summary.waiting >= 1
    assert not AlertEvaluation.objects.filter(rule=rule).exists()


def test_sync_failing_two_nights_running_and_stale_data(db):
    from django.utils import timezone

    from ingestion.models import IngestionRun, RunStatus
    from tests.factories import OrganizationFactory, SocialAccountFactory

    org = OrganizationFactory()
    creds = {"access_token": "t"}
    failing, flaky, stale = (SocialAccountFactory(organization=org, credentials=creds) for _ in range(3))
    now = timezone.now()

    def run(account, night, status, finished_hours_ago=1):
        IngestionRun.objects.create(
            account=account,
            source="api",
            status=status,
            window_end=night,
            finished_at=now - dt.timedelta(hours=finished_hours_ago),
        )

    for account in (failing, flaky, stale):
        run(account, DROP_DAY - dt.timedelta(days=2), RunStatus.SUCCEEDED, 50)
    run(failing, DROP_DAY - dt.timedelta(days=1), RunStatus.FAILED)
    run(failing, DROP_DAY, RunStatus.DEFERRED)
    run(flaky, DROP_DAY - dt.timedelta(days=1), RunStatus.FAILED)
    run(flaky, DROP_DAY, RunStatus.FAILED)
    run(flaky, DROP_DAY, RunStatus.SUCCEEDED)  # re-run the same night: its latest run counts
    organization_alerts_evaluate(organization=org, day=DROP_DAY, now=now)

    fired = set(Alert.objects.values_list("rule__builtin", "scope"))
    assert (HealthCheck.SYNC_FAILING, f"account:{failing.pk}") in fired
    assert (HealthCheck.SYNC_FAILING, f"account:{flaky.pk}") not in fired
    assert (HealthCheck.DATA_STALE, f"account:{stale.pk}") in fired  # last success 50 h ago
    assert (HealthCheck.DATA_STALE, f"account:{flaky.pk}") not in fired


def test_an_account_alert_names_the_posts_that_moved_most(series_org):
    from analytics.models import PostDailyMetric
    from tests.factories import PostFactory

    org, (main, _) = series_org
    falling, steady = PostFactory(account=main, title="爆款视频"), PostFactory(account=main, title="日常视频")
    rows, totals = [], {falling.pk: 0, steady.pk: 0}
    for n in range(30):
        day = DROP_DAY - dt.timedelta(days=29 - n)
        totals[falling.pk] += 10 if day == DROP_DAY else 100
        totals[steady.pk] += 50
        rows += [PostDailyMetric(post_id=post, date=day, views=total) for post, total in totals.items()]
    PostDailyMetric.objects.bulk_create(rows)
    alert_rule_create(organization=org, name="主号播放", metric="views", condition="drop", threshold=0.2, account=main)

    organization_alerts_evaluate(organization=org, day=DROP_DAY)

    [alert] = Alert.objects.filter(rule__name="主号播放")
    assert alert.contributors == [
        {"scope": f"post:{falling.pk}", "label": "作品 · 爆款视频", "value": 10.0, "baseline": 100.0, "effect": -90.0}
    ]
