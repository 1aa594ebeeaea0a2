"""Issue 22.3: with Redis stopped the API keeps serving reads; writes that need the queue answer 503."""

import time

import pytest
import requests

from accounts.services import api_key_create
from ingestion.models import IngestionRun, RunStatus
from tests.api.conftest import key_client
from tests.factories import OrganizationFactory, SocialAccountFactory

from .conftest import gunicorn

pytestmark = pytest.mark.django_db(transaction=True)


def test_reads_are_served_and_sync_answers_503_without_leaving_a_run(own_redis):
    organization = OrganizationFactory()
    account = SocialAccountFactory(organization=organization, credentials={"appid": "wx-down", "secret": "s"})
    _, key = api_key_create(organization=organization, name="agency")
    headers = {"Authorization": f"Api-Key {key}"}
    with gunicorn(redis_url=own_redis.url) as base:
        assert requests.get(f"{base}/api/v1/accounts/", headers=headers, timeout=30).status_code == 200
        own_redis.stop()

        began = time.monotonic()
        for path in ("/api/v1/accounts/", f"/api/v1/accounts/{account.pk}/", "/api/v1/ingestion-runs/"):
            response = requests.get(f"{base}{path}", headers=headers, timeout=30)
            assert response.status_code == 200, (path, response.status_code, response.text[:300])
        assert time.monotonic() - began < 10  # short socket timeouts: a dead Redis costs little per request

        began = time.monotonic()
        response = requests.post(
            f"{base}/api/v1/accounts/{account.pk}/sync/",
            headers=headers,
            timeout=30,
            json={"start": "2026-10-01", "end": "2026-10-07"},
        )
        elapsed = time.monotonic() - began
    assert response.status_code == 503, response.text[:500]
    assert response.headers["Content-Type"].startswith("application/json")
    assert int(response.headers["Retry-After"]) > 0
    assert response.json()["errors"][0]["code"] == "queue_unavailable"
    assert elapsed < 8
    assert not IngestionRun.objects.filter(account=account, status=RunStatus.QUEUED).exists()


@pytest.mark.django_db
def test_throttle_fails_open_and_says_so_in_the_log(settings, caplog, own_redis):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "1/min"}}
    settings.REDIS_URL = own_redis.url
    own_redis.stop()
    client = key_client(OrganizationFactory())
    assert [client.get("/api/v1/accounts/").status_code for _ in range(3)] == [200, 200, 200]
    assert "throttle: Redis unavailable, request let through" in caplog.text
