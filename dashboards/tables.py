"""Tables shown on the pages and downloaded as CSV / Excel from the same definition."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from django.utils.translation import gettext as _

from accounts.calendar import PLATFORM_TIME_ZONE
from analytics import kpis

from . import formatting
from .catalog import METRICS


def local_timestamp(value) -> pd.Timestamp:
    """A moment on the platforms' clock (naive values are taken as already local)."""
    stamp = pd.Timestamp(value)
    return stamp.tz_convert(PLATFORM_TIME_ZONE) if stamp.tzinfo else stamp


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text | count | money | rate | ratio | datetime | date
    sortable: bool = False

    def display(self, value) -> str:
        if self.kind in formatting.FORMATTERS:
            return formatting.compact(self.kind, value)
        if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
            return formatting.MISSING
        if self.kind == "datetime" and type(value) is dt.date:  # a day without a known time of day
            return value.strftime("%Y-%m-%d")
        if self.kind == "datetime":
            return local_timestamp(value).strftime("%Y-%m-%d %H:%M")
        if self.kind == "date":
            return pd.Timestamp(value).strftime("%Y-%m-%d")
        return str(value)


def metric_column(name: str, *, sortable: bool = False) -> Column:
    metric = METRICS[name]
    return Column(name, metric.short or str(metric.label), metric.kind, sortable)


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    empty: str = ""
    shown: int | None = None  # the page shows this many rows; downloads always have all of them

    @property
    def truncated(self) -> bool:
        return self.shown is not None and len(self.rows) > self.shown

    def cells(self):
        """Rows as (column, raw value, display text, exact text, coverage badge), for the template;
        a row's "badges" (dashboards.coverage) mark the ratios that stand on part of its rows."""
        for row in self.rows[: self.shown]:
            badges = row.get("badges") or {}
            yield row, [(c, row.get(c.key), c.display(row.get(c.key)), self._exact(c, row.get(c.key)),
                         badges.get(c.key)) for c in self.columns]

    def download(self) -> tuple[list[Column], list[list]]:
        """Columns and raw values of the CSV / Excel download: the table's, plus the coverage of each
        ratio column when the rows carry it (a row's "coverage": the KPI result's)."""
        columns = list(self.columns)
        if any(row.get("coverage") for row in self.rows):
            columns += [Column(f"coverage.{c.key}", _("%(label)s覆盖率") % {"label": c.label}, "rate")
                        for c in self.columns if c.key in kpis.PAIR_OF]

        def value(row, column):
            if column.key.startswith("coverage."):
                return (row.get("coverage") or {}).get(column.key.removeprefix("coverage."))
            return row.get(column.key)

        return columns, [[value(row, c) for c in columns] for row in self.rows]

    @staticmethod
    def _exact(column: Column, value) -> str:
        return formatting.FORMATTERS[column.kind](value) if column.kind in formatting.FORMATTERS else ""
