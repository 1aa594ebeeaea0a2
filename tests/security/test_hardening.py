"""Issue 22.6: cookies, CSP, sessions, login lockout, JSON errors under /api/."""

import pytest
from django.test import Client

from analytics import selectors
from tests.api.conftest import key_client
from tests.factories import MembershipFactory, OrganizationFactory
from tests.test_settings import python

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"


def test_every_response_carries_a_csp_without_inline_script(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "Content-Security-Policy" in client.get("/api/v1/accounts/")


def test_api_docs_need_no_inline_script(client):
    html = client.get("/api/docs/").content.decode()
    assert "<script>" not in html  # the init script is a separate file the CSP allows
    assert client.get("/api/docs/?script=")["Content-Type"].startswith("application/javascript")


def test_sessions_last_a_working_day_by_default(settings):
    assert settings.SESSION_COOKIE_AGE <= 24 * 60 * 60


def _user(username):
    membership = MembershipFactory(user__username=username, organization=OrganizationFactory())
    membership.user.set_password(PASSWORD)
    membership.user.save()
    return membership.user


def _login(username, password, ip):
    return Client(REMOTE_ADDR=ip).post("/accounts/login/", {"username": username, "password": password})


def test_a_username_is_locked_out_whatever_ips_the_failures_come_from(settings):
    _user("alice")
    codes = [_login("alice", "wrong", f"10.0.0.{n + 1}").status_code for n in range(settings.AXES_FAILURE_LIMIT)]
    assert codes == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert _login("alice", PASSWORD, "10.0.1.99").status_code == 429  # the right password, too late


def test_an_ip_spraying_usernames_is_locked_out(settings):
    _user("bob")
    codes = [_login(f"nobody{n}", "123456", "10.9.9.9").status_code for n in range(settings.AXES_FAILURE_LIMIT)]
    assert codes == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert _login("bob", PASSWORD, "10.9.9.9").status_code == 429
    assert _login("bob", PASSWORD, "10.9.9.10").status_code == 302  # bob himself is not locked out


@pytest.fixture
def production_errors(settings):
    settings.DEBUG = False


def test_a_server_error_under_api_is_json(production_errors, monkeypatch):
    def bug(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(selectors, "kpi_report", bug)
    client = key_client(OrganizationFactory())
    client.raise_request_exception = False
    response = client.get("/api/v1/kpis/", {"start": "2026-10-01", "end": "2026-10-31"})
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["code"] == "server_error"


def test_unknown_paths_under_api_are_json_and_pages_stay_html(production_errors, client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["type"] == "client_error"
    assert client.get("/nothing-here/").headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(("debug", "secure"), [("false", "True True True"), ("true", "False False False")])
def test_cookies_are_secure_whenever_debug_is_off(debug, secure):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.LANGUAGE_COOKIE_SECURE)"
    )
    result = python(code, DEBUG=debug, DATABASE_URL="postgres://u@db.example/x", REDIS_URL="redis://cache:6379/1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == secure
