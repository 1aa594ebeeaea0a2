"""CSV output, pagination, error bodies and throttling: the same on every endpoint."""

import csv
import datetime
import io

import pytest
import redis
from rest_framework.test import APIClient

from accounts.services import api_key_create
from tests.api.conftest import assert_error, key_client
from tests.factories import AccountDailyMetricFactory, CampaignFactory, PostFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[dict]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode()), "Excel needs the BOM to read UTF-8"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("url", ["/api/v1/accounts/", "/api/v1/campaigns/", "/api/v1/posts/", "/api/v1/ingestion-runs/"])
def test_every_list_answers_csv(client_a, account_a, url):
    CampaignFactory(organization=account_a.organization, name="国庆大促")
    PostFactory(account=account_a, title="新品开箱")
    account_a.ingestion_runs.create(source="file", file_name="抖音导出.xlsx")
    rows = read_csv(client_a.get(url, {"format": "csv"}))
    assert len(rows) == 1
    assert {"抖音主号", "国庆大促", "新品开箱", "抖音导出.xlsx"} & set(rows[0].values())
    assert "credentials" not in rows[0]


def test_metrics_csv_keeps_nulls_empty(client_a, account_a):
    AccountDailyMetricFactory(account=account_a, date=datetime.date(2026, 10, 1), views=0, likes=None)
    (row,) = read_csv(client_a.get(f"/api/v1/accounts/{account_a.pk}/metrics/?format=csv"))
    assert (row["date"], row["views"], row["likes"]) == ("2026-10-01", "0", "")


def test_kpi_csv_flattens_rows_with_previous_and_change(client_a, account_a):
    AccountDailyMetricFactory(account=account_a, date=datetime.date(2026, 10, 1), views=1000, likes=70)
    AccountDailyMetricFactory(account=account_a, date=datetime.date(2026, 10, 2), views=3000, likes=150)
    response = client_a.get("/api/v1/kpis/", {"start": "2026-10-02", "end": "2026-10-02", "group_by": "platform",
                                              "compare": "previous", "format": "csv"})
    (row,) = read_csv(response)
    assert (row["period"], row["platform"], row["views"], row["interactions"]) == ("2026-10-02", "douyin", "3000", "150")
    assert (row["previous.views"], row["change.views"], row["engagement_rate"]) == ("1000", "2.0", "0.05")
    assert row["spend"] == ""
    assert row["cpm"] == ""  # undefined KPIs stay empty, not 0


def test_errors_stay_json_when_csv_was_asked_for(client_a):
    assert_error(client_a.get("/api/v1/kpis/?format=csv&start=2026-10-01"), 400, attr="end")
    assert_error(client_a.get("/api/v1/campaigns/999999/?format=csv"), 404, "not_found")


def test_pagination_shape_and_page_size(client_a, org_a):
    for _ in range(3):
        SocialAccountFactory(organization=org_a)
    first = client_a.get("/api/v1/accounts/", {"page_size": 2}).json()
    assert set(first) == {"count", "next", "previous", "results"}
    assert (first["count"], len(first["results"]), first["previous"]) == (3, 2, None)
    second = client_a.get(first["next"]).json()
    assert len(second["results"]) == 1
    assert second["next"] is None
    assert_error(client_a.get("/api/v1/accounts/", {"page": 99}), 404)


def test_unknown_paths_and_methods_have_the_error_body(client_a, account_a):
    assert_error(client_a.get("/api/v1/no-such-thing/"), 404, "not_found")
    assert_error(client_a.post("/api/v1/kpis/", {}, format="json"), 405, "method_not_allowed")
    assert_error(client_a.put(f"/api/v1/accounts/{account_a.pk}/", {}, format="json"), 405)  # PATCH, never PUT
    assert client_a.get("/api/v1/accounts").status_code == 301  # unslashed paths still redirect


def test_throttling_answers_429_with_retry_after(settings, org_a):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "3/min"}}
    api_key, key = api_key_create(organization=org_a, name="busy")
    client, other = APIClient(), key_client(org_a)
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    redis_client = redis.Redis.from_url(settings.REDIS_URL)
    counters = lambda: list(redis_client.scan_iter(f"*throttle_api_key-{api_key.pk}:*"))  # noqa: E731
    for counter in counters():  # key ids restart with each test database: no counts left from earlier runs
        redis_client.delete(counter)
    for _ in range(3):
        assert client.get("/api/v1/accounts/").status_code == 200
    response = client.get("/api/v1/accounts/")
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    assert other.get("/api/v1/accounts/").status_code == 200  # counted per key, not per IP
    assert [int(redis_client.get(c)) for c in counters()] == [4]  # counted in Redis, the refused one too


def test_anonymous_requests_are_401_everywhere_and_schema_is_public():
    client = APIClient()
    for url in ("/api/v1/accounts/", "/api/v1/kpis/", "/api/v1/posts/", "/api/v1/import-templates/daily_csv/"):
        assert_error(client.get(url), 401)
    assert client.get("/api/schema/").status_code == 200
