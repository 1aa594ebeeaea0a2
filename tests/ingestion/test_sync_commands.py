"""`manage.py sync` and `manage.py sync_all`: summaries, exit codes, validation."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AccountStatus
from analytics.models import AccountDailyMetric
from ingestion.models import IngestionRun, RunStatus
from tests.factories import SocialAccountFactory
from tests.ingestion.http_platform import PLATFORM


def sync(*args):
    out = StringIO()
    call_command("sync", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_inline_sync_prints_the_run_and_its_rows(api_account):
    out = sync("--account", str(api_account.pk), "--start", "2026-10-01", "--end", "2026-10-02", "--inline")

    run = IngestionRun.objects.get()
    assert out.strip() == f"run {run.pk} succeeded: account {api_account.pk} 2026-10-01..2026-10-02, 4 rows"
    assert AccountDailyMetric.objects.filter(account=api_account).count() == 2


@pytest.mark.django_db
def test_inline_sync_failure_is_an_error_with_the_runs_message(api_account, fake_platform):
    fake_platform.script["acct-a"] = [401]

    with pytest.raises(CommandError, match=r"run \d+ failed: .*access token rejected"):
        sync("--account", str(api_account.pk), "--start", "2026-10-01", "--end", "2026-10-02", "--inline")
    api_account.refresh_from_db()
    assert api_account.status == AccountStatus.NEEDS_REAUTH


@pytest.mark.django_db
def test_inline_sync_transient_failure_is_an_error(api_account, fake_platform):
    fake_platform.script["acct-a"] = [503]

    with pytest.raises(CommandError, match="HTTP 503.*try again later"):
        sync("--account", str(api_account.pk), "--start", "2026-10-01", "--end", "2026-10-01", "--inline")
    assert IngestionRun.objects.get().status == RunStatus.FAILED


@pytest.mark.django_db
def test_sync_through_celery_queues_a_run_on_commit(api_account, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        out = sync("--account", str(api_account.pk), "--start", "2026-10-01", "--end", "2026-10-03")

    run = IngestionRun.objects.get()
    assert out.startswith(f"run {run.pk} queued: account {api_account.pk} 2026-10-01..2026-10-03")
    assert run.status == RunStatus.QUEUED
    assert len(callbacks) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2026-10-02", "--end", "2026-10-01"], "before --start"),
        (["--start", "2026-10-32", "--end", "2026-10-01"], "not a date in YYYY-MM-DD"),
        (["--start", "yesterday", "--end", "2026-10-01"], "not a date in YYYY-MM-DD"),
    ],
)
def test_sync_rejects_bad_dates(api_account, args, message):
    with pytest.raises(CommandError, match=message):
        sync("--account", str(api_account.pk), *args, "--inline")
    assert IngestionRun.objects.count() == 0


@pytest.mark.django_db
def test_sync_rejects_unknown_and_file_only_accounts(org):
    with pytest.raises(CommandError, match="no account with id 999999"):
        sync("--account", "999999", "--start", "2026-10-01", "--end", "2026-10-01")
    file_only = SocialAccountFactory(organization=org, platform=PLATFORM, credentials={})
    with pytest.raises(CommandError, match="no API credentials"):
        sync("--account", str(file_only.pk), "--start", "2026-10-01", "--end", "2026-10-01")
    assert IngestionRun.objects.count() == 0


@pytest.mark.django_db
def test_sync_all_prints_how_many_accounts_were_enqueued(org, django_capture_on_commit_callbacks):
    for _ in range(2):
        SocialAccountFactory(organization=org, platform=PLATFORM, credentials={"base_url": "http://127.0.0.1:9"})
    SocialAccountFactory(organization=org, platform=PLATFORM, credentials={})
    out = StringIO()

    with django_capture_on_commit_callbacks() as callbacks:
        call_command("sync_all", "--date", "2026-10-10", stdout=out)

    assert out.getvalue().strip() == "2 runs of 2 accounts enqueued for 2026-10-08..2026-10-10"
    assert len(callbacks) == 2
    assert {(r.window_start, r.window_end) for r in IngestionRun.objects.all()} == {
        (dt.date(2026, 10, 8), dt.date(2026, 10, 10))
    }


def test_sync_all_rejects_a_bad_date():
    with pytest.raises(CommandError, match="not a date"):
        call_command("sync_all", "--date", "10/10/2026")


@pytest.mark.django_db
def test_inline_sync_of_a_busy_account_is_an_error_and_leaves_no_run_queued(api_account, fake_platform):
    from ingestion.locks import RunLock

    busy = RunLock(account_id=api_account.pk, run_id=987654)
    assert busy.acquire()
    try:
        with pytest.raises(CommandError, match="being synced by another run"):
            sync("--account", str(api_account.pk), "--start", "2026-10-01", "--end", "2026-10-01", "--inline")
    finally:
        busy.release()
    assert IngestionRun.objects.get().status == RunStatus.DEFERRED
    assert fake_platform.requests_for("acct-a") == 0
