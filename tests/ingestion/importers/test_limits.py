"""Every import limit refuses with the importers' precise message, names its setting, writes nothing."""

import io
import time

import openpyxl
import pytest

from bench.imports import xlsx_bomb
from ingestion.importers import ImportFileError, file_import
from ingestion.models import IngestionRun, RunStatus

from .conftest import AS_OF

pytestmark = pytest.mark.django_db

DAILY = "date,views,likes\n" + "".join(f"2026-10-{d:02d},{d * 10},{d}\n" for d in range(1, 11))


def refused(account, data, name="upload.csv"):
    with pytest.raises(ImportFileError) as caught:
        file_import(account=account, file=data, file_name=name, as_of=AS_OF)
    assert not account.daily_metrics.exists()
    assert IngestionRun.objects.get(pk=caught.value.run_id).status == RunStatus.FAILED
    (problem,) = caught.value.problems
    return problem


def workbook(*sheets_rows) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for index, rows in enumerate(sheets_rows):
        sheet = book.create_sheet(f"S{index}")
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_from_its_directory_before_anything_inflates(make_account):
    account = make_account("weibo")
    bomb = xlsx_bomb(uncompressed_bytes=300 * 2**20)
    started = time.monotonic()
    problem = refused(account, bomb, "bomb.xlsx")
    assert time.monotonic() - started < 2  # inflating it would take many seconds
    assert problem.row is None
    assert "压缩比" in problem.message
    assert "IMPORT_XLSX_MAX_RATIO" in problem.message
    assert "xl/worksheets/sheet1.xml" in problem.message
    assert "压缩炸弹" in problem.message


def test_declared_uncompressed_size(make_account, settings):
    settings.IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES = 2 * 2**20
    problem = refused(make_account("weibo"), xlsx_bomb(uncompressed_bytes=3 * 2**20), "big.xlsx")
    assert "解压后共 3 MB，超过 2 MB 的上限（IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES）" in problem.message


def test_sheet_count(make_account, settings):
    settings.IMPORT_MAX_SHEETS = 2
    rows = [["date", "views"], ["2026-10-01", 5]]
    problem = refused(make_account("weibo"), workbook(rows, rows, rows), "three.xlsx")
    assert "有 3 个工作表，超过 2 个的上限（IMPORT_MAX_SHEETS）" in problem.message


def test_a_sheet_declaring_too_many_columns_is_refused_before_its_rows(make_account, settings):
    settings.IMPORT_MAX_COLUMNS = 3
    problem = refused(make_account("weibo"), workbook([["date", "views", "likes", "shares", "saves"]]), "wide.xlsx")
    assert "工作表声明了 5 列，超过 3 列的上限（IMPORT_MAX_COLUMNS）" in problem.message


def test_rows(make_account, settings):
    settings.IMPORT_MAX_ROWS = 5
    problem = refused(make_account("weibo"), DAILY.encode())
    assert problem.row == 6
    assert "超过 5 行的上限（IMPORT_MAX_ROWS）" in problem.message


def test_columns_of_a_csv_row(make_account, settings):
    settings.IMPORT_MAX_COLUMNS = 3
    data = DAILY.replace("2026-10-04,40,4", "2026-10-04,40,4,,,,").encode()
    problem = refused(make_account("weibo"), data)
    assert problem.row == 5
    assert "这一行有 7 列，超过 3 列的上限" in problem.message


def test_cell_length_names_the_row_and_column(make_account, settings):
    settings.IMPORT_MAX_CELL_CHARS = 100
    data = DAILY.replace("2026-10-03,30,3", "2026-10-03,30," + "9" * 101).encode()
    problem = refused(make_account("weibo"), data)
    assert (problem.row, problem.column) == (4, "C")
    assert "101 个字符，超过 100 个字符的上限（IMPORT_MAX_CELL_CHARS）" in problem.message


def test_a_csv_field_past_the_parsers_own_limit(make_account):
    data = DAILY.replace("2026-10-02,20,2", '2026-10-02,20,"' + "x" * 200_000 + '"').encode()
    problem = refused(make_account("weibo"), data)
    assert problem.row == 3
    assert "单元格超过" in problem.message


def test_within_the_limits_the_file_imports(make_account, settings):
    settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_COLUMNS, settings.IMPORT_MAX_CELL_CHARS = 11, 3, 10
    account = make_account("weibo")
    result = file_import(account=account, file=DAILY.encode(), file_name="d.csv", as_of=AS_OF)
    assert result.rows["account_days"] == 10
    assert account.daily_metrics.count() == 10
