"""Issue 22.5: the rate limit holds under concurrent requests (counted atomically in Redis)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from accounts.services import api_key_create
from tests.factories import OrganizationFactory

from .conftest import gunicorn

pytestmark = pytest.mark.django_db(transaction=True)
LIMIT = 20


def test_concurrent_requests_never_get_past_the_limit(own_redis):
    organization = OrganizationFactory()
    _, key = api_key_create(organization=organization, name="agency")
    headers = {"Authorization": f"Api-Key {key}"}
    # A day-long window: the test cannot straddle two of them.
    with gunicorn(
        redis_url=own_redis.url, extra_env={"API_THROTTLE_RATE": f"{LIMIT}/day"}, args=("--threads", "16")
    ) as base:
        session = requests.Session()
        session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=32))

        def hit(_):
            response = session.get(f"{base}/api/v1/accounts/", headers=headers, timeout=60)
            return response.status_code, response.headers.get("Retry-After"), response.headers.get("Content-Type")

        with ThreadPoolExecutor(max_workers=32) as pool:
            answers = list(pool.map(hit, range(120)))
    codes = [code for code, _, _ in answers]
    assert codes.count(200) == LIMIT, codes
    assert codes.count(429) == 120 - LIMIT
    refused = [a for a in answers if a[0] == 429]
    assert all(int(retry) > 0 and kind.startswith("application/json") for _, retry, kind in refused)
