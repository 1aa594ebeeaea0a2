"""Request latencies through HTTP: the KPI API (API key) and the overview page (session)."""

from __future__ import annotations

import datetime as dt
import math
import statistics
import time
from importlib import import_module

import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model

from accounts.models import Membership, Organization, Role
from accounts.services import api_key_create

from .scales import KPI_WINDOW_DAYS

USERNAME = "bench-viewer"


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 30 samples is the 29th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary(times: list[float]) -> dict:
    return {
        "n": len(times), "p50_ms": round(statistics.median(times), 2), "p95_ms": round(percentile(times, 0.95), 2),
        "min_ms": round(min(times), 2), "max_ms": round(max(times), 2),
    }


def kpi_windows(first_day: dt.date, last_day: dt.date, count: int) -> list[tuple[dt.date, dt.date]]:
    """`count` distinct 90-day windows sliding back a day at a time (repeated if the data is short),
    so a response cache cannot turn the measurement into cache hits."""
    slack = max(1, (last_day - first_day).days - KPI_WINDOW_DAYS + 2)
    windows = []
    for n in range(count):
        end = last_day - dt.timedelta(days=n % slack)
        windows.append((end - dt.timedelta(days=KPI_WINDOW_DAYS - 1), end))
    return windows


def api_key_for(organization: Organization) -> str:
    return api_key_create(organization=organization, name=f"bench {dt.datetime.now():%Y-%m-%d %H:%M:%S}")[1]


def kpi_api_times(*, base_url: str, api_key: str, windows, granularity: str) -> tuple[list[float], dict]:
    """Milliseconds per window (two warm-ups first); raises on any non-200 answer."""
    session = requests.Session()
    session.headers["Authorization"] = f"Api-Key {api_key}"
    times, first = [], None
    for n, (start, end) in enumerate([windows[0], windows[0], *windows]):
        started = time.perf_counter()
        response = session.get(
            f"{base_url}/api/v1/kpis/",
            params={"start": start.isoformat(), "end": end.isoformat(), "granularity": granularity}, timeout=120,
        )
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"GET /api/v1/kpis/ answered {response.status_code}: {response.text[:300]}")
        if n >= 2:
            times.append(elapsed)
        first = first or response.json()
    return times, first


def login_cookie(organization: Organization) -> dict:
    """A logged-in session for a member of `organization`, as the login view would create it."""
    user, _ = get_user_model().objects.get_or_create(username=USERNAME)
    Membership.objects.get_or_create(user=user, organization=organization, defaults={"role": Role.OWNER})
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return {settings.SESSION_COOKIE_NAME: store.session_key}


def page_times(*, base_url: str, path: str, cookies: dict, requests_count: int) -> list[float]:
    """Milliseconds per GET of a logged-in page (two warm-ups first); raises unless it renders (200)."""
    times = []
    for n in range(requests_count + 2):
        started = time.perf_counter()
        response = requests.get(f"{base_url}{path}", cookies=cookies, allow_redirects=False, timeout=120)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
        if n >= 2:
            times.append(elapsed)
    return times
