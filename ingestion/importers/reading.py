"""A file → its rows of raw cells, streamed, by sniffing the content (never trusting the file name).

Accepted: .xlsx (openpyxl, read-only streaming), legacy binary .xls (xlrd), an HTML table saved
as .xls (lxml; what WeChat exports), and CSV/TSV text in UTF-8, UTF-8 with BOM, UTF-16 with BOM
or GB18030 (decoded incrementally). Each row keeps the number the user sees in the spreadsheet
(1-based). The limits of `ImportLimits` are checked before the expensive work where the file
declares its size (an .xlsx archive's directory, a sheet's dimension) and while streaming
otherwise, so neither a zip bomb nor a huge file can exhaust a worker's memory or time.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import lxml.html
import openpyxl
import xlrd
from django.conf import settings
from openpyxl.utils import get_column_letter

Rows = Iterator[tuple[int, list]]

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OTHER_BINARIES = {
    b"\x89PNG": "PNG 图片", b"\xff\xd8\xff": "JPEG 图片", b"GIF8": "GIF 图片", b"%PDF": "PDF 文档",
    b"\x1f\x8b": "gzip 压缩包", b"Rar!": "RAR 压缩包", b"7z\xbc\xaf": "7z 压缩包", b"RIFF": "音视频文件",
}
_HTML_START = re.compile(r"^\s*(<\?xml[^>]*>\s*)?(<!doctype[^>]*>\s*)?<(html|head|body|meta|table|style)\b", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_HEAD_BYTES = 64 * 1024
_CHUNK_BYTES = 1024 * 1024
# Archive members smaller than this cannot hold a bomb whatever their ratio (styles, themes).
_RATIO_FLOOR_BYTES = 1024 * 1024


class UnreadableFile(ValueError):
    """The content is not a spreadsheet this importer reads; the message says what it is."""


class LimitExceeded(UnreadableFile):
    """The file is over one of the `ImportLimits`; `row`/`column` say where when it is one place."""

    def __init__(self, message: str, *, row: int | None = None, column: str = ""):
        super().__init__(message)
        self.row, self.column = row, column


@dataclass(frozen=True)
class ImportLimits:
    """What one import file may hold (settings `IMPORT_MAX_*`, defaults in the README)."""

    max_rows: int
    max_columns: int
    max_cell_chars: int
    max_sheets: int
    xlsx_max_uncompressed_bytes: int
    xlsx_max_ratio: int

    @classmethod
    def from_settings(cls) -> ImportLimits:
        return cls(
            max_rows=settings.IMPORT_MAX_ROWS, max_columns=settings.IMPORT_MAX_COLUMNS,
            max_cell_chars=settings.IMPORT_MAX_CELL_CHARS, max_sheets=settings.IMPORT_MAX_SHEETS,
            xlsx_max_uncompressed_bytes=settings.IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES,
            xlsx_max_ratio=settings.IMPORT_XLSX_MAX_RATIO,
        )


def read_rows(source: BinaryIO | bytes, limits: ImportLimits | None = None) -> Rows:
    """The rows of `source` (a seekable binary file, or bytes), checked against `limits`.

    Whole-file problems raise `UnreadableFile` at once; a limit reached while streaming raises
    `LimitExceeded` from the iteration."""
    limits = limits or ImportLimits.from_settings()
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    source.seek(0)
    head = source.read(_HEAD_BYTES)
    source.seek(0)
    if not head.strip():
        raise UnreadableFile("文件为空")
    for magic, what in _OTHER_BINARIES.items():
        if head.startswith(magic):
            raise UnreadableFile(f"内容是{what}，不是表格文件（支持 .csv、.xlsx、.xls）")
    if head.startswith(b"PK\x03\x04"):
        return _bounded(_xlsx_rows(source, limits), limits)
    if head.startswith(_OLE2):
        return _bounded(_xls_rows(source.read(), limits), limits)
    encoding = _encoding(source, head)
    if _HTML_START.match(head.decode(encoding, errors="ignore")[:2000]):
        return _bounded(_html_rows(source.read().decode(encoding)), limits)
    return _bounded(_csv_rows(source, encoding, head.decode(encoding, errors="ignore")), limits)


def _bounded(rows: Rows, limits: ImportLimits) -> Rows:
    """`rows`, stopping with `LimitExceeded` at the first row over the row, column or cell-length limit."""
    max_rows, max_columns, max_chars = limits.max_rows, limits.max_columns, limits.max_cell_chars
    for number, cells in rows:
        if number > max_rows:
            raise LimitExceeded(f"文件超过 {max_rows:,} 行的上限（IMPORT_MAX_ROWS），请拆分后分别导入", row=number)
        if len(cells) > max_columns:
            raise LimitExceeded(f"这一行有 {len(cells):,} 列，超过 {max_columns:,} 列的上限（IMPORT_MAX_COLUMNS）",
                                row=number)
        # The total length bounds every cell's (and is one C call for a row of strings).
        try:
            chars = sum(map(len, cells))
        except TypeError:  # numbers, dates and empty cells from a workbook
            chars = sum(len(c) for c in cells if type(c) is str)
        if chars > max_chars:
            for index, cell in enumerate(cells):
                if type(cell) is str and len(cell) > max_chars:
                    raise LimitExceeded(
                        f"单元格有 {len(cell):,} 个字符，超过 {max_chars:,} 个字符的上限（IMPORT_MAX_CELL_CHARS）",
                        row=number, column=get_column_letter(index + 1),
                    )
        yield number, cells


def _encoding(source: BinaryIO, head: bytes) -> str:
    """The text encoding of the whole stream, checked a chunk at a time (nothing is kept)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif b"\x00" in head:
        raise UnreadableFile("内容含二进制数据，不是表格文件（支持 .csv、.xlsx、.xls）")
    else:
        candidates = ["utf-8-sig", "gb18030"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        source.seek(0)
        try:
            while chunk := source.read(_CHUNK_BYTES):
                if _CONTROL.search(decoder.decode(chunk)):
                    raise UnreadableFile("内容含二进制数据，不是表格文件（支持 .csv、.xlsx、.xls）")
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        finally:
            source.seek(0)
        return encoding
    raise UnreadableFile("无法识别文本编码（支持 UTF-8、UTF-8 BOM、GB18030）")


def _csv_rows(source: BinaryIO, encoding: str, head: str) -> Rows:
    delimiter = "\t" if head[:4000].count("\t") > head[:4000].count(",") else ","
    text = io.TextIOWrapper(source, encoding=encoding, newline="")
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    number = 0
    try:
        for number, row in enumerate(reader, start=1):
            yield number, row
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise LimitExceeded(f"单元格超过 {csv.field_size_limit():,} 个字符（文件可能不是正常的导出）",
                                row=number + 1) from None
        raise UnreadableFile(f"CSV 格式错误（文件可能不完整）：{exc}") from None
    finally:
        if not text.closed:
            text.detach()  # the caller owns `source`


def _xlsx_check(archive: zipfile.ZipFile, limits: ImportLimits) -> None:
    """Refuse a zip bomb from the archive's directory alone (milliseconds): the sizes its members
    declare, their compression ratios and the number of sheets. zipfile stops any member at its
    declared size (and fails its CRC check), so a member cannot inflate past what is checked here."""
    members = archive.infolist()
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        raise UnreadableFile("内容是 ZIP 压缩包，不是 .xlsx 表格")
    total = sum(m.file_size for m in members)
    if total > limits.xlsx_max_uncompressed_bytes:
        raise LimitExceeded(
            f".xlsx 解压后共 {total / 2**20:,.0f} MB，超过 {limits.xlsx_max_uncompressed_bytes / 2**20:,.0f} MB 的上限"
            f"（IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES）；文件可能是压缩炸弹，未读取"
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _RATIO_FLOOR_BYTES and ratio > limits.xlsx_max_ratio:
            raise LimitExceeded(
                f".xlsx 中的 {member.filename} 压缩比 {ratio:,.0f}:1（{member.compress_size / 2**20:,.1f} MB 解压为 "
                f"{member.file_size / 2**20:,.0f} MB），超过 {limits.xlsx_max_ratio}:1 的上限（IMPORT_XLSX_MAX_RATIO）；"
                f"文件可能是压缩炸弹，未读取"
            )
    sheets = sum(1 for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    if sheets > limits.max_sheets:
        raise LimitExceeded(f".xlsx 有 {sheets} 个工作表，超过 {limits.max_sheets} 个的上限（IMPORT_MAX_SHEETS）")


def _xlsx_rows(source: BinaryIO, limits: ImportLimits) -> Rows:
    try:
        with zipfile.ZipFile(source) as archive:
            _xlsx_check(archive, limits)
        source.seek(0)
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except UnreadableFile:
        raise
    except Exception as exc:  # openpyxl/zipfile raise many types on damaged workbooks
        raise UnreadableFile(f"无法读取 .xlsx 文件（可能已损坏或不完整）：{exc}") from None
    return _xlsx_sheet_rows(workbook, limits)


def _xlsx_sheet_rows(workbook, limits: ImportLimits) -> Rows:
    try:
        sheet = workbook.worksheets[0]
        # A declared dimension pads every row to its width: check it before reading a row.
        if (sheet.max_column or 0) > limits.max_columns:
            raise LimitExceeded(f"工作表声明了 {sheet.max_column:,} 列，超过 {limits.max_columns:,} 列的上限"
                                f"（IMPORT_MAX_COLUMNS）")
        if (sheet.max_row or 0) > limits.max_rows:
            raise LimitExceeded(f"工作表声明了 {sheet.max_row:,} 行，超过 {limits.max_rows:,} 行的上限"
                                f"（IMPORT_MAX_ROWS），请拆分后分别导入")
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    except UnreadableFile:
        raise
    except Exception as exc:  # a damaged sheet part shows only while it streams
        raise UnreadableFile(f"无法读取 .xlsx 文件（可能已损坏或不完整）：{exc}") from None
    finally:
        workbook.close()


def _xls_rows(data: bytes, limits: ImportLimits) -> Rows:
    # The legacy format is bounded by design (65,536 rows × 256 columns): xlrd reads it whole.
    try:
        book = xlrd.open_workbook(file_contents=data, logfile=io.StringIO(), on_demand=True)
        if book.nsheets > limits.max_sheets:
            raise LimitExceeded(f".xls 有 {book.nsheets} 个工作表，超过 {limits.max_sheets} 个的上限（IMPORT_MAX_SHEETS）")
        sheet = book.sheet_by_index(0)
        rows = []
        for index in range(sheet.nrows):
            cells = []
            for cell in sheet.row(index):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    cells.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    cells.append(None)
                else:
                    cells.append(cell.value)
            rows.append((index + 1, cells))
    except UnreadableFile:
        raise
    except Exception as exc:  # xlrd raises many types on damaged workbooks
        raise UnreadableFile(f"无法读取 .xls 文件（可能已损坏或不完整）：{exc}") from None
    return iter(rows)


def _html_rows(text: str) -> Rows:
    # WeChat's HTML "xls" holds one row per day; the upload size limit bounds the tree.
    # Parse the decoded text re-encoded as UTF-8 so a stale <meta charset> cannot mislead lxml.
    parser = lxml.html.HTMLParser(encoding="utf-8")
    try:
        document = lxml.html.fromstring(text.encode("utf-8"), parser=parser)
    except Exception as exc:  # lxml's ParserError and friends
        raise UnreadableFile(f"无法读取 HTML 表格：{exc}") from None
    rows = []
    for number, tr in enumerate(document.iter("tr"), start=1):
        cells = [cell.text_content().replace("\xa0", " ").strip() for cell in tr if cell.tag in ("td", "th")]
        rows.append((number, cells))
    if not rows:
        raise UnreadableFile("HTML 文件中没有表格")
    return iter(rows)
