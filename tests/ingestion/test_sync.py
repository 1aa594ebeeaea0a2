"""The sync service against a local fake platform: stored rows, runs, and every error class."""

import datetime as dt

import pytest

from accounts.models import AccountStatus, SocialAccount
from analytics.models import AccountDailyMetric, PostDailyMetric
from ingestion.connectors.base import TransientError, register
from ingestion.models import IngestionRun, RunSource, RunStatus
from ingestion.services import account_sync, night_yesterday, sync_all_request, sync_request
from tests.factories import SocialAccountFactory
from tests.ingestion.http_platform import PLATFORM, FakePlatformConnector, day_numbers

START, END = dt.date(2026, 10, 1), dt.date(2026, 10, 3)


def stored(account):
    rows = AccountDailyMetric.objects.filter(account=account).order_by("date")
    return list(rows.values_list("date", "followers", "views", "likes"))


def expected(account, start=START, end=END):
    days = [day_numbers(account.external_id, start + dt.timedelta(i)) for i in range((end - start).days + 1)]
    return [(dt.date.fromisoformat(d["date"]), d["followers"], d["views"], d["likes"]) for d in days]


@pytest.mark.django_db
def test_sync_stores_the_window_and_records_the_run(api_account):
    run = account_sync(account=api_account, start=START, end=END)

    run.refresh_from_db()
    assert (run.status, run.error, run.source, run.kind) == (RunStatus.SUCCEEDED, "", RunSource.API, PLATFORM)
    assert (run.window_start, run.window_end, run.rows_written) == (START, END, 6)
    assert run.started_at <= run.finished_at
    assert stored(api_account) == expected(api_account)
    post_views = PostDailyMetric.objects.filter(post__account=api_account).order_by("date").values_list("views", flat=True)
    assert list(post_views) == [day_numbers("acct-a", d)["post_views"] for d in (START, START.replace(day=2), END)]
    api_account.refresh_from_db()
    assert api_account.last_synced_at == run.finished_at


@pytest.mark.django_db
def test_syncing_the_same_window_twice_changes_nothing(api_account):
    account_sync(account=api_account, start=START, end=END)
    first = list(AccountDailyMetric.objects.filter(account=api_account).order_by("date").values())

    account_sync(account=api_account, start=START, end=END)

    assert list(AccountDailyMetric.objects.filter(account=api_account).order_by("date").values()) == first
    assert PostDailyMetric.objects.filter(post__account=api_account).count() == 3
    assert list(IngestionRun.objects.values_list("status", flat=True)) == [RunStatus.SUCCEEDED] * 2


@pytest.mark.django_db
def test_transient_error_is_recorded_and_reraised_for_a_retry(api_account, fake_platform):
    account_sync(account=api_account, start=START, end=END)
    before = stored(api_account)
    fake_platform.script["acct-a"] = [500]

    with pytest.raises(TransientError, match="HTTP 500"):
        account_sync(account=api_account, start=START, end=dt.date(2026, 10, 5))

    run = IngestionRun.objects.first()
    assert run.status == RunStatus.FAILED  # no retry follows (no `retry_in`)
    assert "HTTP 500" in run.error
    assert "可重试" in run.error
    assert run.error_detail == {"type": "TransientError", "platform": "testhttp", "endpoint": "/days", "code": "HTTP 500"}
    assert stored(api_account) == before


@pytest.mark.django_db
def test_quota_error_defers_the_run_and_leaves_the_account_alone(api_account, fake_platform):
    fake_platform.script["acct-a"] = [429]

    run = account_sync(account=api_account, start=START, end=END)

    assert run.status == RunStatus.DEFERRED
    assert "quota" in run.error
    assert "推迟" in run.error
    api_account.refresh_from_db()
    assert (api_account.status, api_account.status_detail, api_account.last_synced_at) == (AccountStatus.ACTIVE, "", None)
    assert stored(api_account) == []


@pytest.mark.django_db
def test_auth_error_flags_the_account_for_reauthorisation(api_account, fake_platform):
    fake_platform.script["acct-a"] = [401, 401]

    run = account_sync(account=api_account, start=START, end=END)

    assert run.status == RunStatus.FAILED
    assert "HTTP 401" in run.error
    api_account.refresh_from_db()
    assert api_account.status == AccountStatus.NEEDS_REAUTH
    assert "access token rejected" in api_account.status_detail
    assert fake_platform.requests_for("acct-a") == 1
    assert stored(api_account) == []


