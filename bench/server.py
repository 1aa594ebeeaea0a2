"""The real HTTP stack: gunicorn serving the product against the bench database."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time

import requests

from socialmetrics.embedded import free_port, process_stop

from .database import ROOT


@contextlib.contextmanager
def gunicorn(
    *, database_url: str, timeout: float = 60.0, app: str = "socialmetrics.wsgi", workers: int = 1,
    worker_timeout: int = 120, env: dict | None = None, log=None, args: tuple = (),
):
    """Yields the base URL of a gunicorn (DEBUG off; one worker unless told) and stops it on exit.
    `log`: a file for its output (where gunicorn reports a worker killed by `worker_timeout`);
    `args`: more gunicorn options."""
    port = free_port()
    env = {
        **os.environ, "DATABASE_URL": database_url, "DEBUG": "false",
        "API_THROTTLE_RATE": "1000000/min",  # measure the stack, not the rate limit
        "LOG_LEVEL": "WARNING", **(env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--timeout", str(worker_timeout), "--log-level", "warning", *args],
        cwd=ROOT, env=env, stdout=log, stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}")
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or still importing
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer /healthz in time")
            time.sleep(0.2)
        yield base
    finally:
        process_stop(process, timeout=10)
