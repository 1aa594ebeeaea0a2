"""The Celery tasks run in-process (`Task.apply`), and the nightly schedule's data migration."""

import datetime as dt

import pytest
from django_celery_beat.models import PeriodicTask

from accounts.models import AccountStatus
from analytics.models import AccountDailyMetric
from ingestion.locks import RunLock, lock_holders
from ingestion.models import IngestionRun, RunSource, RunStatus
from ingestion.tasks import sync_account, sync_all
from tests.factories import SocialAccountFactory
from tests.ingestion.http_platform import PLATFORM

START, END = "2026-10-01", "2026-10-03"


def queued_run(account):
    return IngestionRun.objects.create(
        account=account, source=RunSource.API, window_start=dt.date(2026, 10, 1), window_end=dt.date(2026, 10, 3)
    )


@pytest.mark.django_db
def test_sync_account_runs_the_sync_on_the_given_run(api_account, fake_platform):
    run = queued_run(api_account)

    result = sync_account.apply(args=(api_account.pk, START, END), kwargs={"run_id": run.pk}, task_id="t-1")

    assert result.get() == {"run": run.pk, "status": RunStatus.SUCCEEDED, "rows": 6}
    run.refresh_from_db()
    assert (run.status, run.task_id) == (RunStatus.SUCCEEDED, "t-1")
    assert AccountDailyMetric.objects.filter(account=api_account).count() == 3


@pytest.mark.django_db
def test_a_redelivered_task_does_not_sync_again(api_account, fake_platform):
    run = queued_run(api_account)
    sync_account.apply(args=(api_account.pk, START, END), kwargs={"run_id": run.pk})

    again = sync_account.apply(args=(api_account.pk, START, END), kwargs={"run_id": run.pk})

    assert again.get()["status"] == RunStatus.SUCCEEDED
    assert fake_platform.requests_for("acct-a") == 1
    assert IngestionRun.objects.count() == 1


@pytest.mark.django_db
def test_without_a_run_id_retries_keep_the_first_attempts_run(api_account, fake_platform):
    fake_platform.script["acct-a"] = [500, 502]

    result = sync_account.apply(args=(api_account.pk, START, END), task_id="t-retry")

    assert result.get()["status"] == RunStatus.SUCCEEDED
    assert fake_platform.requests_for("acct-a") == 3
    run = IngestionRun.objects.get()
    assert (run.task_id, run.status, run.error, run.attempt) == ("t-retry", RunStatus.SUCCEEDED, "", 3)
    assert (run.next_attempt_at, run.error_detail, run.requests_made) == (None, {}, 0)


@pytest.mark.django_db
def test_auth_errors_are_not_retried(api_account, fake_platform):
    fake_platform.script["acct-a"] = [401, 401, 401]

    result = sync_account.apply(args=(api_account.pk, START, END))

    assert result.get()["status"] == RunStatus.FAILED
    assert fake_platform.requests_for("acct-a") == 1
    api_account.refresh_from_db()
    assert api_account.status == AccountStatus.NEEDS_REAUTH


@pytest.mark.django_db
def test_a_busy_account_is_not_synced_twice_at_once(api_account, fake_platform):
    run, other = queued_run(api_account), queued_run(api_account)
    lock = RunLock(account_id=api_account.pk, run_id=other.pk)
    assert lock.acquire()
    try:
        result = sync_account.apply(args=(api_account.pk, START, END), kwargs={"run_id": run.pk})
        # In-process retries come back at once, so they use up the lock waits while the lock is held:
        # the run is then deferred, never left queued.
        assert result.get()["status"] == RunStatus.DEFERRED
    finally:
        lock.release()
    assert fake_platform.requests_for("acct-a") == 0
    run.refresh_from_db()
    assert (run.status, run.attempt) == (RunStatus.DEFERRED, 0)
    assert "占用" in run.error

    assert sync_account.apply(args=(api_account.pk, START, END), kwargs={"run_id": other.pk}).get()["rows"] == 6


@pytest.mark.django_db
def test_a_redelivered_task_takes_over_the_lock_of_its_own_run(api_account, fake_platform):
    """A killed attempt leaves its lock behind: the redelivery of the same run carries on at once."""
    run = queued_run(api_account)
    dead = RunLock(account_id=api_account.pk, run_id=run.pk)
    assert dead.acquire()
    dead._stop.set()  # the killed process renews no more, and never releases

    assert sync_account.apply(args=(api_account.pk, START, END), kwargs={"run_id": run.pk}).get()["rows"] == 6
    assert lock_holders([api_account.pk]) == {api_account.pk: None}  # released when the run ended


@pytest.mark.django_db
def test_sync_account_of_a_deleted_account_is_a_no_op():
    assert sync_account.apply(args=(987654, START, END)).get() is None


@pytest.mark.django_db
def test_sync_all_counts_the_accounts_it_queued(org, django_capture_on_commit_callbacks):
    SocialAccountFactory(organization=org, platform=PLATFORM, credentials={"base_url": "http://127.0.0.1:9"})
    SocialAccountFactory(organization=org, platform=PLATFORM, credentials={})

    with django_capture_on_commit_callbacks() as callbacks:
        assert sync_all.apply(kwargs={"date": "2026-10-10"}).get() == 1
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_the_nightly_schedule_is_created_by_a_migration():
    task = PeriodicTask.objects.get(task="ingestion.tasks.sync_all")

    assert task.enabled
    crontab = task.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_week, crontab.day_of_month, crontab.month_of_year) == (
        "30", "2", "*", "*", "*"
    )
    assert str(crontab.timezone) == "Asia/Shanghai"
