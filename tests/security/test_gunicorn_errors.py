"""Issue 22.6: gunicorn's own errors (an over-long request line) answer the API's JSON body."""

import socket
from urllib.parse import urlsplit

import pytest
import requests

from .conftest import gunicorn

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_overlong_request_line_is_a_json_414(own_redis):
    with gunicorn(redis_url=own_redis.url) as base:
        response = requests.get(f"{base}/api/v1/kpis/?start=2026-10-01&x={'a' * 5000}", timeout=30)
        url = urlsplit(base)
        with socket.create_connection((url.hostname, url.port), timeout=10) as raw:
            raw.sendall(b"GET /api/v1/accounts/ HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Big: b\r\n" * 150 + b"\r\n")
            too_many_headers = raw.recv(4096).decode("latin1")
    assert response.status_code == 414
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["code"] == "uri_too_long"
    assert "Content-Type: application/json" in too_many_headers.split("\r\n\r\n")[0]