@pytest.mark.django_db
def test_malformed_answer_fails_the_run_and_keeps_the_previous_data(api_account, fake_platform):
    account_sync(account=api_account, start=START, end=END)
    before = stored(api_account)
    fake_platform.script["acct-a"] = ["malformed"]

    run = account_sync(account=api_account, start=START, end=END)

    assert run.status == RunStatus.FAILED
    assert "malformed answer" in run.error
    assert stored(api_account) == before


@pytest.mark.django_db
def test_unreachable_platform_is_transient(api_account, fake_platform):
    fake_platform.server.shutdown()
    fake_platform.server.server_close()  # nothing listens on the port any more

    with pytest.raises(TransientError):
        account_sync(account=api_account, start=START, end=END)
    assert IngestionRun.objects.get().status == RunStatus.FAILED


@pytest.mark.django_db
def test_platform_without_connector_fails_with_a_clear_message(org):
    account = SocialAccountFactory(organization=org, platform="nosuchplatform", credentials={"token": "x"})

    run = account_sync(account=account, start=START, end=END)

    assert run.status == RunStatus.FAILED
    assert "no connector for platform 'nosuchplatform'" in run.error


@pytest.mark.django_db
def test_sync_reuses_the_given_run(api_account):
    run = IngestionRun.objects.create(account=api_account, source=RunSource.API, window_start=START, window_end=END)

    result = account_sync(account=api_account, start=START, end=END, run=run, task_id="task-1")

    assert result.pk == run.pk
    run.refresh_from_db()
    assert (run.status, run.task_id, IngestionRun.objects.count()) == (RunStatus.SUCCEEDED, "task-1", 1)


@pytest.mark.django_db
def test_sync_request_queues_a_run_and_sends_the_task_on_commit(api_account, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        run = sync_request(account=api_account, start=START, end=END)

    assert (run.status, run.window_start, run.window_end) == (RunStatus.QUEUED, START, END)
    assert run.task_id
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_sync_request_rejects_an_inverted_window(api_account):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="before start"):
        sync_request(account=api_account, start=END, end=START)
    assert IngestionRun.objects.count() == 0


@pytest.mark.django_db
def test_sync_all_queues_only_active_accounts_with_credentials(org, django_capture_on_commit_callbacks):
    creds = {"base_url": "http://127.0.0.1:9"}
    active = SocialAccountFactory(organization=org, platform=PLATFORM, credentials=creds)
    SocialAccountFactory(organization=org, platform=PLATFORM, credentials={})  # export files only
    SocialAccountFactory(organization=org, platform=PLATFORM, credentials=creds, status=AccountStatus.NEEDS_REAUTH)
    SocialAccountFactory(organization=org, platform=PLATFORM, credentials=creds, status=AccountStatus.PAUSED)

    with django_capture_on_commit_callbacks() as callbacks:
        runs = sync_all_request(day=dt.date(2026, 10, 10))

    assert [(r.account_id, r.window_start, r.window_end) for r in runs] == [
        (active.pk, dt.date(2026, 10, 8), dt.date(2026, 10, 10))
    ]
    assert len(callbacks) == 1
    assert SocialAccount.objects.count() == 4


def test_default_window_ends_yesterday_in_china():
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    yesterday = timezone.localdate(timezone=ZoneInfo("Asia/Shanghai")) - dt.timedelta(days=1)
    assert night_yesterday() == yesterday


@pytest.mark.django_db
def test_sync_request_refuses_an_account_without_credentials(org):
    from django.core.exceptions import ValidationError

    file_only = SocialAccountFactory(organization=org, platform=PLATFORM, credentials={})

    with pytest.raises(ValidationError, match="no API credentials"):
        sync_request(account=file_only, start=START, end=END)
    assert IngestionRun.objects.count() == 0


@pytest.mark.django_db
def test_a_successful_sync_clears_needs_reauth(api_account):
    SocialAccount.objects.filter(pk=api_account.pk).update(status=AccountStatus.NEEDS_REAUTH, status_detail="expired")
    api_account.refresh_from_db()

    account_sync(account=api_account, start=START, end=END)

    api_account.refresh_from_db()
    assert (api_account.status, api_account.status_detail) == (AccountStatus.ACTIVE, "")


