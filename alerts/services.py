"""Writes: alert rules, the evaluation of a day (states, evaluations, alerts, deliveries)."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from psycopg2.extras import execute_values

from analytics import kpis

from . import baseline, channels
from .evaluation import Finding, organization_findings
from .messages import digest_message, finding_summary, test_message
from .models import (
    Alert,
    AlertDelivery,
    AlertEvaluation,
    AlertRule,
    AlertState,
    Condition,
    DeliveryStatus,
    HealthCheck,
    State,
)

KPI_METRICS = tuple(dict.fromkeys((*kpis.KPI_NAMES, "interactions_per_mille")))
# pg_advisory_xact_lock(namespace, organization id): the namespace is "alrt" in ASCII.
LOCK_NAMESPACE = 0x616C7274
# Defaults of the built-in data-health rules: fire at once, remind at most weekly.
BUILTIN_GRACE_DAYS = 7


@dataclass(frozen=True)
class EvaluationSummary:
    organization: str
    date: dt.date
    evaluated: int
    fired: int
    waiting: int
    deliveries: int


def alert_rule_errors(*, organization, values: dict) -> dict[str, str]:
    """What is wrong with a rule's fields (empty when it can be saved), field by field."""
    errors = {}
    builtin = values.get("builtin")
    if not builtin:
        if values.get("metric") not in KPI_METRICS:
            errors["metric"] = f"unknown KPI {values.get('metric')!r}; expected a KPI name of KPIS.md"
        if values.get("condition") not in Condition.values:
            errors["condition"] = f"expected one of {', '.join(Condition.values)}"
        threshold = values.get("threshold")
        if threshold is None or not math.isfinite(threshold):
            errors["threshold"] = "a finite threshold is needed"
        elif values.get("condition") in (Condition.DROP, Condition.RISE) and not 0 < threshold < 10:
            errors["threshold"] = "drop/rise thresholds are fractions: 0.2 means 20 %"
    scopes = [name for name in ("platform", "account", "campaign") if values.get(name)]
    if len(scopes) > 1:
        errors[scopes[1]] = "a rule has one scope: the organization, a platform, an account or a campaign"
    for name in ("account", "campaign"):
        related = values.get(name)
        if related is not None and related.organization_id != organization.pk:
            errors[name] = f"no {name} {related.pk} in {organization.slug}"
    for position, channel in enumerate(values.get("channels") or []):
        for attr, problem in channels.channel_errors(channel).items():
            errors[f"channels[{position}].{attr}"] = problem
    return errors


def _checked(organization, values: dict) -> dict:
    errors = alert_rule_errors(organization=organization, values=values)
    if errors:
        raise ValidationError({field: [message] for field, message in errors.items()})
    return values


def alert_rule_create(
    *,
    organization,
    name: str,
    metric: str,
    condition: str,
    threshold: float,
    platform: str = "",
    account=None,
    campaign=None,
    channels: list[dict] = (),
    grace_days: int = 3,
    enabled: bool = True,
) -> AlertRule:
    values = _checked(
        organization,
        {
            "metric": metric,
            "condition": condition,
            "threshold": threshold,
            "platform": platform,
            "account": account,
            "campaign": campaign,
            "channels": list(channels),
        },
    )
    rule = AlertRule(
        organization=organization,
        name=name,
        grace_days=grace_days,
        enabled=enabled,
        **{k: v for k, v in values.items() if k != "channels"},
    )
    rule.channels = values["channels"]
    rule.save()
    return rule


def alert_rule_update(*, rule: AlertRule, **changes) -> AlertRule:
    """Change some fields. A channel given without `secret` keeps the secret of the channel it replaces
    (same kind and URL/address): secrets are write-only, clients never have them to send back."""
    current = {
        "metric": rule.metric,
        "condition": rule.condition,
        "threshold": rule.threshold,
        "platform": rule.platform,
        "account": rule.account,
        "campaign": rule.campaign,
        "channels": rule.channels,
        "builtin": rule.builtin,
    }
    if "channels" in changes:
        changes["channels"] = _keep_secrets(rule.channels, changes["channels"])
    if rule.builtin:  # what a data-health rule checks is fixed; its name, channels and grace are not
        changes = {k: v for k, v in changes.items() if k in ("name", "channels", "grace_days", "enabled")}
    values = _checked(rule.organization, current | changes)
    for name, value in changes.items():
        if name == "channels":
            rule.channels = values["channels"]
        else:
            setattr(rule, name, value)
    rule.save()
    return rule


def _keep_secrets(old: list[dict], new: list[dict]) -> list[dict]:
    secrets = {channels.channel_key(c): c["secret"] for c in old if c.get("secret")}
    return [
        c if "secret" in c or channels.channel_key(c) not in secrets else {**c, "secret": secrets[channels.channel_key(c)]}
        for c in new
    ]


