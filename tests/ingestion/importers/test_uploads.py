"""Stored uploads and the import task, run in this process (the worker path: test_background.py)."""

import datetime as dt
import io

import pytest
from django.utils import timezone

from analytics.models import AccountDailyMetric
from ingestion.importers.service import import_request, uploaded_file_import
from ingestion.importers.uploads import PIECE_BYTES, upload_open, upload_store
from ingestion.models import ImportUpload, IngestionRun, RunStatus
from ingestion.tasks import IMPORT_TIME_LIMIT, import_uploaded_file

pytestmark = pytest.mark.django_db

DAILY = b"date,views,likes\n2026-10-01,10,1\n2026-10-02,20,2\n"


def test_a_stored_upload_reads_back_byte_for_byte_with_seeks(make_account):
    run = IngestionRun.objects.create(account=make_account("weibo"), source="file")
    data = bytes(range(256)) * (PIECE_BYTES // 256 * 2 + 3)  # two full pieces and a part
    assert upload_store(run=run, file=io.BytesIO(data)) == len(data)
    assert ImportUpload.objects.filter(run=run).count() == 3
    with upload_open(run=run) as source:
        assert source.read() == data
        source.seek(PIECE_BYTES - 5)
        assert source.read(10) == data[PIECE_BYTES - 5 : PIECE_BYTES + 5]
        assert source.seek(-4, io.SEEK_END) == len(data) - 4
        assert source.read() == data[-4:]


def test_the_task_imports_the_upload_and_removes_it(make_account, django_capture_on_commit_callbacks):
    account = make_account("weibo")
    with django_capture_on_commit_callbacks() as callbacks:
        run = import_request(account=account, file=io.BytesIO(DAILY), file_name="d.csv", kind="daily_csv")
    assert len(callbacks) == 1
    assert run.status == RunStatus.QUEUED
    assert ImportUpload.objects.filter(run=run).exists()
    assert import_uploaded_file.apply(args=(run.pk,)).get() == {"run": run.pk, "status": "succeeded", "rows": 2}
    run.refresh_from_db()
    assert (run.kind, run.rows_read, run.window_start) == ("daily_csv", 3, dt.date(2026, 10, 1))
    assert run.import_report["result"]["rows"]["account_days"] == 2
    assert AccountDailyMetric.objects.filter(account=account).count() == 2
    assert not ImportUpload.objects.exists()
    import_uploaded_file.apply(args=(run.pk,))  # a redelivery changes nothing
    assert IngestionRun.objects.get(pk=run.pk).finished_at == run.finished_at


def test_a_rejected_upload_records_every_problem_and_is_removed(make_account):
    account = make_account("weibo")
    run = import_request(account=account, file=io.BytesIO(DAILY.replace(b",20,", b",lots,")), file_name="d.csv")
    import_uploaded_file.apply(args=(run.pk,))
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert [(p["row"], p["column"], p["value"]) for p in run.import_report["problems"]] == [(3, "views", "lots")]
    assert not ImportUpload.objects.exists()
    assert not AccountDailyMetric.objects.exists()


def test_an_attempt_killed_at_the_time_limit_is_not_retried(make_account):
    run = import_request(account=make_account("weibo"), file=io.BytesIO(DAILY), file_name="d.csv")
    long_ago = timezone.now() - dt.timedelta(seconds=IMPORT_TIME_LIMIT + 1)
    IngestionRun.objects.filter(pk=run.pk).update(status=RunStatus.PARSING, started_at=long_ago)
    uploaded_file_import(run=IngestionRun.objects.get(pk=run.pk), time_limit=IMPORT_TIME_LIMIT)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "超过时限" in run.error
    assert not ImportUpload.objects.exists()
    assert not AccountDailyMetric.objects.exists()
