"""`python -m bench.budget [--requests N]`: the budget planner's target (issue 16) — a plan for 10 platforms ×
50 campaigns over a year answers GET /api/v1/budget-plan/ in ≤ 1 s.

Creates (or reuses) the database `bench_budget` with one organization whose 500 campaigns have a year of
daily rows on known response curves (written by COPY), then times the endpoint through gunicorn with an
API key, and the planner's two halves in-process (the SQL read, the pure fit and allocation). Writes
bench/results/<stamp>-budget.json and prints one line per figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from .database import ROOT, database_ensure

DATABASE = "bench_budget"
ORG_SLUG = "bench-budget"
PLATFORMS, CAMPAIGNS, DAYS = 10, 50, 365
FIRST_DAY = dt.date(2025, 1, 1)
TARGET_MS = 1000.0


def dataset_write(organization, *, platforms: int, campaigns: int, days: int, seed: int = 16) -> int:
    """Campaigns `platform_<n> · <m>` with a row a day each: spend around a campaign's own mean (±70 %),
    revenue vmax·s/(k+s) with 10 % noise. Returns the rows written (0 when the organization has them)."""
    from django.db import connection, transaction  # noqa: PLC0415 - needs django.setup()

    from analytics.models import Campaign, CampaignDailyMetric  # noqa: PLC0415

    if CampaignDailyMetric.objects.filter(campaign__organization=organization).exists():
        return 0
    rng = np.random.default_rng(seed)
    with transaction.atomic():
        made = Campaign.objects.bulk_create(
            [
                Campaign(organization=organization, platform=f"platform_{p}", name=f"platform_{p} · {c}")
                for p in range(platforms)
                for c in range(campaigns)
            ]
        )
        buffer = io.StringIO()
        for campaign in made:
            vmax, k, mean = rng.uniform(500, 5000), rng.uniform(100, 2000), rng.uniform(100, 1500)
            spend = mean * rng.uniform(0.3, 1.7, days)
            revenue = vmax * spend / (k + spend) * rng.normal(1, 0.1, days)
            for day in range(days):
                date = FIRST_DAY + dt.timedelta(days=day)
                money = f"{spend[day]:.2f}\t{max(revenue[day], 0):.2f}"
                buffer.write(f"{campaign.pk}\t{date}\t{money}\t{int(spend[day] // 40)}\n")
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                "COPY analytics_campaigndailymetric (campaign_id, date, spend, revenue, conversions) FROM STDIN", buffer
            )
            cursor.execute("ANALYZE analytics_campaigndailymetric")  # as autovacuum would after a bulk load
    return len(made) * days


def _backend_cpu_ms(pid: int) -> float | None:
    """CPU time used so far by the PostgreSQL backend `pid`, when the server runs on this machine."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")  # utime + stime


def inside_times(organization, *, start, end, requests_count: int) -> dict:
    """Milliseconds of the SQL read and of the pure plan, in this process (one warm-up first): wall clock,
    and CPU time (this process, plus the database backend for the read). On a machine shared with other
    work the CPU time is what an idle machine's wall clock would be, near enough."""
    from django.db import connection  # noqa: PLC0415

    from analytics import budget  # noqa: PLC0415
    from analytics.budget_frames import paid_daily  # noqa: PLC0415

    from .latency import summary  # noqa: PLC0415

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    read, plan, read_cpu, plan_cpu, rows = [], [], [], [], 0
    for n in range(requests_count + 1):
        started, cpu, server = time.perf_counter(), time.process_time(), _backend_cpu_ms(backend)
        daily = paid_daily(organization=organization, start=start, end=end)
        middle, middle_cpu, server_after = time.perf_counter(), time.process_time(), _backend_cpu_ms(backend)
        budget.plan(daily, start=start, end=end)
        if n:
            read.append((middle - started) * 1000)
            plan.append((time.perf_counter() - middle) * 1000)
            plan_cpu.append((time.process_time() - middle_cpu) * 1000)
            if server is not None and server_after is not None:
                read_cpu.append((middle_cpu - cpu) * 1000 + server_after - server)
        rows = len(daily)
    return {
        "rows": rows,
        "read": summary(read),
        "plan": summary(plan),
        "plan_cpu": summary(plan_cpu),
        "read_cpu": summary(read_cpu) if read_cpu else None,
    }