def builtin_rules_ensure(*, organization) -> None:
    """Every organization has the data-health rules (idempotent; users add channels, may disable them)."""
    AlertRule.objects.bulk_create(
        [
            AlertRule(
                organization=organization,
                name=str(check.label),
                metric=check.value,
                builtin=check.value,
                grace_days=BUILTIN_GRACE_DAYS,
            )
            for check in HealthCheck
        ],
        ignore_conflicts=True,
    )


def _transition(state: AlertState, finding: Finding, day: dt.date) -> tuple[str, bool]:
    """(new state, whether to alert): alert when a breach starts, unless within the grace period."""
    outcome = finding.verdict.outcome
    if outcome == baseline.BREACH:
        if state.state == State.TRIGGERED:
            return State.TRIGGERED, False
        in_grace = state.last_alerted_on is not None and (day - state.last_alerted_on).days < finding.rule.grace_days
        return State.TRIGGERED, not in_grace
    if outcome == baseline.OK:
        return (State.RESOLVED if state.state == State.TRIGGERED else State.OK), False
    return state.state, False  # no data or no baseline: nothing is known, nothing changes


def _evaluation(finding: Finding, day: dt.date, state: str) -> AlertEvaluation:
    v = finding.verdict
    return AlertEvaluation(
        rule=finding.rule,
        scope=finding.scope,
        date=day,
        outcome=v.outcome,
        state=state,
        value=v.value,
        baseline=v.baseline,
        change=v.change,
        z_score=v.z_score,
        coverage=finding.coverage,
        detail=v.detail[:300],
    )


def _alert(finding: Finding, day: dt.date) -> Alert:
    v, rule = finding.verdict, finding.rule
    return Alert(
        organization_id=rule.organization_id,
        rule=rule,
        scope=finding.scope,
        scope_label=finding.scope_label[:300],
        date=day,
        metric=rule.metric,
        condition=rule.condition,
        threshold=rule.threshold,
        value=v.value,
        baseline=v.baseline,
        change=v.change,
        z_score=v.z_score,
        coverage=finding.coverage,
        summary=finding_summary(finding),
        contributors=finding.contributors,
        link=finding.link,
    )


def _states_upsert(states: list[AlertState]) -> None:
    """Write the states in one statement per 1,000 (bulk_update's CASE per row cost ~1 s per 1,000 rows)."""
    rows = [(s.rule_id, s.scope, s.state, s.evaluated_on, s.changed_at or timezone.now(), s.last_alerted_on) for s in states]
    with connection.cursor() as cursor:
        execute_values(
            cursor.cursor,
            """
            INSERT INTO alerts_alertstate (rule_id, scope, state, evaluated_on, changed_at, last_alerted_on) VALUES %s
            ON CONFLICT (rule_id, scope) DO UPDATE SET state = EXCLUDED.state, evaluated_on = EXCLUDED.evaluated_on,
                changed_at = EXCLUDED.changed_at, last_alerted_on = EXCLUDED.last_alerted_on""",
            rows,
            template="(%s, %s, %s, %s::date, %s::timestamptz, %s::date)",
            page_size=1000,
        )


def _record(organization, findings: list[Finding], day: dt.date) -> tuple[list[Alert], list[AlertDelivery]]:
    """Apply the findings to the states and write evaluations, alerts and deliveries (caller holds the lock)."""
    states = {(s.rule_id, s.scope): s for s in AlertState.objects.filter(rule__organization=organization)}
    already = set(Alert.objects.filter(organization=organization, date=day).values_list("rule_id", "scope"))
    evaluations, new_states, changed_states, alerts = [], [], [], []
    for finding in findings:
        key = (finding.rule.pk, finding.scope)
        state = states.get(key)
        if state is None:
            state = AlertState(rule=finding.rule, scope=finding.scope, state=State.OK, evaluated_on=day)
            new_states.append(state)
        elif day < state.evaluated_on:  # re-evaluating a past day: recorded, but the present state stands
            evaluations.append(_evaluation(finding, day, state.state))
            continue
        else:
            changed_states.append(state)
        new_state, fire = _transition(state, finding, day)
        fire = fire and key not in already
        if new_state != state.state:
            state.changed_at = timezone.now()
        state.state, state.evaluated_on = new_state, day
        if fire:
            state.last_alerted_on = day
            alerts.append(_alert(finding, day))
        evaluations.append(_evaluation(finding, day, new_state))
    AlertEvaluation.objects.bulk_create(evaluations, batch_size=1000)
    _states_upsert([*new_states, *changed_states])
    Alert.objects.bulk_create(alerts, batch_size=1000)
    deliveries = [
        AlertDelivery(
            alert=alert,
            channel_index=position,
            kind=channel["kind"],
            target=channels.channel_target(channel),
            channel_key=channels.channel_key(channel),
        )
        for alert in alerts
        for position, channel in enumerate(alert.rule.channels)
    ]
    AlertDelivery.objects.bulk_create(deliveries, batch_size=1000)
    return alerts, deliveries


