"""Huge and hostile import files: a 1,000,000-row Bilibili export through the product's import
path (seconds and peak RSS), and the generators the tests use too."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

BILIBILI_HEADER = [
    "视频标题",
    "BV号",
    "发布时间",
    "播放量",
    "平均播放时长",
    "点赞量",
    "评论量",
    "弹幕量",
    "收藏量",
    "投币量",
    "转发量",
    "涨粉量",
]


def bilibili_csv_write(path: Path, *, rows: int, bad_row: int | None = None, seed: int = 7) -> Path:
    """A 稿件数据 CSV of `rows` distinct videos (UTF-8 with BOM, as the creator centre exports it).
    `bad_row` (a spreadsheet row number, the header being row 1) holds an unreadable 播放量."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(",".join(BILIBILI_HEADER) + "\r\n")
        for n in range(rows):
            views = rng.randrange(100, 200_000)
            day, minute = n % 365, n % 1440
            published = f"2025-{1 + day // 31 % 12:02d}-{1 + day % 28:02d} {minute // 60:02d}:{minute % 60:02d}"
            cells = [
                f"视频{n}",
                f"BV{n:010d}",
                published,
                "lots" if n + 2 == bad_row else str(views),
                f"{rng.randrange(5, 600)}",
                str(views // 20),
                str(views // 300),
                str(views // 100),
                str(views // 50),
                str(views // 40),
                str(views // 500),
                str(views // 1000),
            ]
            out.write(",".join(cells) + "\r\n")
    return path


def xlsx_bomb(*, uncompressed_bytes: int = 1_600_000_000) -> bytes:
    """A well-formed .xlsx whose one sheet inflates to `uncompressed_bytes` of repeated rows (a zip bomb)."""
    row = b'<row><c t="inlineStr"><is><t>0</t></is></c></row>'
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData>'
    )
    tail = b"</sheetData></worksheet>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(head)
            block = row * (1024 * 1024 // len(row))
            remaining = uncompressed_bytes - len(head) - len(tail)
            while remaining > 0:
                piece = block[:remaining]
                sheet.write(piece)
                remaining -= len(piece)
            sheet.write(tail)
    return buffer.getvalue()


_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_SHEET_TYPE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_SHEET_TYPE}.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
