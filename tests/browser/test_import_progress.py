"""The data page follows a background import live: rows read as they grow, then its outcome."""

import pytest

from ingestion.models import IngestionRun, RunSource, RunStatus
from tests.browser.conftest import wait_until
from tests.browser.test_dashboards import login, workspace  # noqa: F401  (the workspace fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_progress_updates_without_a_reload_and_the_page_refreshes_when_done(live_server, page, screenshot, workspace):  # noqa: F811
    user, _organization, accounts = workspace
    run = IngestionRun.objects.create(
        account=accounts[0],
        source=RunSource.FILE,
        file_name="稿件数据_1000000.csv",
        status=RunStatus.PARSING,
        rows_read=120_000,
    )
    login(page, live_server, user.username)
    page.goto(f"{live_server.url}/data/")
    item = page.locator(f"[data-import-run='{run.pk}']")
    assert "120000" in item.locator("[data-rows-read]").inner_text()

    IngestionRun.objects.filter(pk=run.pk).update(rows_read=640_000)
    wait_until(page, "document.querySelector('[data-rows-read]').textContent.replace(/\\D/g, '') === '640000'")
    screenshot("data_status_import_progress", full_page=False)

    IngestionRun.objects.filter(pk=run.pk).update(status=RunStatus.SUCCEEDED, rows_written=1_000_000)
    page.locator("[data-section='import-progress']").wait_for(state="detached", timeout=15000)
    assert "写入 1000000 行" in page.locator("[data-section='runs']").inner_text()
    assert page.watch.console_errors == []
    assert page.watch.foreign_requests() == []