def api_times(*, base_url: str, api_key: str, start, end, requests_count: int) -> tuple[dict, dict]:
    """Milliseconds per GET /api/v1/budget-plan/ (two warm-ups first); raises on any non-200 answer."""
    import requests  # noqa: PLC0415

    from .latency import summary  # noqa: PLC0415

    session = requests.Session()
    session.headers["Authorization"] = f"Api-Key {api_key}"
    times, body = [], None
    for n in range(requests_count + 2):
        started = time.perf_counter()
        response = session.get(f"{base_url}/api/v1/budget-plan/", params={"start": start, "end": end}, timeout=120)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"GET /api/v1/budget-plan/ answered {response.status_code}: {response.text[:300]}")
        if n >= 2:
            times.append(elapsed)
        body = body or response.json()
    return summary(times), body


def measure(*, requests_count: int, database_url: str) -> dict:
    from accounts.models import Organization  # noqa: PLC0415

    from .latency import api_key_for  # noqa: PLC0415
    from .server import gunicorn  # noqa: PLC0415

    organization, _ = Organization.objects.get_or_create(slug=ORG_SLUG, defaults={"name": "预算规划基准"})
    started = time.perf_counter()
    written = dataset_write(organization, platforms=PLATFORMS, campaigns=CAMPAIGNS, days=DAYS)
    seeding = time.perf_counter() - started
    start, end = FIRST_DAY, FIRST_DAY + dt.timedelta(days=DAYS - 1)
    inside = inside_times(organization, start=start, end=end, requests_count=requests_count)
    with gunicorn(database_url=database_url) as base_url:
        api, body = api_times(
            base_url=base_url,
            api_key=api_key_for(organization),
            start=start.isoformat(),
            end=end.isoformat(),
            requests_count=requests_count,
        )
    return {
        "platforms": len(body["platforms"]),
        "campaigns": len(body["campaigns"]),
        "days": body["days"],
        "rows_written": written,
        "seed_seconds": round(seeding, 1),
        "inside": inside,
        "api": api,
        "target_ms": TARGET_MS,
        "met": api["p95_ms"] <= TARGET_MS,
        "cpu_count": os.cpu_count(),
        "load_average": round(os.getloadavg()[0], 1),
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.budget", description=__doc__)
    parser.add_argument("--requests", type=int, default=10, help="timed requests (after two warm-ups)")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)  # the Django half, below
    args = parser.parse_args(argv)
    if not args.inside:
        url = database_ensure(DATABASE)
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false"}
        return subprocess.run(
            [sys.executable, "-m", "bench.budget", "--inside", "--requests", str(args.requests)],
            cwd=ROOT,
            env=env,
            check=False,
        ).returncode
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialmetrics.settings.base")
    import django  # noqa: PLC0415

    django.setup()
    from .report import RESULTS  # noqa: PLC0415

    result = measure(requests_count=args.requests, database_url=os.environ["DATABASE_URL"])
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{dt.datetime.now():%Y%m%dT%H%M%S}-budget.json").write_text(json.dumps(result, indent=2))
    api, inside = result["api"], result["inside"]
    print(
        f"budget plan, {result['platforms']} platforms × {result['campaigns']} campaigns × {result['days']} days "
        f"({inside['rows']} campaign days)"
    )
    print(
        f"  GET /api/v1/budget-plan/  p50 {api['p50_ms']:.0f} ms  p95 {api['p95_ms']:.0f} ms  "
        f"(target ≤ {TARGET_MS:.0f} ms: {'met' if result['met'] else 'MISSED'})"
    )
    print(f"  in-process: SQL read p50 {inside['read']['p50_ms']:.0f} ms, fit + plan p50 {inside['plan']['p50_ms']:.0f} ms")
    cpu = inside["read_cpu"]["p50_ms"] if inside["read_cpu"] else None
    print(
        f"  CPU time p50: SQL read {cpu if cpu is None else round(cpu)} ms (client + database backend), "
        f"fit + plan {inside['plan_cpu']['p50_ms']:.0f} ms; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs"
    )
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
