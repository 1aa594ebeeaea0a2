"""Bytes → rows of raw cells, by sniffing the content (never trusting the file name).

Accepted: .xlsx (openpyxl), legacy binary .xls (xlrd), an HTML table saved as .xls (lxml;
what WeChat exports), and CSV/TSV text in UTF-8, UTF-8 with BOM, UTF-16 with BOM or GB18030.
Each row keeps the number the user sees in the spreadsheet (1-based).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile

import lxml.html
import openpyxl
import xlrd

Rows = list[tuple[int, list]]

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OTHER_BINARIES = {
    b"\x89PNG": "PNG 图片", b"\xff\xd8\xff": "JPEG 图片", b"GIF8": "GIF 图片", b"%PDF": "PDF 文档",
    b"\x1f\x8b": "gzip 压缩包", b"Rar!": "RAR 压缩包", b"7z\xbc\xaf": "7z 压缩包", b"RIFF": "音视频文件",
}
_HTML_START = re.compile(r"^\s*(<\?xml[^>]*>\s*)?(<!doctype[^>]*>\s*)?<(html|head|body|meta|table|style)\b", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class UnreadableFile(ValueError):
    """The content is not a spreadsheet this importer reads; the message says what it is."""


def read_rows(data: bytes) -> Rows:
    if not data.strip():
        raise UnreadableFile("文件为空")
    for magic, what in _OTHER_BINARIES.items():
        if data.startswith(magic):
            raise UnreadableFile(f"内容是{what}，不是表格文件（支持 .csv、.xlsx、.xls）")
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_rows(data)
    if data.startswith(_OLE2):
        return _xls_rows(data)
    text = _decode(data)
    if _HTML_START.match(text[:2000]):
        return _html_rows(text)
    return _csv_rows(text)


def _decode(data: bytes) -> str:
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not utf16 and b"\x00" in data[:65536]:
        raise UnreadableFile("内容含二进制数据，不是表格文件（支持 .csv、.xlsx、.xls）")
    encodings = ["utf-16"] if utf16 else ["utf-8-sig", "gb18030"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(text):
            raise UnreadableFile("内容含二进制数据，不是表格文件（支持 .csv、.xlsx、.xls）")
        return text
    raise UnreadableFile("无法识别文本编码（支持 UTF-8、UTF-8 BOM、GB18030）")


def _csv_rows(text: str) -> Rows:
    head = text[:4000]
    delimiter = "\t" if head.count("\t") > head.count(",") else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        return [(number, row) for number, row in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise UnreadableFile(f"CSV 格式错误（文件可能不完整）：{exc}") from None


def _xlsx_rows(data: bytes) -> Rows:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise UnreadableFile("内容是 ZIP 压缩包，不是 .xlsx 表格")
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            return [(number, list(row)) for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
        finally:
            workbook.close()
    except UnreadableFile:
        raise
    except Exception as exc:  # openpyxl/zipfile raise many types on damaged workbooks
        raise UnreadableFile(f"无法读取 .xlsx 文件（可能已损坏或不完整）：{exc}") from None


def _xls_rows(data: bytes) -> Rows:
    try:
        book = xlrd.open_workbook(file_contents=data, logfile=io.StringIO(), on_demand=True)
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
        return rows
    except Exception as exc:  # xlrd raises many types on damaged workbooks
        raise UnreadableFile(f"无法读取 .xls 文件（可能已损坏或不完整）：{exc}") from None


def _html_rows(text: str) -> Rows:
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
    return rows
