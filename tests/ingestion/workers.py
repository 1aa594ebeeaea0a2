"""Real Celery worker processes for the tests, each in a network namespace of its own where the
machine allows it (root and `ip netns`), else plain processes on this machine's loopback.

A namespace reaches nothing of this machine but what `network_namespaces` relays: the test's
PostgreSQL, Redis and platform server, over TCP through a bridge.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import socket
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]
LOOPBACK = "127.0.0.1"


def database_url(host: str | None = None) -> str:
    """The test database's URL, optionally through another address."""
    db = connection.settings_dict
    auth = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{host or db['HOST']}:{db['PORT']}/{db['NAME']}"


def worker_start(
    *, app: str, name: str, env: dict, log: Path, netns: str | None = None, pool: str = "solo"
) -> subprocess.Popen:
    """`celery worker` (solo pool, or one prefork child; every queue it knows by default), logging to
    `log`; ready when `worker_ready`."""
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        app,
        "worker",
        "-P",
        pool,
        *(["-c", "1"] if pool == "prefork" else []),
        "-n",
        f"{name}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-l",
        "INFO",
    ]
    if netns:
        command = ["ip", "netns", "exec", netns, *command]  # exec: the process is the worker itself
    with log.open("w") as out:
        return subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)


def worker_ready(worker: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while " ready." not in log.read_text():
        assert worker.poll() is None, f"worker exited:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"worker not ready after {timeout} s:\n{log.read_text()}"
        time.sleep(0.2)


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Relay(socketserver.ThreadingTCPServer):
    """address:port here → 127.0.0.1:port: the servers listen on loopback only."""

    daemon_threads = allow_reuse_address = True

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            upstream = socket.create_connection((LOOPBACK, self.server.server_address[1]))
            threading.Thread(target=_pump, args=(upstream, self.request), daemon=True).start()
            _pump(self.request, upstream)
            upstream.close()

    def __init__(self, address: str, port: int):
        super().__init__((address, port), self.Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


def namespaces_allowed() -> bool:
    if os.geteuid() != 0 or not shutil.which("ip"):
        return False
    name = f"smprobe{os.getpid()}"
    try:
        _ip("netns", "add", name)
    except subprocess.CalledProcessError:
        return False
    _ip("netns", "del", name)
    return True


@contextlib.contextmanager
def network_namespaces(count: int, ports: list[int]):
    """Yields (namespace names, the address they reach `ports` of this machine's loopback at); where
    namespaces are not allowed, ([None] * count, "127.0.0.1"). Everything is removed on exit."""
    if not namespaces_allowed():
        yield [None] * count, LOOPBACK
        return
    tag = f"{os.getpid() % 100000:05d}"
    subnet = f"10.{random.randint(64, 127)}.{random.randint(0, 255)}"  # noqa: S311 - unlikely to meet another run's
    bridge, address = f"smb{tag}", f"{subnet}.1"
    names, relays = [], []
    try:
        _ip("link", "add", bridge, "type", "bridge")
        _ip("addr", "add", f"{address}/24", "dev", bridge)
        _ip("link", "set", bridge, "up")
        for n in range(count):
            name, host_end, ns_end = f"smw{tag}{n}", f"smh{tag}{n}", f"smn{tag}{n}"
            _ip("netns", "add", name)
            names.append(name)
            _ip("link", "add", host_end, "type", "veth", "peer", "name", ns_end)
            _ip("link", "set", ns_end, "netns", name)
            _ip("link", "set", host_end, "master", bridge)
            _ip("link", "set", host_end, "up")
            _ip("-n", name, "addr", "add", f"{subnet}.{n + 2}/24", "dev", ns_end)
            _ip("-n", name, "link", "set", ns_end, "up")
            _ip("-n", name, "link", "set", "lo", "up")
        relays = [_Relay(address, port) for port in ports]
        yield names, address
    finally:
        for relay in relays:
            relay.shutdown()
            relay.server_close()
        for name in names:  # deleting a namespace deletes its veth end, and so the pair
            subprocess.run(["ip", "netns", "del", name], capture_output=True)
        subprocess.run(["ip", "link", "del", bridge], capture_output=True)
