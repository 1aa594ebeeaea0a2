"""A real Celery worker (subprocess) on the real Redis and the test database, syncing from a local fake platform."""

import datetime as dt
import os
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import AccountStatus
from analytics.models import AccountDailyMetric
from ingestion.models import FINISHED, IngestionRun, RunStatus
from ingestion.tasks import sync_account, sync_all
from socialmetrics.embedded import process_stop
from tests.factories import OrganizationFactory, SocialAccountFactory
from tests.ingestion.http_platform import PLATFORM, day_numbers
from tests.ingestion.workers import database_url, worker_ready, worker_start

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DONE = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.DEFERRED)


@pytest.fixture(scope="module")
def worker_queue(django_db_setup, django_db_blocker, tmp_path_factory):
    """Starts `celery worker` on queues of its own and stops it after the module's tests."""
    with django_db_blocker.unblock():
        url = database_url()
    with celery_worker(url, tmp_path_factory.mktemp("worker") / "worker.log") as (queue, _worker):
        yield queue


@contextmanager
def celery_worker(database_url: str, log: Path, *, pool: str = "solo", **env_extra):
    """A real `celery worker` subprocess on queues of its own (its default queue and its sync
    queues): yields (queue, process)."""
    queue = f"sync-test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ, "DATABASE_URL": database_url, "REDIS_URL": settings.REDIS_URL, "SYNC_TEST_QUEUE": queue,
        "SYNC_QUEUE_PREFIX": f"{queue}.", "SYNC_RETRY_BACKOFF": "1", "SYNC_MAX_RETRIES": "3", "CONN_MAX_AGE": "0",
        **env_extra,
    }
    worker = worker_start(app="tests.ingestion.celery_worker_app", name=queue, env=env, log=log, pool=pool)
    try:
        worker_ready(worker, log)
        yield queue, worker
    finally:
        if worker.poll() is None:
            process_stop(worker, timeout=20)


def wait_for_runs(expected: int, timeout: float = 60, done=DONE) -> list[IngestionRun]:
    deadline = time.monotonic() + timeout
    while True:
        runs = list(IngestionRun.objects.order_by("account__external_id"))
        if len(runs) == expected and all(r.status in done for r in runs):
            return runs
        assert time.monotonic() < deadline, f"runs not done after {timeout} s: {[(r.account_id, r.status) for r in runs]}"
        time.sleep(0.2)


def account(org, fake_platform, external_id, **kwargs):
    return SocialAccountFactory(organization=org, platform=PLATFORM, external_id=external_id,
                                credentials={"base_url": fake_platform.url}, **kwargs)


def test_sync_all_end_to_end(worker_queue, fake_platform):
    org = OrganizationFactory()
    a, b = account(org, fake_platform, "a-ok"), account(org, fake_platform, "b-ok")
    quota = account(org, fake_platform, "c-quota")
    account(org, fake_platform, "d-paused", status=AccountStatus.PAUSED)
    SocialAccountFactory(organization=org, platform=PLATFORM, external_id="e-files", credentials={})
    fake_platform.script["c-quota"] = [429]

    sync_all.apply_async(kwargs={"date": "2026-10-10"}, queue=worker_queue)

    runs = wait_for_runs(3)
    assert [(r.account_id, r.status, r.rows_written) for r in runs] == [
        (a.pk, RunStatus.SUCCEEDED, 6), (b.pk, RunStatus.SUCCEEDED, 6), (quota.pk, RunStatus.DEFERRED, 0),
    ]
    assert all((r.window_start, r.window_end) == (dt.date(2026, 10, 8), dt.date(2026, 10, 10)) for r in runs)
    assert all(r.task_id for r in runs)
    for acct in (a, b):
        stored = AccountDailyMetric.objects.filter(account=acct).order_by("date").values_list("date", "followers", "views")
        days = [day_numbers(acct.external_id, dt.date(2026, 10, d)) for d in (8, 9, 10)]
        assert list(stored) == [(dt.date.fromisoformat(d["date"]), d["followers"], d["views"]) for d in days]
    assert "quota" in runs[2].error
    quota.refresh_from_db()
    assert quota.status == AccountStatus.ACTIVE  # picked up again by the next nightly run
    assert fake_platform.requests_for("d-paused") == fake_platform.requests_for("e-files") == 0


