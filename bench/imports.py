"""Huge and hostile import files: a 1,000,000-row Bilibili export through the product's import
path (seconds and peak RSS), and the generators the tests use too."""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from .database import ROOT

ORG_SLUG = "bench-import"
# Set by the measurement: a 1,000,000-row export with a BV id per video is about 84 MB.
IMPORT_MAX_BYTES = 256 * 2**20

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


def _timed_import(account_id: int, path: Path) -> tuple[int, float, float, float]:
    """(exit code, seconds, peak RSS in MB, CPU seconds) of `manage.py import_file` in a process of
    its own. The CPU seconds (its own, not PostgreSQL's) tell a busy machine's wall time apart."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_file", "--account", str(account_id), str(path)], cwd=ROOT,
        env={**os.environ, "IMPORT_MAX_BYTES": str(IMPORT_MAX_BYTES), "LOG_LEVEL": "WARNING"},
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    return os.waitstatus_to_exitcode(status), seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def _cleanup() -> None:
    from django.db import connection, transaction

    from accounts.models import Organization

    org = Organization.objects.filter(slug=ORG_SLUG).first()
    if org is None:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM analytics_postdailymetric WHERE post_id IN (SELECT p.id FROM analytics_post p"
            " JOIN accounts_socialaccount a ON a.id = p.account_id WHERE a.organization_id = %s)", [org.pk],
        )
        cursor.execute(
            "DELETE FROM analytics_post WHERE account_id IN (SELECT id FROM accounts_socialaccount"
            " WHERE organization_id = %s)", [org.pk],
        )
        org.delete()


def import_measure(*, rows: int, log=print) -> dict:
    """A `rows`-row Bilibili export through the CLI (seconds, peak RSS, rows stored), and the same
    file failing at 90 % of its rows (seconds, rows left behind: must be 0). Leaves nothing behind."""
    from accounts.services import account_create, organization_create
    from analytics.models import PostDailyMetric

    _cleanup()
    try:
        org = organization_create(slug=ORG_SLUG, name="基准导入测量")
        good = account_create(organization=org, platform="bilibili", external_id="bench-import-ok", name="导入")
        bad = account_create(organization=org, platform="bilibili", external_id="bench-import-bad", name="导入失败")
        with tempfile.TemporaryDirectory() as folder:
            path = bilibili_csv_write(Path(folder) / "bilibili.csv", rows=rows)
            failing = bilibili_csv_write(Path(folder) / "failing.csv", rows=rows, bad_row=rows * 9 // 10 + 2)
            log(f"[import] {rows:,} rows ({path.stat().st_size / 2**20:.0f} MB) through manage.py import_file")
            code, seconds, rss, cpu = _timed_import(good.pk, path)
            stored = PostDailyMetric.objects.filter(post__account=good).count()
            log(f"[import] the same file failing at row {rows * 9 // 10 + 2:,}")
            failing_code, failing_seconds, failing_rss, _cpu = _timed_import(bad.pk, failing)
            left = PostDailyMetric.objects.filter(post__account=bad).count()
    finally:
        _cleanup()
    return {
        "import_rows": rows,
        "import_ok": code == 0 and stored == rows,
        "import_seconds": round(seconds, 1),
        "import_rows_per_s": round(rows / seconds),
        "import_cpu_seconds": round(cpu, 1),
        "import_peak_rss_mb": round(rss),
        "import_failing_refused": failing_code != 0,
        "import_failing_seconds": round(failing_seconds, 1),
        "import_failing_peak_rss_mb": round(failing_rss),
        "import_failing_rows_left": left,
    }


def main() -> None:
    """`python -m bench.imports --rows N --out result.json` (DATABASE_URL: the bench database)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialmetrics.settings.base")
    import django

    django.setup()
    result = import_measure(rows=args.rows, log=lambda message: print(message, file=sys.stderr, flush=True))
    Path(args.out).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
