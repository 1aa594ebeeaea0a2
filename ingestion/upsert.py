"""Bulk upserts: COPY straight into the table when none of the keys exist yet, otherwise COPY
into a staging table and one INSERT … ON CONFLICT.

Values that are NULL in the incoming rows never overwrite stored values (a source that does
not report a metric must not erase one that another source did), and rows whose values
would not change are not rewritten, so re-ingesting a window is cheap and changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import IntegrityError, connection, transaction

_stage_ids = itertools.count()
NULL = r"\N"


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _csv_value(value) -> str:
    if value is None:
        return NULL
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


def _csv_lines(rows: Iterable[Sequence]) -> list[str]:
    render = _RENDER.get
    return [",".join([NULL if v is None else (render(type(v)) or _csv_value)(v) for v in row]) + "\n" for row in rows]


class _CsvStream(io.TextIOBase):
    """`rows` as CSV, rendered a slice at a time as COPY reads: PostgreSQL parses one chunk on the
    other core while Python renders the next, instead of waiting for the whole payload.

    Rows without text (numbers, dates, None) go through the csv module in C, which writes None as
    an empty field: their COPY reads that as NULL, since no column of theirs holds text."""

    SLICE = 1000

    def __init__(self, rows: Sequence[Sequence], *, text_free: bool):
        self._rows, self._next, self._pending = rows, 0, ""
        self._text_free = text_free
        self._out = io.StringIO()
        self._writer = csv.writer(self._out, lineterminator="\n")

    def _render_slice(self) -> str:
        rows = self._rows[self._next:self._next + self.SLICE]
        self._next += len(rows)
        if not self._text_free:
            return "".join(_csv_lines(rows))
        self._out.seek(0)
        self._out.truncate()
        self._writer.writerows(rows)
        return self._out.getvalue()

    def read(self, size: int = -1) -> str:
        while (size < 0 or len(self._pending) < size) and self._next < len(self._rows):
            self._pending += self._render_slice()
        if size < 0:
            size = len(self._pending)
        chunk, self._pending = self._pending[:size], self._pending[size:]
        return chunk

    def readable(self) -> bool:
        return True


def _copy(cursor, *, table: str, columns: str, rows: Sequence[Sequence], text_free: bool) -> None:
    null = "" if text_free else NULL
    with connection.wrap_database_errors:  # psycopg2's errors as Django's (IntegrityError, DataError…)
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '{null}')",
                                  _CsvStream(rows, text_free=text_free), size=64 * 1024)


def _any_key_stored(cursor, *, table: str, key_columns: Sequence[str], rows: Sequence[Sequence]) -> bool:
    """Whether a stored row may share a key with `rows`: a superset test on the first and last key
    columns (account/post/campaign and date: one index descent per first-column value over the
    date range; `= ANY` on both made it one per value pair), answered from the unique index."""
    first, last = key_columns[0], key_columns[-1]
    position = len(key_columns) - 1
    lasts = {row[position] for row in rows}
    if all(isinstance(value, dt.date) for value in lasts):
        condition, last_params = f"{last} BETWEEN %s AND %s", [min(lasts), max(lasts)]
    else:
        condition, last_params = f"{last} = ANY(%s)", [sorted(lasts)]
    cursor.execute(
        f"SELECT EXISTS (SELECT 1 FROM {table} WHERE {first} = ANY(%s) AND {condition})",
        [sorted({row[0] for row in rows}), *last_params],
    )
    return cursor.fetchone()[0]


def _insert_new(cursor, *, table: str, columns: list[str], rows: Sequence[Sequence], text_free: bool) -> bool:
    """COPY `rows` straight into `table` (the physical limit of a write; the touch column takes
    its database default); False if a concurrent writer stored one of the keys first, leaving
    nothing written."""
    try:
        with transaction.atomic():  # a savepoint: a failed COPY must not abort the caller's transaction
            _copy(cursor, table=table, columns=", ".join(columns), rows=rows, text_free=text_free)
    except IntegrityError:
        return False
    return True


def upsert(
    *,
    table: str,
    constraint: str,
    key_columns: Sequence[str],
    value_columns: Sequence[str],
    rows: Sequence[Sequence],
    touch_column: str | None = "updated_at",
    keep_text_when_blank: Sequence[str] = (),
    text_free: bool = False,
    carry_columns: Sequence[str] = (),
    replaced: dict | None = None,
) -> int:
    """Upsert `rows` (tuples ordered as key_columns + value_columns + carry_columns); returns rows changed.

    `carry_columns` (provenance: source, run) are written with every insert and every update that
    changes a value, but are no reason to rewrite a row. With `replaced` (a dict) and carry columns,
    the rows changed whose stored first carry column (the source) held another value (not NULL) are
    counted into it per stored value, e.g. {"api": 3}.

    `text_free`: the rows hold only numbers, dates and None (rendered faster). `touch_column`
    is set to now() on every write and needs a database default (new rows take it). Must run
    inside a transaction (the staging table is dropped on commit). Keys must be unique in `rows`.
    """
    if not rows:
        return 0
    if not connection.in_atomic_block:
        raise RuntimeError("upsert() must run inside transaction.atomic()")
    columns = [*key_columns, *value_columns, *carry_columns]
    with connection.cursor() as cursor:
        if not _any_key_stored(cursor, table=table, key_columns=key_columns, rows=rows) and _insert_new(
            cursor, table=table, columns=columns, rows=rows, text_free=text_free
        ):
            return len(rows)
        return _merge_staged(cursor, table=table, constraint=constraint, columns=columns, value_columns=value_columns,
                             rows=rows, touch_column=touch_column, keep_text_when_blank=keep_text_when_blank,
                             text_free=text_free, carry_columns=carry_columns, replaced=replaced)


def _merge_staged(
    cursor, *, table, constraint, columns, value_columns, rows, touch_column, keep_text_when_blank, text_free,
    carry_columns=(), replaced=None,
) -> int:
    """COPY into a staging table, then one INSERT … ON CONFLICT that merges it (see the module docstring)."""
    stage = f"_stage_{table}_{next(_stage_ids)}"
    column_list = ", ".join(columns)

    def merged(col: str) -> str:
        if col in keep_text_when_blank:
            return f"COALESCE(NULLIF(EXCLUDED.{col}, ''), t.{col})"
        return f"COALESCE(EXCLUDED.{col}, t.{col})"

    assignments = [f"{col} = {merged(col)}" for col in value_columns]
    assignments += [f"{col} = EXCLUDED.{col}" for col in carry_columns]
    if touch_column:  # inserted rows take the column's database default
        assignments.append(f"{touch_column} = now()")
    changed = " OR ".join(f"t.{col} IS DISTINCT FROM {merged(col)}" for col in value_columns) or "false"

    cursor.execute(f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {column_list} FROM {table} WITH NO DATA")
    _copy(cursor, table=stage, columns=column_list, rows=rows, text_free=text_free)
    if replaced is not None and carry_columns:
        _count_replaced(cursor, table=table, stage=stage, keys=[c for c in columns if c not in value_columns
                        and c not in carry_columns], source=carry_columns[0],
                        changed=changed.replace("EXCLUDED.", "s."), replaced=replaced)
    cursor.execute(
        f"INSERT INTO {table} AS t ({column_list}) SELECT {column_list} FROM {stage} "
        f"ON CONFLICT ON CONSTRAINT {constraint} DO UPDATE SET {', '.join(assignments)} "
        f"WHERE {changed}"
    )
    written = cursor.rowcount
    cursor.execute(f"DROP TABLE {stage}")
    return written


def _count_replaced(cursor, *, table, stage, keys, source, changed, replaced: dict) -> None:
    """Count the stored rows the merge will change that another source wrote (before it runs)."""
    # `=` on the first and last key (account/post/campaign, date) lets the unique index serve the
    # join; a middle key may be NULL (a campaign day without an account).
    join = " AND ".join(f"t.{key} = s.{key}" if key in (keys[0], keys[-1]) else f"t.{key} IS NOT DISTINCT FROM s.{key}"
                        for key in keys)
    cursor.execute(
        f"SELECT t.{source}, COUNT(*) FROM {table} t JOIN {stage} s ON {join} "
        f"WHERE t.{source} IS NOT NULL AND t.{source} IS DISTINCT FROM s.{source} AND ({changed}) GROUP BY 1"
    )
    for value, count in cursor.fetchall():
        replaced[value] = replaced.get(value, 0) + count
