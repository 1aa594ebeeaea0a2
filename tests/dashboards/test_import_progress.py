"""The data page's progress of imports still queued or reading their file."""

from django.core.files.uploadedfile import SimpleUploadedFile

from ingestion.models import IngestionRun, RunSource, RunStatus


def test_a_big_upload_shows_as_queued_with_its_progress(logged_in, demo, settings):
    settings.IMPORT_FORM_WAIT_SECONDS = 0.2  # no worker in this test: the upload stays queued
    _user, _organization, accounts = demo
    data = b"date,views\n2026-10-01,5\n"
    response = logged_in.post(
        "/data/",
        {"account": accounts[0].pk, "kind": "daily_csv", "file": SimpleUploadedFile("big.csv", data, "text/csv")},
        follow=True,
    )
    content = response.content.decode()
    run = IngestionRun.objects.get(account=accounts[0], source=RunSource.FILE)
    assert run.status == RunStatus.QUEUED
    assert f"已在后台导入（运行编号 #{run.pk}）" in content
    assert f'data-import-run="{run.pk}"' in content
    assert f'data-run-url="/api/v1/ingestion-runs/{run.pk}/"' in content
    assert "js/import_progress.js" in content

    run.status, run.rows_read = RunStatus.PARSING, 120_000
    run.save()
    content = logged_in.get("/data/").content.decode()
    assert "读取文件中" in content
    assert "<b data-rows-read>120000</b>" in content


def test_no_progress_section_without_running_imports(logged_in, demo):
    _user, _organization, accounts = demo
    IngestionRun.objects.create(account=accounts[0], source=RunSource.FILE, status=RunStatus.SUCCEEDED)
    IngestionRun.objects.create(account=accounts[0], source=RunSource.API, status=RunStatus.QUEUED)
    assert 'data-section="import-progress"' not in logged_in.get("/data/").content.decode()
