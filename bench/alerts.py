"""`python -m bench.alerts [--accounts 2000 --rules 1000]`: the nightly alert evaluation at scale.

2,000 accounts (50 to an organization) with 35 days of daily rows and two campaigns per
organization, 1,000 rules spread over every scope (organization, platform, account, campaign;
drop, rise, below, above) plus the built-in data-health rules. Timed: every organization evaluated
for the last day as the post-ingest jobs do it, one evaluation per organization on a pool of
CPU-count worker processes (Celery's default concurrency); the one-process time is reported too.
Queries are counted per organization: they do not grow with its accounts (no per-account query
loop). Target: ≤ 10 s. Wall times on a shared machine follow its load: the load average is recorded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import subprocess
import sys
import time

from .database import ROOT, database_ensure

DATABASE = "socialmetrics_bench_alerts"
ACCOUNTS_PER_ORG = 50
DAYS = 35
LAST_DAY = dt.date(2026, 10, 14)
TARGET_SECONDS = 10.0
ORG_PREFIX = "bench-alerts-"


def _generate(accounts: int, rules: int, log) -> list:
    from django.db import connection, transaction  # noqa: PLC0415 - needs Django set up
    from django.utils import timezone  # noqa: PLC0415

    from accounts.fields import encrypt_json
    from accounts.models import Organization, Platform, SocialAccount
    from alerts.models import AlertRule
    from ingestion.models import IngestionRun, RunSource, RunStatus

    organizations = -(-accounts // ACCOUNTS_PER_ORG)
    existing = list(Organization.objects.filter(slug__startswith=ORG_PREFIX).order_by("pk"))
    if len(existing) == organizations and AlertRule.objects.filter(organization__in=existing, builtin="").count() == rules:
        return existing
    log(f"generating {accounts} accounts × {DAYS} days, {rules} rules")
    first_day = LAST_DAY - dt.timedelta(days=DAYS - 1)
    platforms = list(Platform.values)
    with transaction.atomic():
        Organization.objects.filter(slug__startswith=ORG_PREFIX).delete()
        orgs = Organization.objects.bulk_create(
            [Organization(slug=f"{ORG_PREFIX}{i}", name=f"压测品牌 {i}") for i in range(organizations)]
        )
        with connection.cursor() as cursor:
            cursor.execute(
                """INSERT INTO accounts_socialaccount (organization_id, platform, external_id, name, credentials, status,
                       status_detail, timezone, last_synced_at, created_at)
                   SELECT (%(orgs)s::bigint[])[1 + (i - 1) / %(per)s], (%(platforms)s::text[])[1 + i %% 5], 'acct-' || i,
                          '账号 ' || i, %(credentials)s, CASE WHEN i %% 97 = 0 THEN 'needs_reauth' ELSE 'active' END, '',
                          'Asia/Shanghai', now(), now() - interval '30 days'
                   FROM generate_series(1, %(accounts)s) AS i""",
                {
                    "orgs": [o.pk for o in orgs],
                    "per": ACCOUNTS_PER_ORG,
                    "platforms": platforms,
                    "credentials": encrypt_json({"access_token": "bench"}),
                    "accounts": accounts,
                },
            )
            cursor.execute(
                """INSERT INTO analytics_accountdailymetric (account_id, date, followers, followers_gained, followers_lost,
                       views, likes, comments, shares, saves, updated_at)
                   SELECT a.id, d::date, 10000 + a.id, 20 + (a.id + k) %% 7, 3, 1000 + (a.id * 37 + k * 11) %% 200,
                          60 + (a.id + k) %% 9, 8, 4, 5, now()
                   FROM accounts_socialaccount a JOIN accounts_organization o ON o.id = a.organization_id
                   CROSS JOIN LATERAL generate_series(0, %(days)s - 1) AS k
                   CROSS JOIN LATERAL (SELECT %(first)s::date + k) AS day(d)
                   WHERE o.slug LIKE %(prefix)s""",
                {"days": DAYS, "first": first_day, "prefix": f"{ORG_PREFIX}%"},
            )
            cursor.execute(
                """INSERT INTO analytics_campaign (organization_id, name, platform)
                   SELECT o.id, '投放 ' || n, (%(platforms)s::text[])[1 + n] FROM accounts_organization o,
                   generate_series(1, 2) AS n WHERE o.slug LIKE %(prefix)s""",
                {"platforms": platforms, "prefix": f"{ORG_PREFIX}%"},
            )
            cursor.execute(
                """INSERT INTO analytics_campaigndailymetric (campaign_id, date, spend, impressions, clicks, conversions,
                       revenue, updated_at)
                   SELECT c.id, %(first)s::date + k, 500 + (c.id + k) %% 50, 20000, 500 + k %% 20, 20, 1500, now()
                   FROM analytics_campaign c JOIN accounts_organization o ON o.id = c.organization_id
                   CROSS JOIN generate_series(0, %(days)s - 1) AS k WHERE o.slug LIKE %(prefix)s""",
                {"first": first_day, "days": DAYS, "prefix": f"{ORG_PREFIX}%"},
            )
        now = timezone.now()
        IngestionRun.objects.bulk_create(
            IngestionRun(account_id=pk, source=RunSource.API, kind=platform, window_start=LAST_DAY - dt.timedelta(days=2),
                         window_end=LAST_DAY, status=RunStatus.SUCCEEDED, rows_written=3, started_at=now, finished_at=now)
            for pk, platform in SocialAccount.objects.filter(organization__in=orgs).values_list("pk", "platform")
        )
        _rules_create(orgs, rules)
    return orgs


def _rules_create(orgs: list, rules: int) -> None:
    """`rules` rules, round-robin over the organizations and over a mix of scopes and conditions."""
    from accounts.models import Platform  # noqa: PLC0415 - needs Django set up
    from alerts.models import AlertRule
    from analytics.models import Campaign

    accounts = {}
    for org in orgs:
        accounts[org.pk] = list(org.accounts.order_by("pk").values_list("pk", flat=True))
    campaigns = {org.pk: list(Campaign.objects.filter(organization=org).values_list("pk", flat=True)) for org in orgs}
    shapes = [  # (metric, condition, threshold, scope)
        ("views", "drop", 0.2, "org"),
        ("engagement_rate", "drop", 0.2, "org"),
        ("interactions", "rise", 0.5, "org"),
        ("views", "drop", 0.2, "platform"),
        ("engagement_rate", "below", 0.01, "platform"),
        ("views", "drop", 0.2, "account"),
        ("interactions", "drop", 0.3, "account"),
        ("engagement_rate", "drop", 0.25, "account"),
        ("followers_gained", "rise", 1.0, "account"),
        ("net_followers", "below", 0, "account"),
        ("cpa", "above", 30, "campaign"),
        ("roas", "drop", 0.2, "campaign"),
    ]
    platforms = list(Platform.values)
    objects = []
    for n in range(rules):
        org = orgs[n % len(orgs)]
        metric, condition, threshold, scope = shapes[(n // len(orgs)) % len(shapes)]
        scope_fields = {
            "org": {},
            "platform": {"platform": platforms[n % len(platforms)]},
            "account": {"account_id": accounts[org.pk][n % len(accounts[org.pk])]},
            "campaign": {"campaign_id": campaigns[org.pk][n % 2]},
        }[scope]
        objects.append(
            AlertRule(
                organization=org,
                name=f"{metric} {condition} {n}",
                metric=metric,
                condition=condition,
                threshold=threshold,
                **scope_fields,
            )
        )
    AlertRule.objects.bulk_create(objects)


def _reset(orgs) -> None:
    from alerts.models import Alert, AlertEvaluation, AlertState  # noqa: PLC0415 - needs Django set up

    for model in (AlertEvaluation, Alert, AlertState):  # every pass measures a first night
        model.objects.filter(rule__organization__in=orgs).delete()


def _evaluate_one(organization_id: int) -> tuple[int, int]:
    from accounts.models import Organization  # noqa: PLC0415 - needs Django set up
    from alerts.services import organization_alerts_evaluate

    summary = organization_alerts_evaluate(organization=Organization.objects.get(pk=organization_id), day=LAST_DAY)
    return summary.evaluated, summary.fired


def measure(accounts: int, rules: int, processes: int, log=print) -> dict:
    from django.db import connection, connections  # noqa: PLC0415 - needs Django set up

    orgs = _generate(accounts, rules, log)
    _reset(orgs)
    queries_per_org = []

    def count(execute, sql, params, many, context):
        queries_per_org[-1] += 1
        return execute(sql, params, many, context)

    # One process, organization after organization, counting each one's queries and timing the KPI
    # reads (analytics.selectors.kpi_report) apart from the alerts' own work.
    from alerts import evaluation  # noqa: PLC0415 - needs Django set up

    kpi_seconds = [0.0]
    kpi_report = evaluation.selectors.kpi_report

    def timed_kpi_report(**kwargs):
        begun = time.perf_counter()
        try:
            return kpi_report(**kwargs)
        finally:
            kpi_seconds[0] += time.perf_counter() - begun

    started = time.perf_counter()
    evaluated = fired = 0
    evaluation.selectors.kpi_report = timed_kpi_report
    try:
        with connection.execute_wrapper(count):
            for org in orgs:
                queries_per_org.append(0)
                e, f = _evaluate_one(org.pk)
                evaluated, fired = evaluated + e, fired + f
    finally:
        evaluation.selectors.kpi_report = kpi_report
    single_seconds = time.perf_counter() - started

    # As the nightly fan-out runs: one evaluation per organization on a worker pool (Celery's default
    # concurrency is the CPU count).
    _reset(orgs)
    connections.close_all()  # each forked process opens its own connection
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        pool.map(_evaluate_one, [org.pk for org in orgs], chunksize=1)
    pool_seconds = time.perf_counter() - started
    return {
        "accounts": accounts,
        "organizations": len(orgs),
        "rules": rules,
        "rule_scopes_evaluated": evaluated,
        "alerts_fired": fired,
        "processes": processes,
        "seconds": round(pool_seconds, 2),
        "single_process_seconds": round(single_seconds, 2),
        "single_process_kpi_report_seconds": round(kpi_seconds[0], 2),
        "queries_per_organization_max": max(queries_per_org),
        "queries_per_organization_min": min(queries_per_org),
        "load_average": os.getloadavg()[0],
        "cpu_count": os.cpu_count(),
        "target_seconds": TARGET_SECONDS,
        "verdict": "met" if pool_seconds <= TARGET_SECONDS else "MISSED",
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.alerts", description=__doc__)
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=os.cpu_count(), help="worker pool size (default: CPUs)")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        import django  # noqa: PLC0415

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialmetrics.settings.base")
        django.setup()
        result = measure(args.accounts, args.rules, args.processes, log=lambda m: print(m, file=sys.stderr, flush=True))
        print(json.dumps(result))
        return 0
    url = database_ensure(DATABASE)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.alerts",
            "--inner",
            "--accounts",
            str(args.accounts),
            "--rules",
            str(args.rules),
            "--processes",
            str(args.processes),
        ],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "DEBUG": "false", "ALERT_EVALUATION_DELAY": "0"},
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    from .report import RESULTS  # noqa: PLC0415

    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "alerts-latest.json").write_text(json.dumps(result, indent=2))
    print(
        f"alert evaluation: {result['rules']} rules ({result['rule_scopes_evaluated']} rule scopes with the "
        f"data-health ones) over {result['accounts']} accounts in {result['organizations']} organizations: "
        f"{result['seconds']} s on {result['processes']} worker processes (target ≤ {TARGET_SECONDS:g} s: "
        f"{result['verdict']}), {result['single_process_seconds']} s in one process (of which "
        f"{result['single_process_kpi_report_seconds']} s in kpi_report); "
        f"{result['queries_per_organization_max']} queries per organization at most; load average "
        f"{result['load_average']:.1f} on {result['cpu_count']} CPUs"
    )
    return 0 if result["verdict"] == "met" else 1


if __name__ == "__main__":
    sys.exit(main())
