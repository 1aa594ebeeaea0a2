"""Ingest throughput: the product's upsert path vs a raw COPY of the same rows, same database.

Fresh accounts in their own organization receive full-history batches through
`metrics_write` (new rows), then the same batches again (every row conflicts, nothing
changes). The rows they produced are then COPYed, in one transaction, into empty copies of
their tables, partitioned like them (the same months), with the same indexes, constraints,
foreign keys and triggers: the physical limit
of writing them on this server. A bare copy (`LIKE … INCLUDING ALL` alone: no foreign keys,
no triggers) is reported beside it. Everything is removed afterwards, so the scale's cached
dataset is left as it was.
"""

from __future__ import annotations

import io
import statistics
import time

from django.db import connection, transaction

from accounts.models import Organization
from accounts.services import account_create, organization_create
from ingestion.services import metrics_write

from .generate import PLATFORMS, account_batch

ORG_SLUG = "bench-ingest"
FIRST_INDEX = 900_000  # account indexes far from the dataset's
# Each table with the query selecting the measured accounts' rows in it.
TABLES = {
    "analytics_accountdailymetric": "account_id IN ({ids})",
    "analytics_post": "account_id IN ({ids})",
    "analytics_postdailymetric": "post_id IN (SELECT id FROM analytics_post WHERE account_id IN ({ids}))",
    "analytics_campaigndailymetric": "account_id IN ({ids})",
}


def _cleanup() -> None:
    organization_remove(ORG_SLUG)


def organization_remove(slug: str) -> None:
    """Remove a measurement's organization with set-based deletes (the ORM cascade is per row)."""
    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        return
    ids = ",".join(str(pk) for pk in org.accounts.values_list("pk", flat=True)) or "NULL"
    with transaction.atomic(), connection.cursor() as cursor:
        for table in ("analytics_postdailymetric", "analytics_campaigndailymetric", "analytics_accountdailymetric",
                      "analytics_post"):
            cursor.execute(f"DELETE FROM {table} WHERE {TABLES[table].format(ids=ids)}")
        cursor.execute("DELETE FROM analytics_campaign WHERE organization_id = %s", [org.pk])
        org.delete()


def _timed_writes(pairs) -> float:
    started = time.perf_counter()
    for account, batch in pairs:
        metrics_write(account=account, batch=batch)
    return time.perf_counter() - started


def _faithful_copy_sql(cursor, table: str) -> list[str]:
    """The foreign keys and triggers of `table` for its copy: `LIKE … INCLUDING ALL` leaves both out,
    yet every write to the real table pays for them (a deferred key check per row at commit)."""
    cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
                   [table])
    statements = [f"ALTER TABLE bench_copy_{table} ADD {definition}" for (definition,) in cursor.fetchall()]
    cursor.execute("SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                   [table])
    statements += [definition.replace(f" ON public.{table} ", f" ON bench_copy_{table} ")
                   for (definition,) in cursor.fetchall()]
    return statements


def _empty_copy_sql(cursor, table: str) -> list[str]:
    """An empty copy of `table` with its columns, keys and indexes, partitioned like it (the same
    months): the fact tables' rows are routed to their partitions on either side."""
    cursor.execute("SELECT pg_get_partkeydef(%s::regclass)", [table])
    key = cursor.fetchone()[0]
    copy = f"bench_copy_{table}"
    statements = [f"CREATE TABLE {copy} (LIKE {table} INCLUDING ALL)" + (f" PARTITION BY {key}" if key else "")]
    if key:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
            [table],
        )
        statements += [f"CREATE TABLE bench_copy_{name} PARTITION OF {copy} {bound}" for name, bound in cursor.fetchall()]
    return statements


def _copy_limit(ids: str, *, faithful: bool) -> tuple[float, int]:
    """Seconds to COPY the measured accounts' rows into empty copies of their tables, in one
    transaction; `faithful` copies also carry the tables' foreign keys and triggers."""
    payloads = {}
    with connection.cursor() as cursor:
        for table, where in TABLES.items():
            buffer = io.StringIO()
            cursor.cursor.copy_expert(f"COPY (SELECT * FROM {table} WHERE {where.format(ids=ids)}) TO STDOUT", buffer)
            payloads[table] = buffer
            cursor.execute(f"DROP TABLE IF EXISTS bench_copy_{table}")
            for statement in _empty_copy_sql(cursor, table):
                cursor.execute(statement)
            for statement in _faithful_copy_sql(cursor, table) if faithful else ():
                cursor.execute(statement)
    rows = sum(buffer.getvalue().count("\n") for buffer in payloads.values())
    try:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            for table, buffer in payloads.items():
                buffer.seek(0)
                cursor.cursor.copy_expert(f"COPY bench_copy_{table} FROM STDIN", buffer)
        seconds = time.perf_counter() - started
    finally:
        with connection.cursor() as cursor:
            for table in payloads:
                cursor.execute(f"DROP TABLE IF EXISTS bench_copy_{table}")
    return seconds, rows


def _round(*, accounts: int, days: int, first_day) -> tuple[int, float, float, float, float]:
    """One measurement: (rows, seconds new, seconds re-ingest, seconds COPY, seconds bare COPY),
    leaving nothing behind."""
    _cleanup()
    try:
        org = organization_create(slug=ORG_SLUG, name="基准写入测量")
        pairs = []
        for n in range(accounts):
            index = FIRST_INDEX + n
            account = account_create(
                organization=org, platform=PLATFORMS[n % len(PLATFORMS)], external_id=f"acct-{index}", name=f"写入 {n}"
            )
            pairs.append((account, account_batch(index=index, platform=account.platform, first_day=first_day, days=days)))
        rows = sum(len(batch) for _, batch in pairs)
        new_seconds = _timed_writes(pairs)
        reingest_seconds = _timed_writes(pairs)
        ids = ",".join(str(account.pk) for account, _ in pairs)
        copy_seconds, copy_rows = _copy_limit(ids, faithful=True)
        bare_seconds, _ = _copy_limit(ids, faithful=False)
        if copy_rows != rows:
            raise RuntimeError(f"COPY moved {copy_rows} rows but the batches held {rows}")
    finally:
        _cleanup()
    return rows, new_seconds, reingest_seconds, copy_seconds, bare_seconds


def ingest_measure(*, accounts: int, days: int, first_day, rounds: int = 5) -> dict:
    """Rows/s of new-row ingest, re-ingest and raw COPY for `accounts` fresh accounts × `days`:
    the median of `rounds` interleaved rounds after one discarded warm-up round, so a burst of
    load on a shared machine (or a checkpoint) hits both sides and cold caches hit neither."""
    _round(accounts=accounts, days=days, first_day=first_day)
    samples = [_round(accounts=accounts, days=days, first_day=first_day) for _ in range(rounds)]
    rows = samples[0][0]
    new, reingest, copy, bare = (statistics.median(rows / sample[i] for sample in samples) for i in (1, 2, 3, 4))

    def ratio(side: int, yardstick: int = 3) -> float:  # paired per round: slow drift cancels out
        return round(statistics.median(sample[yardstick] / sample[side] for sample in samples), 3)

    return {
        "ingest_rows": rows,
        "ingest_rounds": rounds,
        "ingest_new_rows_per_s": round(new),
        "ingest_reingest_rows_per_s": round(reingest),
        "copy_rows_per_s": round(copy),
        # Into copies without the foreign keys and triggers of the real tables.
        "copy_bare_rows_per_s": round(bare),
        "ingest_new_ratio_vs_bare_copy": ratio(1, yardstick=4),
        "ingest_new_ratio": ratio(1),
        "ingest_reingest_ratio": ratio(2),
    }
