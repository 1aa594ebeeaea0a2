"""A report's files against the KPI API: the same numbers for the same window."""

import io
import subprocess
import zipfile

import pytest
from openpyxl import load_workbook

from dashboards.catalog import METRICS
from dashboards.formatting import metric_value
from reports import builder, selectors
from tests.api.conftest import key_client
from tests.reports.conftest import OCTOBER

START, END = OCTOBER


def _kpi_api(org, **params):
    response = key_client(org).get("/api/v1/kpis/", {"start": START, "end": END, "compare": "previous", **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _rows(sheet):
    return list(sheet.iter_rows(values_only=True))


def test_xlsx_cells_equal_the_kpi_api(report_org):
    content = selectors.report_content(organization=report_org, start=START, end=END)
    workbook = load_workbook(io.BytesIO(builder.report_xlsx(content)))
    [total] = _kpi_api(report_org)

    headline = {row[1]: row for row in _rows(workbook["核心指标"])[2:]}
    assert set(headline) == set(selectors.HEADLINE)
    for name, (_, _, value, previous, change, coverage) in headline.items():
        assert value == total["kpis"][name], name
        assert coverage == (total.get("coverage") or {}).get(name), name  # once the KPI API carries coverage
        assert previous == total["previous"][name], name
        # openpyxl writes floats with 15–17 significant digits: equal up to the last binary digit or two.
        assert change == (None if total["change"][name] is None else pytest.approx(total["change"][name], rel=1e-14))
    assert headline["spend"][2] == 5000.0 and headline["revenue"][2] == 23000.0  # numbers, not text
    cell_of = {row[0].value: row for row in workbook["核心指标"].iter_rows(min_row=3)}
    assert cell_of["花费"][2].number_format == '"¥"#,##0.00'
    assert cell_of["互动率"][2].number_format == "0.00%"
    assert cell_of["互动率"][4].number_format.startswith("+0.0%")

    by_platform = {r["platform"]: r for r in _kpi_api(report_org, group_by="platform")}
    sheet = _rows(workbook["分平台"])
    header = sheet[0]
    for row in sheet[1:]:
        platform = {"抖音": "douyin", "微博": "weibo"}[row[0]]
        for name in selectors.PLATFORM_COLUMNS:
            assert row[header.index(str(METRICS[name].label))] == by_platform[platform]["kpis"][name], (platform, name)

    [campaign] = _rows(workbook["投放活动"])[1:]
    [api_campaign] = _kpi_api(report_org, group_by="campaign")
    assert campaign[0] == "双十一预热"
    assert list(campaign[1:]) == [api_campaign["kpis"][n] for n in selectors.CAMPAIGN_COLUMNS]


def test_xlsx_sections_glossary_and_formula_safe_titles(report_org):
    content = selectors.report_content(organization=report_org, start=START, end=END)
    data = builder.report_xlsx(content)
    workbook = load_workbook(io.BytesIO(data))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # no live formula anywhere: text stays text
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in xml or b"<f " in xml for xml in sheets)
    assert workbook.sheetnames == [
        "核心指标",
        "变化要点",
        "粉丝趋势",
        "分平台",
        "内容",
        "投放活动",
        "本期告警",
        "数据健康",
        "指标说明",
    ]
    titles = [row[1] for row in _rows(workbook["内容"])[1:]]
    assert '=HYPERLINK("http://x","点我")' in titles  # shown as typed, never run
    glossary = {row[0]: row[2] for row in _rows(workbook["指标说明"])[1:] if row[0]}
    assert glossary["roas"] == "收入 ÷ 花费" and "engagement_rate" in glossary
    health = _rows(workbook["数据健康"])[1:]
    assert [(r[1], r[2], r[4]) for r in health] == [("微博官号", "需要重新授权", 3)]
    followers = _rows(workbook["粉丝趋势"])[1:]
    assert len(followers) == 2 * 31 and isinstance(followers[0][2], int)


def test_text_cells_are_text_never_formulas():
    from openpyxl import Workbook

    sheet = builder._Sheet(Workbook(), "t", ["标题", "花费"])
    sheet.row([("=HYPERLINK(\"http://x\")", None), ("正常标题", None), (None, None), (12.5, "money")])
    cells = sheet.sheet[2]
    assert [c.value for c in cells] == ['=HYPERLINK("http://x")', "正常标题", "", 12.5]
    assert [c.data_type for c in cells[:3]] == ["s", "s", "s"]
    assert [bool(c.quotePrefix) for c in cells[:3]] == [True, False, False]


def test_what_changed_names_the_movers_and_their_drivers(report_org):
    content = selectors.report_content(organization=report_org, start=START, end=END)
    changes = content["changes"]
    assert [abs(c["change"]) for c in changes] == sorted((abs(c["change"]) for c in changes), reverse=True)
    headline = {k["name"]: k for k in content["headline"]}
    comparable = sorted(
        (abs(k["change"]), k["name"])
        for k in headline.values()
        if k["change"] is not None and k["name"] in selectors.MOVER_CANDIDATES
    )
    assert [c["name"] for c in changes] == [name for _, name in reversed(comparable)][: selectors.MOVERS_SHOWN]
    views = next(c for c in changes if c["name"] == "views")
    # Douyin's views grew, Weibo lost 3 days: both accounts drive the change and their shares add up to it.
    assert views["drivers"][0]["label"] == "抖音主号"
    assert sum(d["share"] for d in views["drivers"]) == pytest.approx(1.0)
    assert sum(d["delta"] for d in views["drivers"]) == views["delta"] == views["value"] - views["previous"]
    engagement = next(c for c in changes if c["name"] == "engagement_rate")
    assert {d["label"] for d in engagement["drivers"]} == {"抖音", "微博"}  # a ratio is explained by platforms


def test_the_pdf_text_holds_the_organization_period_and_headline_numbers(report_org, tmp_path):
    content = selectors.report_content(organization=report_org, start=START, end=END)
    pdf = builder.report_pdf(content)
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "艾克美品牌" in text and "2026-10" in text and "2026-10-01" in text
    [total] = _kpi_api(report_org)
    for name in ("views", "interactions", "engagement_rate", "spend", "revenue", "roas"):
        assert metric_value(name, total["kpis"][name]) in text, name
    assert "A4" in info or "595.92 x 842.88" in info or "595 x 842" in info
    # Chromium (Skia) embeds the CFF-outline Noto CJK glyphs as Type 3 fonts, each with a ToUnicode map:
    # every font is embedded ("emb") and maps to Unicode ("uni"), so the Chinese text is searchable.
    font_rows = [line.split() for line in fonts.splitlines()[2:]]
    assert font_rows and all(row[-5:-2] == ["yes", "no", "yes"] or row[-5] == row[-3] == "yes" for row in font_rows)
    assert "粉丝趋势" in text and "双十一预热" in text and "微博官号" in text
