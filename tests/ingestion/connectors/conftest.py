"""A real local HTTP server that replays scripted platform answers, and records every request."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Reply:
    body: object = None  # JSON-encoded unless `raw` is given
    status: int = 200
    raw: bytes | None = None
    delay: float = 0.0


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self):
        return json.loads(self.body) if self.body else None

    @property
    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class PlatformServer:
    """Routes map (method, path) to a queue of answers: each call takes the next, the last one repeats.

    An answer is a JSON-able object, a `Reply`, or a function of the `Seen` request returning either.
    """

    url: str = ""
    routes: dict[tuple[str, str], list] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    def add(self, method: str, path: str, *answers) -> None:
        self.routes[(method, path)] = list(answers)

    def calls(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    def answer(self, request: Seen) -> Reply:
        queue = self.routes.get((request.method, request.path))
        if not queue:
            return Reply({"error": f"no route for {request.method} {request.path}"}, status=404)
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if callable(answer):
            answer = answer(request)
        return answer if isinstance(answer, Reply) else Reply(answer)


def _handler(server_state: PlatformServer):
    class Handler(BaseHTTPRequestHandler):
        def _serve(self):
            parts = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            request = Seen(
                method=self.command, path=parts.path,
                query={k: v[0] for k, v in parse_qs(parts.query).items()},
                headers={k.lower(): v for k, v in self.headers.items()}, body=body,
            )
            server_state.seen.append(request)
            reply = server_state.answer(request)
            if reply.delay:
                time.sleep(reply.delay)
            data = reply.raw if reply.raw is not None else json.dumps(reply.body, ensure_ascii=False).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        do_GET = do_POST = _serve

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def platform_server():
    state = PlatformServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def fast_retries(settings):
    """Retries keep their policy but wait milliseconds, and a hung server times out quickly."""
    settings.PLATFORM_RETRY_WAIT = 0.01
    settings.PLATFORM_HTTP_TIMEOUT = 0.5
