"""Bulk upserts through COPY into a staging table, then one INSERT … ON CONFLICT.

Values that are NULL in the incoming rows never overwrite stored values (a source that does
not report a metric must not erase one that another source did), and rows whose values
would not change are not rewritten, so re-ingesting a window is cheap and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import connection

_stage_ids = itertools.count()


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _csv_value(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    raise TypeError(f"cannot stage value {value!r}")


# Exact-type dispatch for the common types: rendering values is most of an upsert's Python
# time, and one dict lookup is much cheaper than the isinstance chain (kept for subclasses).
_RENDER = {
    int: int.__str__, float: float.__repr__, Decimal: Decimal.__str__, str: _quote,
    dt.date: dt.date.isoformat, dt.datetime: dt.datetime.isoformat, bool: _csv_value,
}


def _copy_payload(rows: Iterable[Sequence]) -> io.StringIO:
    render = _RENDER.get
    lines = [
        ",".join([r"\N" if v is None else (render(type(v)) or _csv_value)(v) for v in row]) for row in rows
    ]
    lines.append("")
    return io.StringIO("\n".join(lines))


def upsert(
    *,
    table: str,
    constraint: str,
    key_columns: Sequence[str],
    value_columns: Sequence[str],
    rows: Sequence[Sequence],
    touch_column: str | None = "updated_at",
    keep_text_when_blank: Sequence[str] = (),
) -> int:
    """Upsert `rows` (tuples ordered as key_columns + value_columns); returns rows changed.

    Must run inside a transaction (the staging table is dropped on commit).
    """
    if not rows:
        return 0
    if not connection.in_atomic_block:
        raise RuntimeError("upsert() must run inside transaction.atomic()")
    columns = [*key_columns, *value_columns]
    stage = f"_stage_{table}_{next(_stage_ids)}"
    column_list = ", ".join(columns)

    def merged(col: str) -> str:
        if col in keep_text_when_blank:
            return f"COALESCE(NULLIF(EXCLUDED.{col}, ''), t.{col})"
        return f"COALESCE(EXCLUDED.{col}, t.{col})"

    assignments = [f"{col} = {merged(col)}" for col in value_columns]
    insert_columns, select_columns = column_list, column_list
    if touch_column:
        assignments.append(f"{touch_column} = now()")
        insert_columns += f", {touch_column}"
        select_columns += ", now()"
    changed = " OR ".join(f"t.{col} IS DISTINCT FROM {merged(col)}" for col in value_columns) or "false"

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {column_list} FROM {table} WITH NO DATA"
        )
        cursor.cursor.copy_expert(
            f"COPY {stage} ({column_list}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", _copy_payload(rows)
        )
        cursor.execute(
            f"INSERT INTO {table} AS t ({insert_columns}) SELECT {select_columns} FROM {stage} "
            f"ON CONFLICT ON CONSTRAINT {constraint} DO UPDATE SET {', '.join(assignments)} "
            f"WHERE {changed}"
        )
        written = cursor.rowcount
        cursor.execute(f"DROP TABLE {stage}")
    return written
