"""The nightly sync with real Celery workers against the platform sandbox, every platform call
answered after a fixed delay (the latency of a real platform API; 50 ms by default).

`accounts` fresh accounts (the five platforms in turn, credentials the sandbox accepts) are
queued through `sync_request` exactly as the nightly fan-out does, onto their platforms' queues,
and synced by one worker, then (other fresh accounts) by two: accounts per minute from the
first enqueue to the last run finished, and the ratio of the two. Workers are `celery worker
-P solo` processes of the production app on this machine's PostgreSQL and Redis; they are
started and ready before the clock starts. Everything is removed afterwards.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection

from accounts.models import Platform
from accounts.services import account_create, organization_create
from ingestion.models import IngestionRun, RunStatus
from ingestion.sandbox.auth import demo_credentials
from ingestion.sandbox.server import CONTROL, Handler, Sandbox
from ingestion.services import SYNC_WINDOW_DAYS, night_yesterday, sync_request
from socialmetrics.embedded import process_stop

from .ingest import organization_remove

ROOT = Path(__file__).resolve().parent.parent
ORG_SLUG = "bench-nightly"
DONE = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.DEFERRED)
PLATFORMS = tuple(Platform.values)


def _slow_handler(delay: float):
    class SlowHandler(Handler):
        def _serve(self):
            if not self.path.startswith(CONTROL):
                time.sleep(delay)
            super()._serve()

    return SlowHandler


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _workers_start(count: int, *, prefix: str, sandbox: Sandbox, logs: Path) -> list[subprocess.Popen]:
    env = {
        **os.environ,
        **sandbox.api_bases(),
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "SYNC_QUEUE_PREFIX": prefix,
        "CONN_MAX_AGE": "60",
        "DEBUG": "false",
    }
    queues = ",".join(f"{prefix}{platform}" for platform in PLATFORMS)
    workers = []
    for n in range(count):
        log = logs / f"worker-{n}.log"
        with log.open("w") as out:
            workers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "socialmetrics",
                        "worker",
                        "-P",
                        "solo",
                        "-Q",
                        queues,
                        "-n",
                        f"{prefix}{n}@%h",
                        "--without-gossip",
                        "--without-mingle",
                        "--without-heartbeat",
                        "-l",
                        "INFO",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
    try:
        for n, worker in enumerate(workers):
            deadline = time.monotonic() + 120
            log = logs / f"worker-{n}.log"
            while " ready." not in log.read_text():
                if worker.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"bench worker {n} did not start:\n{log.read_text()[-2000:]}")
                time.sleep(0.2)
    except RuntimeError:
        for worker in workers:
            process_stop(worker, timeout=20)
        raise
    return workers


def _accounts(count: int, *, first_index: int):
    org = organization_create(slug=ORG_SLUG, name="基准同步测量")
    accounts = []
    for n in range(count):
        platform, external_id = PLATFORMS[n % len(PLATFORMS)], str(700_000_000 + first_index + n)
        accounts.append(
            account_create(
                organization=org,
                platform=platform,
                external_id=external_id,
                name=f"同步 {n}",
                credentials=demo_credentials(platform, external_id),
            )
        )
    return accounts


def _one_night(workers: int, *, accounts: int, delay: float, first_index: int) -> dict:
    prefix = f"bench-{uuid.uuid4().hex[:8]}."
    organization_remove(ORG_SLUG)
    with tempfile.TemporaryDirectory() as logs, Sandbox(seed=1) as sandbox:
        sandbox.httpd.RequestHandlerClass = _slow_handler(delay)
        processes = _workers_start(workers, prefix=prefix, sandbox=sandbox, logs=Path(logs))
        try:
            synced = _accounts(accounts, first_index=first_index)
            end = night_yesterday()
            start = end - dt.timedelta(days=SYNC_WINDOW_DAYS - 1)
            old_prefix, settings.SYNC_QUEUE_PREFIX = settings.SYNC_QUEUE_PREFIX, prefix
            try:
                started = time.perf_counter()
                runs = [sync_request(account=account, start=start, end=end).pk for account in synced]
            finally:
                settings.SYNC_QUEUE_PREFIX = old_prefix
            deadline = time.monotonic() + 30 * 60
            while IngestionRun.objects.filter(pk__in=runs, status__in=DONE).count() < len(runs):
                if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                    raise RuntimeError("the bench's nightly sync did not finish")
                time.sleep(0.05)
            seconds = time.perf_counter() - started
            statuses = list(IngestionRun.objects.filter(pk__in=runs).values_list("status", flat=True))
            requests = sum(sandbox.state.requests.values())
        finally:
            for process in processes:
                process_stop(process, timeout=20)
            organization_remove(ORG_SLUG)
    return {"seconds": seconds, "succeeded": statuses.count(RunStatus.SUCCEEDED), "requests": requests}


def nightly_measure(*, accounts: int, delay: float = 0.05) -> dict:
    """One worker, then two, each on `accounts` fresh accounts."""
    one = _one_night(1, accounts=accounts, delay=delay, first_index=0)
    two = _one_night(2, accounts=accounts, delay=delay, first_index=accounts)
    return {
        "nightly_accounts": accounts,
        "nightly_call_delay_ms": round(delay * 1000),
        "nightly_platform_calls_per_account": round(one["requests"] / accounts, 1),
        "nightly_succeeded": [one["succeeded"], two["succeeded"]],
        "nightly_one_worker_seconds": round(one["seconds"], 2),
        "nightly_two_workers_seconds": round(two["seconds"], 2),
        "nightly_accounts_per_min": round(accounts / one["seconds"] * 60, 1),
        "nightly_two_worker_accounts_per_min": round(accounts / two["seconds"] * 60, 1),
        "nightly_two_worker_speedup": round(one["seconds"] / two["seconds"], 2),
    }