def _deliver_inline(channel_key: str) -> None:
    from .tasks import deliveries_send  # noqa: PLC0415 - tasks import this module

    outcome = alert_deliveries_send(channel_key=channel_key)
    if outcome.retry_in is not None:  # the worker takes over the retries
        deliveries_send.apply_async(args=(channel_key,), countdown=outcome.retry_in)


def organization_alerts_evaluate(
    *, organization, day: dt.date, now: dt.datetime | None = None, inline: bool = False
) -> EvaluationSummary:
    """Evaluate every enabled rule of the organization for `day` and deliver what fired: through the
    worker, or in this process when `inline` (first attempt; retries go to the worker).

    Idempotent: one alert per rule, scope and day, so re-running a day sends nothing new. Two
    evaluations of one organization never interleave (an advisory lock for the transaction).
    """
    from .tasks import deliveries_send  # noqa: PLC0415 - tasks import this module

    builtin_rules_ensure(organization=organization)
    rules = list(
        AlertRule.objects.filter(organization=organization, enabled=True).select_related(
            "organization", "account", "campaign"
        )
    )
    findings, waiting = organization_findings(organization, rules, day, now)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, organization.pk])
        alerts, deliveries = _record(organization, findings, day)
        keys = sorted({d.channel_key for d in deliveries})
        if not inline:
            for key in keys:
                transaction.on_commit(lambda key=key: deliveries_send.delay(key))
    if inline:  # written and committed above: send from this process now
        for key in keys:
            _deliver_inline(key)
    return EvaluationSummary(
        organization=organization.slug,
        date=day,
        evaluated=len(findings),
        fired=len(alerts),
        waiting=waiting,
        deliveries=len(deliveries),
    )


@dataclass(frozen=True)
class SendOutcome:
    sent: int
    failed: int
    retry_in: float | None  # seconds until the deliveries still due should be tried again


def _backoff(attempts: int) -> float:
    base = settings.ALERT_RETRY_BACKOFF * 2 ** max(attempts - 1, 0)
    return min(base, 3600) * (1 + random.random() / 2)  # jitter: retries of many robots do not line up


def alert_deliveries_send(*, channel_key: str) -> SendOutcome:
    """Send what is due on one robot or mailbox: one message, a digest when several alerts wait.

    The deliveries stay locked while sending, so two workers never send them twice; a transient
    failure (network, rate limit, "busy" codes) is retried with backoff, a permanent one is final.
    """
    with transaction.atomic():
        due = list(
            AlertDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(channel_key=channel_key, status__in=(DeliveryStatus.PENDING, DeliveryStatus.RETRYING))
            .select_related("alert__rule")
            .order_by("alert__date", "alert_id")
        )
        if not due:
            return SendOutcome(0, 0, None)
        rule_channels = due[0].alert.rule.channels
        channel = rule_channels[due[0].channel_index] if due[0].channel_index < len(rule_channels) else None
        if channel is None or channels.channel_key(channel) != channel_key:
            result = channels.DeliveryResult(False, "channel_removed", "the rule no longer has this channel", False)
        else:
            alerts = list({d.alert_id: d.alert for d in due}.values())
            result = channels.send(channel, digest_message(alerts))
        now = timezone.now()
        for delivery in due:
            delivery.attempts += 1
            delivery.code, delivery.detail = result.code or "", result.detail[:2000]
            delivery.digest_size = len({d.alert_id for d in due})
            if result.ok:
                delivery.status, delivery.sent_at = DeliveryStatus.SENT, now
            elif result.transient and delivery.attempts < settings.ALERT_DELIVERY_MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.RETRYING
            else:
                delivery.status = DeliveryStatus.FAILED
        AlertDelivery.objects.bulk_update(due, ["attempts", "code", "detail", "digest_size", "status", "sent_at"])
    retrying = [d for d in due if d.status == DeliveryStatus.RETRYING]
    retry_in = None
    if retrying:
        retry_in = 60.0 if result.code == "rate_limited" else _backoff(max(d.attempts for d in retrying))
    return SendOutcome(sent=len(due) if result.ok else 0, failed=0 if result.ok else len(due), retry_in=retry_in)


def alert_rule_test(*, rule: AlertRule) -> list[tuple[dict, channels.DeliveryResult]]:
    """Send a test message on each of the rule's channels now; nothing is recorded."""
    message = test_message(rule)
    return [(channel, channels.send(channel, message)) for channel in rule.channels]
