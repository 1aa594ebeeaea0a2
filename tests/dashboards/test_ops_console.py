"""The data page as an ops console: schedule, run filters and paging, run detail, retry, 30-night strip."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accounts.models import Role
from ingestion.models import IngestionRun, RunSource, RunStatus, SeriesGap
from ingestion.services import night_yesterday, nightly_schedule_update
from tests.factories import MembershipFactory, OrganizationFactory, SocialAccountFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def workspace():
    org = OrganizationFactory(name="星河美妆")
    nightly_schedule_update(hour=2, minute=30, enabled=True)  # as migrated (a transactional test may have flushed it)
    douyin = SocialAccountFactory(
        organization=org, platform="douyin", name="抖音主号", credentials={"open_id": "x", "access_token": "t"}
    )
    weibo = SocialAccountFactory(
        organization=org, platform="weibo", name="官方微博", credentials={"uid": "1", "access_token": "t"}
    )
    users = {}
    for role in Role.values:
        users[role] = UserFactory(username=f"u-{role}")
        MembershipFactory(user=users[role], organization=org, role=role)
    return org, users, douyin, weibo


def as_user(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def finished_run(account, status, **fields):
    now = timezone.now()
    return IngestionRun.objects.create(
        account=account, source=fields.pop("source", RunSource.API), status=status, started_at=now, finished_at=now, **fields
    )


def test_everyone_sees_the_nightly_schedule_with_its_last_and_next_run(client, workspace):
    _org, users, *_ = workspace
    content = as_user(client, users["viewer"]).get("/data/").content.decode()

    assert "每天 02:30（北京时间）" in content
    next_run = re.search(r"data-next-run>([^<]+)<", content)[1]
    assert next_run.endswith("02:30")
    assert "data-schedule-form" not in content
    assert "只有所有者可以修改同步计划" in content


def test_owners_move_or_pause_the_nightly_schedule_and_nobody_else_can(client, workspace):
    _org, users, *_ = workspace
    as_user(client, users["analyst"]).post("/data/schedule/", {"at": "04:15", "enabled": "on"})
    task = PeriodicTask.objects.get(task="ingestion.tasks.sync_all")
    assert (task.crontab.hour, task.crontab.minute) == ("2", "30")

    response = as_user(client, users["owner"]).post("/data/schedule/", {"at": "04:15", "enabled": "on"}, follow=True)

    task.refresh_from_db()
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone), task.enabled) == (
        "4",
        "15",
        "Asia/Shanghai",
        True,
    )
    assert "每天 04:15（北京时间）" in response.content.decode()
    as_user(client, users["owner"]).post("/data/schedule/", {"at": "04:15"})
    task.refresh_from_db()
    assert not task.enabled
    response = as_user(client, users["owner"]).post("/data/schedule/", {"at": "25:99", "enabled": "on"}, follow=True)
    assert response.status_code == 200
    assert "有效" in response.content.decode()  # Django's "enter a valid time"


def test_runs_filter_by_account_platform_status_source_and_day_and_page(client, workspace):
    _org, users, douyin, weibo = workspace
    for n in range(30):
        finished_run(douyin, RunStatus.SUCCEEDED, rows_written=n)
    failed = finished_run(weibo, RunStatus.FAILED, error="授权失效")
    upload = finished_run(weibo, RunStatus.FAILED, source=RunSource.FILE, error="第 2 行")
    IngestionRun.objects.filter(pk=upload.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    viewer = as_user(client, users["viewer"])

    def shown(query=""):
        return [int(n) for n in re.findall(r'data-run="(\d+)"', viewer.get(f"/data/?{query}").content.decode())]

    assert len(shown()) == 25  # a page
    assert len(shown("page=2")) == 7
    assert shown("runs-status=failed") == [failed.pk, upload.pk]
    assert shown("runs-status=failed&runs-source=file") == [upload.pk]
    assert shown(f"runs-account={weibo.pk}") == [failed.pk, upload.pk]
    assert shown("runs-platform=weibo&runs-source=api") == [failed.pk]
    three_days_ago = timezone.localdate() - dt.timedelta(days=3)
    assert shown(f"runs-day={three_days_ago}") == [upload.pk]
    assert len(shown("runs-day=not-a-date")) == 25  # an invalid filter is dropped, not a 500


def test_a_failed_upload_does_not_make_the_account_sync_look_failed(client, workspace):
    _org, users, douyin, _weibo = workspace
    finished_run(douyin, RunStatus.SUCCEEDED)
    finished_run(douyin, RunStatus.FAILED, source=RunSource.FILE, error="第 2 行")

    content = as_user(client, users["viewer"]).get("/data/").content.decode()

    row = re.search(rf'<tr data-account="{douyin.pk}">.*?</tr>', content, re.S)[0]
    assert 'data-last-sync="succeeded"' in row


def test_run_detail_shows_window_requests_rows_and_the_exact_error(client, workspace):
    _org, users, douyin, _weibo = workspace
    run = finished_run(
        douyin,
        RunStatus.DEFERRED,
        window_start=dt.date(2026, 11, 1),
        window_end=dt.date(2026, 11, 3),
        requests_made=7,
        attempt=1,
        rows_by_table={"account_days": 3},
        error="配额已用完，推迟到下次同步：douyin /data/external/user/fans/: error_code 28003017 当前应用的调用配额已用完",
        error_detail={
            "type": "QuotaExceeded",
            "platform": "douyin",
            "endpoint": "/data/external/user/fans/",
            "code": "error_code 28003017",
        },
    )

    content = as_user(client, users["viewer"]).get(f"/data/runs/{run.pk}/").content.decode()

    assert "2026-11-01 — 2026-11-03" in content
    assert re.search(r"data-requests>7<", content)
    assert "账号日数据 3" in content
    assert "<code>/data/external/user/fans/</code>" in content
    assert "<code>error_code 28003017</code>" in content
    assert "data-retry" not in content  # viewers read only
    assert client.get(f"/data/runs/{run.pk + 1000}/").status_code == 404


def test_retry_this_window_queues_a_new_run_of_the_same_window(client, workspace, django_capture_on_commit_callbacks):
    _org, users, douyin, _weibo = workspace
    run = finished_run(
        douyin, RunStatus.FAILED, window_start=dt.date(2026, 11, 1), window_end=dt.date(2026, 11, 3), error="x"
    )
    analyst = as_user(client, users["analyst"])
    assert "data-retry" in analyst.get(f"/data/runs/{run.pk}/").content.decode()

    with django_capture_on_commit_callbacks() as callbacks:
        response = analyst.post(f"/data/runs/{run.pk}/retry/", follow=True)

    new = IngestionRun.objects.exclude(pk=run.pk).get()
    assert (new.window_start, new.window_end, new.status) == (run.window_start, run.window_end, RunStatus.QUEUED)
    assert len(callbacks) == 1
    assert response.redirect_chain[-1][0] == f"/data/runs/{new.pk}/"
    assert f"#{new.pk}" in response.content.decode()
    succeeded = finished_run(douyin, RunStatus.SUCCEEDED, window_start=run.window_start, window_end=run.window_end)
    analyst.post(f"/data/runs/{succeeded.pk}/retry/")
    assert IngestionRun.objects.count() == 3  # only failed or deferred windows are retried


def test_the_30_night_strip_shows_each_night_and_the_gaps(client, workspace):
    _org, users, _douyin, weibo = workspace
    last = night_yesterday()
    finished_run(weibo, RunStatus.SUCCEEDED, window_start=last, window_end=last)
    finished_run(weibo, RunStatus.DEFERRED, window_start=last - dt.timedelta(days=1), window_end=last - dt.timedelta(days=1))
    for days_back in (2, 3):
        SeriesGap.objects.create(
            account=weibo, series="account_days", date=last - dt.timedelta(days=days_back), reason="快照"
        )

    content = as_user(client, users["viewer"]).get("/data/").content.decode()

    strip = re.search(rf'data-nights="{weibo.pk}">(.*?)</div>', content, re.S)[1]
    states = re.findall(r'class="night n-(\w+)"', strip)
    assert len(states) == 30
    assert states[-4:] == ["gap", "gap", "deferred", "succeeded"]
    assert 'data-gaps="2"' in content
