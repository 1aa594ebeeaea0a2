"""Monthly range partitions of the three daily fact tables (PostgreSQL declarative partitioning).

Each table is partitioned by `date`, one partition per calendar month (`<table>_pYYYYMM`), plus
a DEFAULT partition that takes any day no month exists for yet, so no write ever fails for want
of a partition. The daily `partitions_ensure` task (ingestion's beat schedule) creates the months
ahead and moves rows that landed in the default partition into months of their own, so queries
over a window read only that window's months.

Everything here is column-agnostic: a table is rebuilt from its own catalog entries (columns,
defaults, checks, keys, indexes, triggers), so migrations that add columns may run before or after.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection, transaction

from accounts.calendar import local_today

FACT_TABLES = ("analytics_accountdailymetric", "analytics_postdailymetric", "analytics_campaigndailymetric")
PARTITION_COLUMN = "date"
# Months created ahead of today, so the nightly writes never wait on a partition.
MONTHS_AHEAD = 3


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def months_after(month: dt.date, n: int) -> dt.date:
    for _ in range(n):
        month = next_month(month)
    return month


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the months from `first`'s to `last`'s, both included."""
    month, result = month_start(first), []
    while month <= last:
        result.append(month)
        month = next_month(month)
    return result


def partition_name(table: str, month: dt.date) -> str:
    return f"{table}_p{month:%Y%m}"


def default_partition_name(table: str) -> str:
    return f"{table}_default"


def _month_partition_create(cursor, table: str, month: dt.date) -> None:
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {partition_name(table, month)} PARTITION OF {table} "
        f"FOR VALUES FROM ('{month.isoformat()}') TO ('{next_month(month).isoformat()}')"
    )


def partitioned_months(cursor, table: str) -> set[dt.date]:
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
        [table],
    )
    found = set()
    for (name,) in cursor.fetchall():
        match = re.fullmatch(rf"{table}_p(\d{{4}})(\d{{2}})", name)
        if match:
            found.add(dt.date(int(match[1]), int(match[2]), 1))
    return found


def _default_rows_distribute(cursor, table: str) -> int:
    """Give the months found in the default partition partitions of their own and move their rows
    there (PostgreSQL refuses a new partition while the default one holds rows of its range)."""
    default = default_partition_name(table)
    cursor.execute(f"SELECT DISTINCT date_trunc('month', {PARTITION_COLUMN})::date FROM {default}")
    stranded = sorted(month for (month,) in cursor.fetchall())
    if not stranded:
        return 0
    cursor.execute(f"ALTER TABLE {table} DETACH PARTITION {default}")
    for month in stranded:
        _month_partition_create(cursor, table, month)
    cursor.execute(f"INSERT INTO {table} SELECT * FROM {default}")
    moved = cursor.rowcount
    cursor.execute(f"DELETE FROM {default}")  # not TRUNCATE: the moved rows have deferred key checks pending
    cursor.execute(f"ALTER TABLE {table} ATTACH PARTITION {default} DEFAULT")
    return moved


def partitions_ensure(*, today: dt.date | None = None, first: dt.date | None = None) -> dict[str, int]:
    """Create every fact table's monthly partitions from `first` (default: this month) through
    MONTHS_AHEAD months after `today`'s, and move default-partition rows to their months.
    Returns, per table, how many partitions it gained. Idempotent."""
    today = today or local_today()
    wanted = months(first or today, months_after(month_start(today), MONTHS_AHEAD))
    created = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for table in FACT_TABLES:
            before = partitioned_months(cursor, table)
            _default_rows_distribute(cursor, table)
            for month in wanted:
                if month not in before:
                    _month_partition_create(cursor, table, month)
            created[table] = len(partitioned_months(cursor, table) - before)
    return created


# --- Converting a table (the migration) ----------------------------------------------------


def _with_partition_column(definition: str) -> str:
    """A PRIMARY KEY / UNIQUE definition with the partition column appended when it lacks it:
    PostgreSQL requires it in every unique key of a partitioned table."""
    match = re.fullmatch(r"(.*?\()([^)]*)(\).*)", definition)
    columns = [column.strip() for column in match[2].split(",")]
    if PARTITION_COLUMN in columns:
        return definition
    return f"{match[1]}{', '.join([*columns, PARTITION_COLUMN])}{match[3]}"


