"""CSV and Excel downloads of any dashboard table."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pandas as pd
from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from socialmetrics.spreadsheets import csv_cell, xlsx_append

from .tables import Table, local_timestamp

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_FORMATS = {"money": '"¥"#,##0.00', "count": "#,##0", "rate": "0.00%", "ratio": "0.00"}


def _raw(value, kind: str):
    """Cell values stay numbers (rates as fractions) so spreadsheets can compute with them."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if kind == "datetime":
        return local_timestamp(value).tz_localize(None).to_pydatetime()
    if kind == "date":
        return pd.Timestamp(value).date()
    if kind == "money":
        return Decimal(str(value)).quantize(Decimal("0.01"))
    if kind == "count":
        return round(float(value))  # counts are whole numbers: 12345, not 12345.0
    if hasattr(value, "item"):
        return value.item()  # numpy scalar
    return value


def _filename(table: Table, suffix: str, extension: str) -> str:
    return f"{table.key}_{suffix}.{extension}"


def table_csv(table: Table, *, suffix: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns, rows = table.download()
    writer.writerow([c.label for c in columns])
    for row in rows:
        writer.writerow(["" if (v := _raw(value, c.kind)) is None else csv_cell(v)
                         for c, value in zip(columns, row, strict=True)])
    # BOM: Excel on Windows opens UTF-8 Chinese correctly only with it.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(table, suffix, "csv")}"'
    return response


def table_xlsx(table: Table, *, suffix: str) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.key[:31]
    columns, rows = table.download()
    xlsx_append(sheet, [str(c.label) for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        xlsx_append(sheet, [_raw(value, c.kind) for c, value in zip(columns, row, strict=True)])
    for index, column in enumerate(columns, start=1):
        number_format = XLSX_FORMATS.get(column.kind, "yyyy-mm-dd hh:mm" if column.kind == "datetime" else None)
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = 40 if column.kind == "text" else 16
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(table, suffix, "xlsx")}"'
    return response


def table_download(table: Table, fmt: str, *, suffix: str) -> HttpResponse:
    return table_xlsx(table, suffix=suffix) if fmt == "xlsx" else table_csv(table, suffix=suffix)
