import re
from io import StringIO

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import api_key_create
from tests.factories import OrganizationFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db


def test_schema_is_valid_openapi_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out), stdout=StringIO())
    text = out.read_text()
    assert text.startswith("openapi: 3")
    for path in ("/api/v1/kpis/", "/api/v1/accounts/{id}/imports/", "/api/v1/accounts/{id}/sync/", "/api/v1/posts/"):
        assert f"  {path}:" in text
    assert "ApiKeyAuth" in text


def test_schema_and_docs_need_no_login_and_use_only_local_files():
    client = APIClient()
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html) + re.findall(r"""url:\s*["']([^"']+)["']""", html)
    assert any("swagger-ui" in url for url in urls), urls
    for url in urls:
        assert url.startswith("/"), f"the docs page loads {url} from outside the app"
        assert not url.startswith("//")
    assert "http://" not in html
    assert "https://" not in html
    for url in urls:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), f"{url} is not a local static file"


@pytest.fixture
def api_schema(db):
    from socialmetrics.wsgi import application

    # As Django's test client does: a request must not close the test's (transactional) connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def agency_headers(db):
    organization = OrganizationFactory()
    SocialAccountFactory(organization=organization)
    _, key = api_key_create(organization=organization, name="schemathesis")
    return {"Authorization": f"Api-Key {key}"}


@pytest.mark.slow
def test_api_conforms_to_its_schema(api_schema, agency_headers):
    """Schemathesis generates requests for every operation: no 500, and every answer matches the schema."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 15
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=10, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def conforms(case):
            case.call_and_validate(headers=agency_headers, checks=checks)

        conforms()
