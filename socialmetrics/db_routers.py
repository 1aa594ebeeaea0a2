"""Dashboard and API reads of the analytics tables from a PostgreSQL streaming replica
(DATABASE_REPLICA_URL); every write, every read inside a transaction or after a write, and
every other read (sessions, users, API keys, accounts: small, and they must be fresh) from
the primary. Writes elsewhere (an API key's last use) do not end a request's replica reads.

Reads go to the replica only inside `replica_reads()`, which `ReplicaReadsMiddleware` opens
for GET/HEAD/OPTIONS requests; tasks and commands always use the primary.
"""

from __future__ import annotations

import contextlib
import contextvars

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
REPLICA_APPS = {"analytics"}
_replica_reads = contextvars.ContextVar("replica_reads", default=False)


@contextlib.contextmanager
def replica_reads():
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def read_alias() -> str:
    """Where an analytics read goes now (raw SQL in analytics.frames asks this too)."""
    if _replica_reads.get() and REPLICA in connections.settings and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return REPLICA
    return DEFAULT_DB_ALIAS


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        return read_alias() if model._meta.app_label in REPLICA_APPS else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        if model._meta.app_label in REPLICA_APPS:
            _replica_reads.set(False)  # from here on this request reads its own writes
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, **hints):
        return db == DEFAULT_DB_ALIAS


class ReplicaReadsMiddleware:
    SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in self.SAFE_METHODS:
            return self.get_response(request)
        with replica_reads():
            return self.get_response(request)
