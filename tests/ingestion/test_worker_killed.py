"""A worker killed mid-sync (kill -9) against a real Celery worker: the run never stays "running".

Killing the pool child: Celery redelivers the task, whose run takes its own lock over and is
done again. Killing the whole worker: the lock (short TTL, no longer renewed) dies with it, the
next night fails the run and reads its window again.
"""

import datetime as dt
import os
import signal
import time
from pathlib import Path

import pytest
from django.test import override_settings

from ingestion.models import IngestionRun, RunSource, RunStatus, SeriesProgress
from ingestion.services import sync_all_request
from ingestion.tasks import sync_account
from tests.factories import OrganizationFactory
from tests.ingestion.test_tasks_worker import account, celery_worker, run_states
from tests.ingestion.workers import database_url

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LOCK_TTL = 2


def pool_children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def queued_run(acct, start="2026-10-01", end="2026-10-03"):
    return IngestionRun.objects.create(
        account=acct, source=RunSource.API, window_start=dt.date.fromisoformat(start), window_end=dt.date.fromisoformat(end)
    )


def test_a_killed_pool_child_s_run_is_redone_by_the_redelivered_task(fake_platform, tmp_path):
    acct = account(OrganizationFactory(), fake_platform, "killed-child")
    fake_platform.script["killed-child"] = [3.0]  # the first attempt is slow: time to kill it
    run = queued_run(acct)
    with celery_worker(database_url(), tmp_path / "worker.log", pool="prefork", SYNC_LOCK_TTL=str(LOCK_TTL)) as (
        queue,
        worker,
    ):
        sync_account.apply_async(args=(acct.pk, "2026-10-01", "2026-10-03"), kwargs={"run_id": run.pk}, queue=queue)
        run_states(run.pk, until=lambda r: r.status == RunStatus.RUNNING)
        time.sleep(0.5)  # the request is on its way to the platform
        [child] = pool_children(worker.pid)
        os.kill(child, signal.SIGKILL)

        seen = run_states(run.pk, until=lambda r: r.status in (RunStatus.SUCCEEDED, RunStatus.FAILED), timeout=60)

    assert seen[-1] == (RunStatus.SUCCEEDED, 2), seen  # the second attempt, on the same run
    assert IngestionRun.objects.count() == 1
    assert fake_platform.requests_for("killed-child") == 2


def test_a_killed_worker_s_run_ends_failed_and_its_window_is_read_next_night(fake_platform, tmp_path):
    acct = account(OrganizationFactory(), fake_platform, "killed-worker")
    SeriesProgress.objects.create(account=acct, series="account_days", last_day=dt.date(2026, 9, 30))
    SeriesProgress.objects.create(account=acct, series="post_days", last_day=dt.date(2026, 9, 30))
    fake_platform.script["killed-worker"] = [30.0]
    run = queued_run(acct)
    with celery_worker(database_url(), tmp_path / "worker.log", SYNC_LOCK_TTL=str(LOCK_TTL)) as (queue, worker):
        sync_account.apply_async(args=(acct.pk, "2026-10-01", "2026-10-03"), kwargs={"run_id": run.pk}, queue=queue)
        run_states(run.pk, until=lambda r: r.status == RunStatus.RUNNING)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    time.sleep(2 * LOCK_TTL + 0.5)  # the lock is gone with its process; a live run would have renewed it

    with override_settings(SYNC_LOCK_TTL=LOCK_TTL):
        [tonight] = sync_all_request(day=dt.date(2026, 10, 4))

    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.finished_at is not None
    assert "工作进程中断" in run.error
    assert (tonight.window_start, tonight.window_end) == (dt.date(2026, 10, 1), dt.date(2026, 10, 4))