def _without_partition_column(definition: str) -> str:
    """The inverse, for the primary key only (unique keys keep the column they were declared with)."""
    return re.sub(rf",\s*{PARTITION_COLUMN}\)", ")", definition) if definition.startswith("PRIMARY KEY") else definition


def _catalog(cursor, table: str) -> dict:
    """What the rebuilt table must get back, as SQL read from the catalog."""
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f', 'x') ORDER BY contype DESC, conname",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)",
        [table],
    )
    indexes = [definition for (definition,) in cursor.fetchall()]
    cursor.execute(
        "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table]
    )
    triggers = [definition for (definition,) in cursor.fetchall()]
    cursor.execute(
        "SELECT a.attname FROM pg_attribute a WHERE a.attrelid = %s::regclass AND a.attnum > 0 "
        "AND NOT a.attisdropped AND pg_get_serial_sequence(%s, a.attname) IS NOT NULL",
        [table, table],
    )
    serials = [name for (name,) in cursor.fetchall()]
    return {"constraints": constraints, "indexes": indexes, "triggers": triggers, "serials": serials}


def table_rebuild(cursor, table: str, *, partitioned: bool, today: dt.date) -> None:
    """Rebuild `table` as a partitioned table (by month of PARTITION_COLUMN) or back as a plain one,
    keeping its rows, columns, defaults, keys, foreign keys, indexes and triggers."""
    catalog = _catalog(cursor, table)
    old = f"{table}_unpartitioned" if partitioned else f"{table}_partitioned"
    cursor.execute(f"ALTER TABLE {table} RENAME TO {old}")
    # Index-backed names (keys, indexes) are unique per schema: free them for the new table.
    for name, kind, _ in catalog["constraints"]:
        if kind in "pux":
            cursor.execute(f'ALTER TABLE {old} DROP CONSTRAINT "{name}"')
    cursor.execute("SELECT i.indexrelid::regclass::text FROM pg_index i WHERE i.indrelid = %s::regclass", [old])
    for (index,) in cursor.fetchall():
        cursor.execute(f"DROP INDEX {index}")
    cursor.execute(
        f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED "
        f"INCLUDING STORAGE INCLUDING COMMENTS)" + (f" PARTITION BY RANGE ({PARTITION_COLUMN})" if partitioned else "")
    )
    if partitioned:
        cursor.execute(f"SELECT min({PARTITION_COLUMN}) FROM {old}")
        first = cursor.fetchone()[0] or today
        for month in months(first, months_after(month_start(today), MONTHS_AHEAD)):
            _month_partition_create(cursor, table, month)
        cursor.execute(f"CREATE TABLE {default_partition_name(table)} PARTITION OF {table} DEFAULT")
    cursor.execute(f"INSERT INTO {table} SELECT * FROM {old}")
    # Identity columns are not portable to partitioned tables before PostgreSQL 17: a sequence
    # owned by the new column carries on numbering where the old one stopped.
    last_values = {}
    for column in catalog["serials"]:
        cursor.execute(f"SELECT coalesce(max({column}), 0) FROM {old}")
        last_values[column] = cursor.fetchone()[0]
        cursor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT")  # may name the old sequence
    cursor.execute(f"DROP TABLE {old}")
    for column, last in last_values.items():
        sequence = f"{table}_{column}_seq"
        cursor.execute(f"CREATE SEQUENCE {sequence} AS bigint OWNED BY {table}.{column}")
        cursor.execute("SELECT setval(%s, %s, %s)", [sequence, max(last, 1), last > 0])
        cursor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT nextval('{sequence}')")
    adjust = _with_partition_column if partitioned else _without_partition_column
    for name, kind, definition in catalog["constraints"]:
        cursor.execute(
            f'ALTER TABLE {table} ADD CONSTRAINT "{name}" ' + (adjust(definition) if kind in "pu" else definition)
        )
    for definition in catalog["indexes"] + catalog["triggers"]:
        cursor.execute(definition)
