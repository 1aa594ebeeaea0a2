"""A tiny fake platform for the sync tests: a local HTTP server and a connector that reads it.

The server answers `GET /days?account=&start=&end=` with deterministic daily numbers; a
test can script, per account, the answers of the next requests (HTTP 500, 401, 429, a
malformed body, or a float: seconds to wait before answering) and read back every request
the server saw. The connector is registered under its own platform value, so it never
replaces a real platform's connector.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import requests

from ingestion.connectors.base import (
    AuthError,
    Connector,
    PlatformDataError,
    QuotaExceeded,
    TransientError,
    register,
)
from ingestion.records import AccountDay, Batch, PostDay, PostInfo

PLATFORM = "testhttp"


def day_numbers(account: str, day: dt.date) -> dict:
    """What the fake platform reports for `account` on `day` (tests recompute it to check rows)."""
    n = day.toordinal() % 1000
    return {"date": day.isoformat(), "followers": 10_000 + n, "views": 500 + 7 * n, "likes": 40 + n % 13,
            "post": f"{account}-p{day:%m%d}", "post_views": 100 + n}


class FakePlatform:
    def __init__(self):
        self.script: dict[str, list] = defaultdict(list)  # account -> answers for its next requests
        self.requests: list[str] = []
        self._lock = threading.Lock()
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
                account = query.get("account", "")
                with platform._lock:
                    platform.requests.append(account)
                    answer = platform.script[account].pop(0) if platform.script[account] else 200
                if isinstance(answer, float):  # a slow answer: this many seconds, then the numbers
                    time.sleep(answer)
                    answer = 200
                if answer == "malformed":
                    self._send(200, b'{"days": [{"date": "2026-13-45"')
                elif answer != 200:
                    self._send(answer, json.dumps({"error": f"scripted {answer}"}).encode())
                else:
                    start, end = dt.date.fromisoformat(query["start"]), dt.date.fromisoformat(query["end"])
                    days = [day_numbers(account, start + dt.timedelta(i)) for i in range((end - start).days + 1)]
                    self._send(200, json.dumps({"days": days}).encode())

            def _send(self, status: int, body: bytes):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def requests_for(self, account: str) -> int:
        with self._lock:
            return self.requests.count(account)


@register
class FakePlatformConnector(Connector):
    platform = PLATFORM

    def fetch(self, start: dt.date, end: dt.date) -> Batch:
        base = self.account.credentials["base_url"]
        params = {"account": self.account.external_id, "start": start.isoformat(), "end": end.isoformat()}
        try:
            response = requests.get(f"{base}/days", params=params, timeout=5)
        except requests.RequestException as exc:
            raise TransientError(f"{PLATFORM} /days: {exc}") from exc
        if response.status_code >= 500:
            raise TransientError(f"{PLATFORM} /days: HTTP {response.status_code}")
        if response.status_code == 401:
            raise AuthError(f"{PLATFORM} /days: access token rejected (HTTP 401)")
        if response.status_code == 429:
            raise QuotaExceeded(f"{PLATFORM} /days: daily quota used up (HTTP 429)")
        try:
            days = response.json()["days"]
            batch = Batch()
            for d in days:
                date = dt.date.fromisoformat(d["date"])
                batch.account_days.append(
                    AccountDay(date=date, followers=d["followers"], views=d["views"], likes=d["likes"])
                )
                batch.post_days.append(PostDay(post=PostInfo(external_id=d["post"], title=d["post"]), date=date,
                                               views=d["post_views"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise PlatformDataError(f"{PLATFORM} /days: malformed answer: {exc!r}") from exc
        return batch

