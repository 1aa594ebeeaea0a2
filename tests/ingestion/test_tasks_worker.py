"""A real Celery worker (subprocess) on the real Redis and the test database, syncing from a local fake platform."""

import datetime as dt
import os
import time
import uuid

import pytest
from django.conf import settings

from accounts.models import AccountStatus
from analytics.models import AccountDailyMetric
from ingestion.models import IngestionRun, RunStatus
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
    queue = f"sync-test-{uuid.uuid4().hex[:12]}"
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    with django_db_blocker.unblock():
        env = {
            **os.environ, "DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL, "SYNC_TEST_QUEUE": queue,
            "SYNC_QUEUE_PREFIX": f"{queue}.", "SYNC_RETRY_BACKOFF": "1", "SYNC_MAX_RETRIES": "3", "CONN_MAX_AGE": "0",
        }
    worker = worker_start(app="tests.ingestion.celery_worker_app", name=queue, env=env, log=log)
    try:
        worker_ready(worker, log)
        yield queue
    finally:
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


def test_transient_errors_are_retried_with_backoff(worker_queue, fake_platform):
    flaky = account(OrganizationFactory(), fake_platform, "flaky")
    fake_platform.script["flaky"] = [500, 503]
    started = time.monotonic()

    sync_account.apply_async(args=(flaky.pk, "2026-10-01", "2026-10-02"), queue=worker_queue)

    # Between attempts the run shows the last transient error; the retries reuse it.
    [run] = wait_for_runs(1, done=(RunStatus.SUCCEEDED,))
    assert (run.rows_written, run.error) == (4, "")
    assert fake_platform.requests_for("flaky") == 3
    assert AccountDailyMetric.objects.filter(account=flaky).count() == 2
    assert time.monotonic() - started < 30


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
