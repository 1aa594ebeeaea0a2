"""One database per scale on the configured server, created and migrated by the harness."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

ROOT = Path(__file__).resolve().parent.parent


def server_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        from socialmetrics import embedded  # noqa: PLC0415 - only when no server is configured

        url = embedded.postgres_url()
    return url


def database_url(name: str) -> str:
    """DATABASE_URL with its database name replaced."""
    parts = urlsplit(server_url())
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_ensure(name: str, *, log=print) -> str:
    """Create the database if it is missing and migrate it; returns its URL."""
    admin = psycopg2.connect(database_url("postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            log(f"creating database {name}")
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    url = database_url(name)
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True,
    )
    if result.returncode:
        raise RuntimeError(f"migrating {name} failed:\n{result.stderr}")
    return url
