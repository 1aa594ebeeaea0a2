"""`make run` end to end: services, migrations, demo data, web + worker + beat, clean stop."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg2
import pytest
import requests

from accounts.platforms import PLATFORMS
from socialmetrics.embedded import free_port, port_open

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture
def scratch_database(settings):
    """A fresh, empty database on the test server, as a new install would have."""
    params = settings.DATABASES["default"]
    name = f"sm_run_{os.getpid()}"
    admin = {"host": params["HOST"], "port": params["PORT"], "user": params["USER"], "password": params["PASSWORD"],
                 "dbname": "postgres"}
    conn = psycopg2.connect(**admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    yield f"postgres://{params['USER']}{password}@{params['HOST']}:{params['PORT']}/{name}", admin | {"dbname": name}
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def test_make_run_serves_demo_and_stops_cleanly(scratch_database, settings):
    url, db_params = scratch_database
    web, sandbox = free_port(), free_port()
    redis_url = settings.REDIS_URL.rsplit("/", 1)[0] + "/14"
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url, "SEED_DEMO_DAYS": "10",
           "DJANGO_SETTINGS_MODULE": "socialmetrics.settings.base"}
    log = (ROOT / ".data" / "test-run-supervisor.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "socialmetrics.run", "--port", str(web), "--sandbox-port", str(sandbox)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and process.poll() is None:
            if port_open(web):
                break
            time.sleep(1)
        log.seek(0)
        output = log.read()
        assert process.poll() is None, output[-3000:]
        assert port_open(web), output[-3000:]
        assert "demo login: demo / " in output

        login = requests.get(f"http://127.0.0.1:{web}/accounts/login/", timeout=10)
        assert login.status_code == 200
        health = requests.get(f"http://127.0.0.1:{web}/healthz", timeout=10).json()
        assert health == {"status": "ok", "database": "ok", "redis": "ok"}

        with psycopg2.connect(**db_params) as conn, conn.cursor() as cur:
            cur.execute(
                "SELECT a.platform, count(*) FROM analytics_accountdailymetric m "
                "JOIN accounts_socialaccount a ON a.id = m.account_id GROUP BY a.platform"
            )
            per_platform = dict(cur.fetchall())
        assert set(per_platform) == {spec.code for spec in PLATFORMS}  # every registered platform has data
        assert all(n >= 5 for n in per_platform.values()), per_platform

        # The Celery worker is up: a sync queued through the broker gets done.
        with psycopg2.connect(**db_params) as conn, conn.cursor() as cur:
            cur.execute("SELECT id FROM accounts_socialaccount WHERE platform = 'douyin'")
            account_id = cur.fetchone()[0]
        # A window the platform can serve (Douyin: the last 30 days); older ones are `skipped`.
        day = (dt.datetime.now(ZoneInfo("Asia/Shanghai")).date() - dt.timedelta(days=2)).isoformat()
        queued = subprocess.run(
            [sys.executable, "manage.py", "sync", "--account", str(account_id), "--start", day,
             "--end", day], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )
        assert queued.returncode == 0, queued.stderr
        status = None
        for _ in range(60):
            with psycopg2.connect(**db_params) as conn, conn.cursor() as cur:
                cur.execute("SELECT status FROM ingestion_ingestionrun WHERE account_id = %s AND window_start = %s "
                            "ORDER BY id DESC LIMIT 1", [account_id, day])
                status = cur.fetchone()[0]
            if status not in ("queued", "running", "retrying"):
                break
            time.sleep(1)
        assert status == "succeeded", status
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
        log.close()
    assert process.returncode == 0
    assert not port_open(web)
    assert not port_open(sandbox)