def run_states(run_id: int, until, timeout: float = 60) -> list[tuple]:
    """Every state the run is seen in (polled), until `until(run)`; each must be one state only."""
    seen, deadline = [], time.monotonic() + timeout
    while True:
        run = IngestionRun.objects.get(pk=run_id)
        assert (run.status in FINISHED) == (run.finished_at is not None), run.__dict__
        assert (run.status == RunStatus.RETRYING) == (run.next_attempt_at is not None), run.__dict__
        state = (run.status, run.attempt)
        if not seen or seen[-1] != state:
            seen.append(state)
        if until(run):
            return seen
        assert time.monotonic() < deadline, f"run {run_id} seen as {seen} after {timeout} s"
        time.sleep(0.02)


def test_transient_errors_are_retried_and_the_run_says_retrying_meanwhile(worker_queue, fake_platform):
    flaky = account(OrganizationFactory(), fake_platform, "flaky")
    fake_platform.script["flaky"] = [500, 503]
    run = IngestionRun.objects.create(account=flaky, source="api", window_start=dt.date(2026, 10, 1),
                                      window_end=dt.date(2026, 10, 2))
    started = time.monotonic()

    sync_account.apply_async(args=(flaky.pk, "2026-10-01", "2026-10-02"), kwargs={"run_id": run.pk},
                             queue=worker_queue)

    seen = run_states(run.pk, until=lambda r: r.status in FINISHED)
    # Between attempts the run is "retrying" with its attempt number (never "failed", never two states).
    assert [s for s in seen if s[0] != RunStatus.RUNNING] == [
        (RunStatus.QUEUED, 0), (RunStatus.RETRYING, 1), (RunStatus.RETRYING, 2), (RunStatus.SUCCEEDED, 3)]
    run.refresh_from_db()
    assert (run.rows_written, run.error, run.error_detail, run.next_attempt_at) == (4, "", {}, None)
    assert fake_platform.requests_for("flaky") == 3
    assert AccountDailyMetric.objects.filter(account=flaky).count() == 2
    assert time.monotonic() - started < 30


def test_a_retrying_run_shows_when_the_next_attempt_is_due(worker_queue, fake_platform):
    flaky = account(OrganizationFactory(), fake_platform, "flaky2")
    fake_platform.script["flaky2"] = [500]
    run = IngestionRun.objects.create(account=flaky, source="api", window_start=dt.date(2026, 10, 1),
                                      window_end=dt.date(2026, 10, 1))

    sync_account.apply_async(args=(flaky.pk, "2026-10-01", "2026-10-01"), kwargs={"run_id": run.pk},
                             queue=worker_queue)

    run_states(run.pk, until=lambda r: r.status == RunStatus.RETRYING)
    retrying = IngestionRun.objects.get(pk=run.pk)
    assert "HTTP 500" in retrying.error
    assert retrying.error_detail["code"] == "HTTP 500"
    assert 0 < (retrying.next_attempt_at - timezone.now()).total_seconds() <= 3  # backoff 1 s, doubling, jitter
    run_states(run.pk, until=lambda r: r.status == RunStatus.SUCCEEDED)


def test_auth_errors_flag_the_account_and_are_not_retried(worker_queue, fake_platform):
    expired = account(OrganizationFactory(), fake_platform, "expired")
    fake_platform.script["expired"] = [401, 401, 401]

    sync_account.apply_async(args=(expired.pk, "2026-10-01", "2026-10-02"), queue=worker_queue)

    [run] = wait_for_runs(1)
    time.sleep(2)  # longer than the first retry's backoff would be
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "access token rejected" in run.error
    expired.refresh_from_db()
    assert expired.status == AccountStatus.NEEDS_REAUTH
    assert expired.status_detail == "testhttp /days: access token rejected (HTTP 401)"
    assert fake_platform.requests_for("expired") == 1
    assert AccountDailyMetric.objects.filter(account=expired).count() == 0
