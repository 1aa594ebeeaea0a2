"""One local HTTP server for every platform, routed by path, with fault injection.

The platforms' paths do not collide, so every `*_API_BASE` points at the server's root plus
the suffix its module names in `API_BASES` (`XHS_ADS_API_BASE`: `<root>/api/open`, like the real base).

Control endpoints (JSON):
- `POST /_sandbox/faults` `{"platform": "douyin"|"*", "fault": one of FAULTS, "count": n,
  "path": "substring"?, "delay": seconds?}` queues a fault for the next n matching requests
  (by default data requests, not token requests); `GET` lists, `DELETE` clears them.
  A single request can also ask for one with `?_fault=<fault>`.
- `POST /_sandbox/clock` `{"today": "YYYY-MM-DD"|null}` moves the sandbox's "today", so
  snapshot APIs (Weibo, Bilibili) can be replayed night by night.
- `GET /_sandbox/state` seed, today, pending faults and request counts per path.

The platforms' OAuth authorisation pages (`auth.AUTHORIZE_PATHS`) are served too, for reconnects.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import import_module
from urllib.parse import parse_qs, urlsplit

from accounts.platforms import PLATFORMS as SPECS

from . import auth
from .protocol import FAULTS, BadRequest, Fault, Reply, Request, State, emptied, parse_date, stringify

# One sandbox module per registered platform (accounts/platforms.py), routed by path prefix.
PLATFORMS = tuple(import_module(f"ingestion.sandbox.{spec.module}") for spec in SPECS)
CONTROL = "/_sandbox/"


def platform_for(path: str):
    return next((module for module in PLATFORMS if path.startswith(module.PREFIXES)), None)


def api_bases(root: str) -> dict[str, str]:
    """The settings / environment variables that point every connector at a sandbox at `root`."""
    return {name: root + suffix for module in PLATFORMS for name, suffix in module.API_BASES.items()}


def _encode(payload) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the connectors' sessions expect
    disable_nagle_algorithm = True  # else every keep-alive answer waits ~40 ms for a delayed ACK
    server: SandboxHTTPServer

    def do_GET(self):
        self._serve()

    def do_POST(self):
        self._serve()

    def do_DELETE(self):
        self._serve()

    def log_message(self, format, *args):
        if self.server.verbose:
            super().log_message(format, *args)

    def _serve(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        state = self.server.state
        request = Request(self.command, url.path, query, self.headers, body, state)
        with state.lock:
            state.requests[url.path] = state.requests.get(url.path, 0) + 1
        if url.path.startswith(CONTROL):
            reply = _control(request)
            return self._send(reply.status, _encode(reply.payload))
        if url.path in auth.AUTHORIZE_PATHS:  # an HTML page the user's browser visits, not an API
            status, body, headers = auth.authorize(request)
            return self._send(status, body, headers.pop("Content-Type"), headers)
        module = platform_for(url.path)
        if module is None:
            return self._send(404, b'{"error":"no sandbox platform serves this path"}')
        fault = query.pop("_fault", None)
        pending = None if fault else state.take_fault(module.NAME, url.path, url.path in module.TOKEN_PATHS)
        if pending:
            fault = pending.fault
        if fault == "timeout":
            time.sleep(pending.delay if pending else 3.0)
            self.close_connection = True  # hang up without an answer
            return
        if fault == "http_500":
            return self._send(500, b"<html><body><h1>500 Internal Server Error</h1></body></html>", "text/html")
        if fault in ("token_expired", "rate_limit", "busy"):
            reply = module.error(fault, request)
        else:
            try:
                reply = module.handle(request)
            except BadRequest as exc:
                reply = module.error("bad_request", request, str(exc))
        payload = reply.payload
        if fault == "strings":
            payload = stringify(payload)
        elif fault == "empty":
            payload = emptied(payload)
        body = _encode(payload)
        if fault == "malformed_json":
            body = body[: len(body) // 2]
        self._send(reply.status, body)

    def _send(self, status: int, body: bytes, content_type: str = "application/json; charset=utf-8",
              headers: dict[str, str] | None = None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _control(request: Request) -> Reply:
    state, action = request.state, request.path.removeprefix(CONTROL).strip("/")
    try:
        if action == "faults" and request.method == "POST":
            body = request.json()
            platform, fault = body.get("platform"), body.get("fault")
            if platform != "*" and platform not in {m.NAME for m in PLATFORMS}:
                raise BadRequest(f"platform must be '*' or one of {', '.join(m.NAME for m in PLATFORMS)}")
            if fault not in FAULTS:
                raise BadRequest(f"fault must be one of {', '.join(FAULTS)}")
            count = int(body.get("count", 1))
            with state.lock:
                state.faults.append(Fault(platform, fault, count, str(body.get("path", "")),
                                          float(body.get("delay", 3.0))))
        elif action == "faults" and request.method == "DELETE":
            with state.lock:
                state.faults.clear()
        elif action == "clock" and request.method == "POST":
            today = request.json().get("today")
            state.today_override = parse_date(today, "today") if today else None
        elif action not in ("faults", "state") or request.method != "GET":
            return Reply({"error": f"unknown control endpoint {request.method} {request.path}"}, status=404)
    except (BadRequest, TypeError, ValueError) as exc:
        return Reply({"error": str(exc)}, status=400)
    with state.lock:
        return Reply({
            "seed": state.seed, "today": state.today().isoformat(),
            "faults": [vars(f) for f in state.faults], "requests": dict(sorted(state.requests.items())),
        })


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, state: State, verbose: bool = False):
        super().__init__(address, Handler)
        self.state, self.verbose = state, verbose


class Sandbox:
    """The sandbox server; `with Sandbox(seed=1) as sandbox:` serves it on a free port in a thread."""

    def __init__(self, *, seed: int = 1, host: str = "127.0.0.1", port: int = 0, verbose: bool = False):
        self.state = State(seed=seed)
        self.httpd = SandboxHTTPServer((host, port), self.state, verbose)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.httpd.server_address[0]}:{self.port}"

    def api_bases(self) -> dict[str, str]:
        return api_bases(self.url)

    def start(self) -> Sandbox:
        # A short poll interval: tests start and stop a sandbox each, and stop() waits for one poll.
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="platform-sandbox", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
