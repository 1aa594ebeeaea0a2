"""Cells for every CSV and Excel download: text from platforms and files never becomes a formula.

Post titles, account and campaign names come from platforms, export files and other users; a
spreadsheet runs a cell starting with = + - @ (or a tab / CR before one) as a formula (OWASP
"CSV injection"). CSV text cells get a leading apostrophe; XLSX text cells are written as
strings with Excel's quote prefix, so they show as typed and are never evaluated.
"""

from __future__ import annotations

import re

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A plain signed number ("-12.50", as DRF writes decimals) is data, not a formula: left as it is.
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.fullmatch(value)


def csv_cell(value):
    """The value to write in a CSV cell: numbers untouched, formula-like text behind an apostrophe."""
    return "'" + value if formula_like(value) else value


def xlsx_append(sheet, values) -> None:
    """`sheet.append(values)`, with every text cell stored as text rather than parsed as a formula."""
    sheet.append(values)
    for cell, value in zip(sheet[sheet.max_row], values, strict=False):
        if isinstance(value, str):
            cell.data_type = "s"  # openpyxl takes a string starting with "=" as a formula
            cell.quotePrefix = formula_like(value)
