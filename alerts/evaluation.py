"""Evaluating an organization's rules for one day: read the numbers, judge them, explain what fired.

Reads only. KPI values come from `analytics.selectors.kpi_report` (the KPI API's selector), one
call per grouping an organization's rules need — not one per rule or per account: the day and its
four baseline weekdays come back from one day-granularity report over the 29 days, grouped by
account, platform or campaign as the scopes require. Data-health checks are three aggregate
queries per organization. `services.organization_alerts_evaluate` records the verdicts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from accounts.models import AccountStatus, SocialAccount
from analytics import kpis, selectors
from analytics.models import Campaign
from ingestion.models import IngestionRun, RunSource, RunStatus

from . import baseline
from .models import AlertRule, HealthCheck

ORG = "org"
# Ratio KPIs and the raw sum that weighs an account's or campaign's share in the ratio (its denominator).
RATIO_WEIGHTS = {
    "engagement_rate": "views",
    "engagement_rate_by_followers": "followers",
    "read_rate": "followers",
    "follower_growth_rate": "followers",
    "completion_rate": "views",
    "ctr": "paid_impressions",
    "cvr": "clicks",
    "cpm": "paid_impressions",
    "cpc": "clicks",
    "cpe": "engagements",
    "cpa": "conversions",
    "cpf": "paid_followers_gained",
    "roas": "spend",
    "roi": "spend",
    "interactions_per_mille": "views",
}
PAID_KPIS = frozenset(kpis.PAID_SUMS) | frozenset(kpis.PAID_KPIS)
POST_COUNTERS = ("views", "impressions", "likes", "comments", "shares", "saves", "interactions")
# A ratio KPI's moves at post level are told by its numerator.
POST_NUMERATORS = {"engagement_rate": "interactions", "interactions_per_mille": "interactions"}
STALE_AFTER = dt.timedelta(hours=36)
FINAL_STATUSES = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.DEFERRED)
# A run still queued or running after this long no longer holds its scope's alerts back.
SYNC_WAIT = dt.timedelta(hours=3)


@dataclass
class Finding:
    """One rule × scope judged for the day (the alert's explanation when it fired)."""

    rule: AlertRule
    scope: str
    scope_label: str
    verdict: baseline.Verdict
    coverage: float | None = None
    contributors: list[dict] = field(default_factory=list)
    link: str = ""


def rule_scope(rule: AlertRule) -> str:
    if rule.campaign_id:
        return f"campaign:{rule.campaign_id}"
    if rule.account_id:
        return f"account:{rule.account_id}"
    if rule.platform:
        return f"platform:{rule.platform}"
    return ORG


def _grouping(scope: str) -> str | None:
    return None if scope == ORG else scope.split(":", 1)[0]


def _group_scope(group_by: str | None, key) -> str:
    return ORG if group_by is None else f"{group_by}:{key}"


def dashboard_link(scope: str, day: dt.date, *, health: bool = False) -> str:
    """The dashboard filtered to the scope, over the four weeks that end on the day."""
    if health:
        return f"{settings.SITE_URL}/data/"
    params = {"preset": "custom", "start": (day - dt.timedelta(days=27)).isoformat(), "end": day.isoformat()}
    kind, _, key = scope.partition(":")
    page = "/campaigns/" if kind == "campaign" else "/"
    if kind in ("platform", "account"):
        params[kind] = key
    return f"{settings.SITE_URL}{page}?{urlencode(params)}"


class KpiTable:
    """Day values and coverage per scope for the 29 days that end on `day`, loaded per grouping on demand."""

    def __init__(self, organization, day: dt.date):
        self.organization, self.day = organization, day
        self.start = day - dt.timedelta(weeks=baseline.BASELINE_WEEKS)
        self._rows: dict[tuple[str, dt.date], dict] = {}
        self._loaded: set[str | None] = set()

    def load(self, group_by: str | None) -> None:
        if group_by in self._loaded:
            return
        report = selectors.kpi_report(
            organization=self.organization, start=self.start, end=self.day, granularity="day", group_by=group_by
        )
        for row in report["results"]:
            scope = _group_scope(group_by, row.get(group_by))
            self._rows[(scope, dt.date.fromisoformat(row["period"]))] = row
        self._loaded.add(group_by)

    def value(self, scope: str, day: dt.date, metric: str):
        row = self._rows.get((scope, day))
        return None if row is None else row["kpis"].get(metric)

    def coverage(self, scope: str, metric: str):
        row = self._rows.get((scope, self.day))
        return None if row is None else (row.get("coverage") or {}).get(metric)

    def series(self, scope: str, metric: str):
        return self.value(scope, self.day, metric), [self.value(scope, d, metric) for d in baseline.baseline_dates(self.day)]

    def scopes(self, group_by: str) -> list[str]:
        return sorted({scope for scope, _ in self._rows if scope.startswith(f"{group_by}:")})


class OrganizationFacts:
    """What the evaluation of one organization needs besides KPI values, in a few queries."""

    def __init__(self, organization, day: dt.date, now: dt.datetime):
        self.organization, self.day, self.now = organization, day, now
        self.accounts = {
            a.pk: a
            for a in SocialAccount.objects.filter(organization=organization)
            .exclude(status=AccountStatus.PAUSED)
            .order_by("pk")
        }
        self.campaigns = dict(Campaign.objects.filter(organization=organization).values_list("pk", "name"))
        self.campaign_platforms = dict(Campaign.objects.filter(organization=organization).values_list("pk", "platform"))
        # Any run not yet final (queued, running, or a state added later such as "retrying").
        self.busy = set(
            IngestionRun.objects.filter(account__organization=organization, created_at__gte=now - SYNC_WAIT)
            .exclude(status__in=FINAL_STATUSES)
            .values_list("account_id", flat=True)
        )

    def scope_accounts(self, scope: str) -> set[int]:
        kind, _, key = scope.partition(":")
        if kind == "account":
            return {int(key)}
        if kind == "platform":
            return {pk for pk, a in self.accounts.items() if a.platform == key}
        if kind == "campaign":
            platform = self.campaign_platforms.get(int(key))
            return {pk for pk, a in self.accounts.items() if a.platform == platform}
        return set(self.accounts)

    def waiting(self, scope: str) -> bool:
        """A scope whose accounts are still syncing is judged once the last of them finishes."""
        return bool(self.scope_accounts(scope) & self.busy)

    def label(self, scope: str) -> str:
        from accounts.models import Platform  # noqa: PLC0415 - labels only

        kind, _, key = scope.partition(":")
        if kind == "account":
            account = self.accounts.get(int(key))
            return f"{account.get_platform_display()} · {account.name}" if account else f"账号 {key}"
        if kind == "platform":
            return str(dict(Platform.choices).get(key, key))
        if kind == "campaign":
            return f"投放 · {self.campaigns.get(int(key), key)}"
        return self.organization.name


def _post_contributors(facts: OrganizationFacts, account_id: int, metric: str) -> list[dict]:
    """The account's posts that moved most: each post's growth on the day (the "activity" view of
    analytics.selectors.post_performance: latest snapshot of the day − the one before) against its
    growth on the same weekday a week earlier. Organic counters only; ratio KPIs are explained by
    their numerator."""
    column = metric if metric in POST_COUNTERS else POST_NUMERATORS.get(metric)
    if column is None or column not in selectors.GROWTH_COUNTERS:
        return []
    grown = {
        offset: selectors.post_performance(
            organization=facts.organization, start=facts.day - dt.timedelta(days=offset),
            end=facts.day - dt.timedelta(days=offset), account=account_id, view="activity",
        ).set_index("post")
        for offset in (0, 7)
    }
    now, before = grown[0][f"{column}_growth"], grown[7][f"{column}_growth"]
    children = [
        {
            "scope": f"post:{post}",
            "label": f"作品 · {(grown[0].at[post, 'title'] or str(post))[:60]}",
            "value": float(now[post]),
            "baseline": float(before.get(post, 0.0)),
        }
        for post in now.index
        if not baseline.missing(now[post])
    ]
    return [
        {k: c[k] for k in ("scope", "label", "value", "baseline", "effect")}
        for c in baseline.contributions(children, weighted=False)
    ]


def _contributors(table: KpiTable, facts: OrganizationFacts, scope: str, metric: str) -> list[dict]:
    """Accounts (or campaigns, for paid KPIs) of the scope that moved the value most; for an account,
    its posts."""
    kind, _, key = scope.partition(":")
    if kind == "account" and metric not in PAID_KPIS:
        return _post_contributors(facts, int(key), metric)
    if kind in ("account", "campaign"):
        return []
    group_by = "campaign" if metric in PAID_KPIS else "account"
    table.load(group_by)
    weight = RATIO_WEIGHTS.get(metric)
    children = []
    for child in table.scopes(group_by):
        child_key = child.partition(":")[2]
        if group_by == "account":
            account = facts.accounts.get(int(child_key)) if child_key.isdigit() else None
            if account is None or (kind == "platform" and account.platform != key):
                continue
            label = f"{account.get_platform_display()} · {account.name}"
        else:
            if not child_key.isdigit() or (kind == "platform" and facts.campaign_platforms.get(int(child_key)) != key):
                continue
            label = f"投放 · {facts.campaigns.get(int(child_key), child_key)}"
        value, history = table.series(child, metric)
        robust = baseline.robust_baseline(history)
        children.append(
            {
                "scope": child,
                "label": label,
                "value": value,
                "baseline": robust[0] if robust else None,
                "weight": table.value(child, table.day, weight) if weight else None,
            }
        )
    return [
        {k: c[k] for k in ("scope", "label", "value", "baseline", "effect")}
        for c in baseline.contributions(children, weighted=weight is not None)
    ]


def kpi_findings(rules: list[AlertRule], facts: OrganizationFacts, table: KpiTable) -> tuple[list[Finding], int]:
    """(findings, scopes skipped because their accounts are still syncing)."""
    findings, waiting = [], 0
    for rule in rules:
        scope = rule_scope(rule)
        if facts.waiting(scope):
            waiting += 1
            continue
        table.load(_grouping(scope))
        value, history = table.series(scope, rule.metric)
        verdict = baseline.judge(rule.condition, rule.threshold, value, history)
        finding = Finding(
            rule,
            scope,
            facts.label(scope),
            verdict,
            coverage=table.coverage(scope, rule.metric),
            link=dashboard_link(scope, facts.day),
        )
        if verdict.outcome == baseline.BREACH:
            finding.contributors = _contributors(table, facts, scope, rule.metric)
        findings.append(finding)
    return findings, waiting


def _nights_failing(organization, day: dt.date) -> set[int]:
    """Accounts whose last two nightly runs (latest run per window end) both failed or were deferred."""
    runs = (
        IngestionRun.objects.filter(
            account__organization=organization,
            source__in=(RunSource.API, RunSource.SANDBOX),
            window_end__isnull=False,
            window_end__lte=day,
            window_end__gte=day - dt.timedelta(days=14),
        )
        .order_by("account_id", "-window_end", "-created_at")
        .values_list("account_id", "window_end", "status")
    )
    nights: dict[int, dict[dt.date, str]] = {}
    for account_id, window_end, status in runs:
        nights.setdefault(account_id, {}).setdefault(window_end, status)  # first = latest run of that night
    bad = (RunStatus.FAILED, RunStatus.DEFERRED)
    return {
        account_id
        for account_id, by_night in nights.items()
        if len(by_night) >= 2 and all(status in bad for status in list(by_night.values())[:2])
    }


def health_findings(rules: list[AlertRule], facts: OrganizationFacts) -> tuple[list[Finding], int]:
    by_check = {rule.builtin: rule for rule in rules}
    failing = _nights_failing(facts.organization, facts.day) if HealthCheck.SYNC_FAILING in by_check else set()
    last_success = (
        dict(
            IngestionRun.objects.filter(account__organization=facts.organization, status=RunStatus.SUCCEEDED)
            .values("account_id")
            .annotate(at=Max("finished_at"))
            .values_list("account_id", "at")
        )
        if HealthCheck.DATA_STALE in by_check
        else {}
    )
    findings, waiting = [], 0
    for account in facts.accounts.values():
        scope = f"account:{account.pk}"
        if account.pk in facts.busy:
            waiting += len(by_check)
            continue
        for check, rule in by_check.items():
            if check == HealthCheck.NEEDS_REAUTH:
                breach, value, detail = account.status == AccountStatus.NEEDS_REAUTH, None, account.status_detail
            elif check == HealthCheck.SYNC_FAILING:
                breach, value, detail = account.pk in failing, None, ""
            else:
                if not account.credentials:  # fed by export files: no nightly data to expect
                    continue
                since = last_success.get(account.pk) or account.created_at
                hours = (facts.now - since).total_seconds() / 3600
                breach, value, detail = facts.now - since > STALE_AFTER, round(hours, 1), f"{hours:.0f} h"
            verdict = baseline.Verdict(baseline.BREACH if breach else baseline.OK, value=value, detail=detail[:300])
            findings.append(
                Finding(rule, scope, facts.label(scope), verdict, link=dashboard_link(scope, facts.day, health=True))
            )
    return findings, waiting


def organization_findings(organization, rules: list[AlertRule], day: dt.date, now: dt.datetime | None = None):
    """Judge every enabled rule of the organization for `day`: (findings, scopes still waiting for a sync)."""
    facts = OrganizationFacts(organization, day, now or timezone.now())
    table = KpiTable(organization, day)
    kpi, waiting_kpi = kpi_findings([r for r in rules if not r.builtin], facts, table)
    health, waiting_health = health_findings([r for r in rules if r.builtin], facts)
    return kpi + health, waiting_kpi + waiting_health
