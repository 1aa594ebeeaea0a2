"""Issue 22.6: a KPI answer over the row limit is a 400 asking to narrow, not megabytes of JSON."""

import datetime as dt

import pytest

from tests.api.conftest import assert_error, key_client
from tests.factories import AccountDailyMetricFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db


def test_too_many_rows_asks_to_narrow_and_a_coarser_question_is_answered(settings):
    settings.KPI_MAX_ROWS = 5
    account = SocialAccountFactory()
    for n in range(10):
        AccountDailyMetricFactory(account=account, date=dt.date(2026, 10, 1) + dt.timedelta(days=n), views=100 + n)
    client = key_client(account.organization)
    window = {"start": "2026-10-01", "end": "2026-10-10"}
    body = assert_error(client.get("/api/v1/kpis/", {**window, "granularity": "day"}), 400, "too_many_rows")
    assert "limit is 5" in body["errors"][0]["detail"]
    assert "granularity" in body["errors"][0]["detail"]
    assert_error(client.get("/api/v1/kpis/", {**window, "granularity": "day", "format": "csv"}), 400, "too_many_rows")
    response = client.get("/api/v1/kpis/", {**window, "granularity": "week"})
    assert response.status_code == 200
    assert len(response.json()["results"]) <= 5