@pytest.mark.django_db
def test_the_nightly_run_fails_the_runs_dead_workers_left_behind(org, django_capture_on_commit_callbacks):
    from django.conf import settings
    from django.utils import timezone

    from ingestion.locks import RunLock
    from ingestion.services import SYNC_TIME_LIMIT

    account, other = (SocialAccountFactory(organization=org, platform=PLATFORM, credentials={}) for _ in range(2))
    now = timezone.now()
    minutes_ago = now - dt.timedelta(minutes=5)

    def run(acct, status, **fields):
        return IngestionRun.objects.create(account=acct, source=RunSource.API, status=status, **fields)

    killed = run(account, RunStatus.RUNNING, started_at=minutes_ago)  # holds no lock: its process died
    busy = run(other, RunStatus.RUNNING, started_at=minutes_ago)
    just_started = run(account, RunStatus.RUNNING, started_at=now)  # within the lock's grace period
    too_long = run(account, RunStatus.RUNNING, started_at=now - dt.timedelta(seconds=SYNC_TIME_LIMIT + 60))
    lost = run(account, RunStatus.QUEUED)
    IngestionRun.objects.filter(pk=lost.pk).update(
        created_at=now - dt.timedelta(seconds=settings.SYNC_STALE_QUEUED_SECONDS + 60))
    waiting = run(account, RunStatus.QUEUED)
    import_killed = run(account, RunStatus.RUNNING, started_at=too_long.started_at)
    IngestionRun.objects.filter(pk=import_killed.pk).update(source=RunSource.FILE)
    lock = RunLock(account_id=other.pk, run_id=busy.pk)
    assert lock.acquire()
    try:
        sync_all_request(day=dt.date(2026, 10, 10))
    finally:
        lock.release()

    states = {name: IngestionRun.objects.get(pk=r.pk) for name, r in [
        ("killed", killed), ("busy", busy), ("just_started", just_started), ("too_long", too_long), ("lost", lost),
        ("waiting", waiting), ("import_killed", import_killed)]}
    assert {name: r.status for name, r in states.items()} == {
        "killed": RunStatus.FAILED, "busy": RunStatus.RUNNING, "just_started": RunStatus.RUNNING,
        "too_long": RunStatus.FAILED, "lost": RunStatus.FAILED, "waiting": RunStatus.QUEUED,
        "import_killed": RunStatus.FAILED,
    }
    assert "工作进程中断" in states["killed"].error
    assert states["killed"].finished_at is not None
    assert "消息丢失" in states["lost"].error
    assert "导入中断" in states["import_killed"].error


@register
class ProvisionalConnector(FakePlatformConnector):
    """The fake platform, calling its last day provisional (as WeChat's `is_delay`) while `provisional` says so."""

    platform = "testprovisional"
    provisional = True

    def fetch(self, start, end):
        batch = super().fetch(start, end)
        batch.provisional_days = {end} if self.provisional else set()
        return batch


@pytest.mark.django_db
def test_provisional_days_are_read_again_until_the_platform_calls_them_final(org, fake_platform):
    from ingestion.models import SeriesProgress

    account = SocialAccountFactory(organization=org, platform="testprovisional", external_id="prov",
                                   credentials={"base_url": fake_platform.url})
    account_sync(account=account, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 10))
    assert SeriesProgress.objects.get(account=account, series="account_days").provisional_from == dt.date(2026, 10, 10)

    # Nights later the provisional day is still in the window, beyond the usual three days.
    [run] = sync_all_request(day=dt.date(2026, 10, 20))
    assert (run.window_start, run.window_end) == (dt.date(2026, 10, 10), dt.date(2026, 10, 20))

    ProvisionalConnector.provisional = False
    try:
        account_sync(account=account, start=run.window_start, end=run.window_end, run=run)
    finally:
        ProvisionalConnector.provisional = True
    progress = SeriesProgress.objects.get(account=account, series="account_days")
    assert (progress.last_day, progress.provisional_from) == (dt.date(2026, 10, 20), None)


@pytest.mark.django_db
def test_a_window_with_nothing_to_read_is_skipped_and_does_not_count_as_synced(org):
    account = SocialAccountFactory(organization=org, platform="weibo", external_id="5800000099",
                                   credentials={"uid": "5800000099", "access_token": "t"})

    run = account_sync(account=account, start=dt.date(2020, 1, 1), end=dt.date(2020, 1, 3))  # no snapshot then

    assert (run.status, run.requests_made, run.rows_written) == (RunStatus.SKIPPED, 0, 0)
    assert run.finished_at is not None
    assert "没有可读取" in run.error
    account.refresh_from_db()
    assert account.last_synced_at is None
