"""A report's content rendered three ways: the printable HTML page, a PDF of that page through Debian's
Chromium (Playwright, after the Plotly charts have drawn), and an XLSX with one sheet per section."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from analytics.kpis import KPI_NAMES
from dashboards.catalog import METRICS
from dashboards.figures import follower_trend, to_json
from socialmetrics import preflight
from socialmetrics.spreadsheets import xlsx_append

from .glossary import FORMULAS, RULES

PDF_TIMEOUT_MS = 60_000
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
NUMBER_FORMATS = {
    "money": '"¥"#,##0.00',
    "rate": "0.00%",
    "count": "#,##0",
    "ratio": "0.00",
    "number": "0.00",
    "change": "+0.0%;-0.0%;0.0%",
    "date": "yyyy-mm-dd",
}


def _text(value) -> str:
    return "" if value is None else str(value)


# ---------------------------------------------------------------- HTML and PDF


def report_html(content: dict, *, for_pdf: bool, asset_url, back_url: str = "") -> str:
    """The report page; `asset_url(name)` gives a static file's URL (the site's, or file:// for the PDF)."""
    post_groups = [
        (_("表现最好的内容（按互动率）"), content["top_posts"]),
        (_("表现最弱的内容（按互动率）"), content["bottom_posts"]),
    ]
    return render_to_string(
        "reports/report.html",
        {
            "r": content,
            "for_pdf": for_pdf,
            "plotly_src": asset_url("vendor/plotly.min.js"),
            "report_js_src": asset_url("js/report.js"),
            "back_url": back_url,
            "post_groups": post_groups,
            "follower_figure": to_json(follower_trend(content["followers"])),
        },
    )


def report_pdf(content: dict) -> bytes:
    """A4 PDF of the report page: Chromium lays out the same HTML as the browser page (system CJK fonts,
    embedded as subsets, so the text stays searchable) once every chart has drawn."""
    from playwright.sync_api import sync_playwright

    html = report_html(content, for_pdf=True, asset_url=lambda name: Path(finders.find(name)).as_uri())
    with tempfile.TemporaryDirectory(prefix="report-") as workdir:
        page_file = Path(workdir) / "report.html"
        page_file.write_text(html, encoding="utf-8")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=preflight.chromium_path(), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.route(
                    "**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort()
                )
                page.goto(page_file.as_uri(), wait_until="load", timeout=PDF_TIMEOUT_MS)
                page.wait_for_function("window.reportReady === true", timeout=PDF_TIMEOUT_MS)
                return page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
            finally:
                browser.close()


# ---------------------------------------------------------------- XLSX


def _kind(name: str) -> str:
    return METRICS[name].kind if name in METRICS else "number"


class _Sheet:
    def __init__(self, workbook: Workbook, title: str, header: list[str]):
        self.sheet = workbook.create_sheet(title)
        xlsx_append(self.sheet, [_text(h) for h in header])
        for cell in self.sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="EEF2FF")
        self.sheet.freeze_panes = "A2"

    def row(self, cells: list[tuple]):
        """`cells`: (value, kind) pairs; kind None = text (neutralised), else a number format."""
        xlsx_append(self.sheet, [_text(v) if kind is None else v for v, kind in cells])
        for cell, (value, kind) in zip(self.sheet[self.sheet.max_row], cells, strict=True):
            if kind is not None and value is not None:
                cell.number_format = NUMBER_FORMATS[kind]

    def widths(self, *widths: int):
        for column, width in zip("ABCDEFGHIJKLMNOP", widths, strict=False):
            self.sheet.column_dimensions[column].width = width


def report_xlsx(content: dict) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)

    overview = _Sheet(workbook, _("核心指标"), [_("指标"), _("代码"), _("本期"), _("上期"), _("变化"), _("覆盖率")])
    overview.row(
        [
            (content["organization"], None),
            (content["period_label"], None),
            (None, "count"),
            (None, "count"),
            (None, "change"),
            (None, "rate"),
        ]
    )
    for k in content["headline"]:
        overview.row(
            [
                (k["label"], None),
                (k["name"], None),
                (k["value"], _kind(k["name"])),
                (k["previous"], _kind(k["name"])),
                (k["change"], "change"),
                (k["coverage"], "rate"),
            ]
        )
    overview.widths(16, 24, 16, 16, 10, 10)

    changes = _Sheet(
        workbook,
        _("变化要点"),
        [_("指标"), _("变化"), _("上期"), _("本期"), _("驱动"), _("驱动上期"), _("驱动本期"), _("占变化")],
    )
    for c in content["changes"]:
        kind = _kind(c["name"])
        for d in c["drivers"] or [None]:
            changes.row(
                [
                    (c["label"], None),
                    (c["change"], "change"),
                    (c["previous"], kind),
                    (c["value"], kind),
                    (d and d["label"], None),
                    (d and d["previous"], kind),
                    (d and d["value"], kind),
                    (d and d["share"], "rate"),
                ]
            )
    changes.widths(14, 10, 14, 14, 24, 14, 14, 10)

    followers = _Sheet(workbook, _("粉丝趋势"), [_("日期"), _("平台"), _("粉丝数")])
    for row in content["followers"].itertuples(index=False):
        value = None if row.followers != row.followers else int(row.followers)
        followers.row([(row.period.date(), "date"), (row.platform, None), (value, "count")])
    followers.widths(12, 12, 14)

    names = [k["name"] for k in content["platforms"][0]["kpis"]] if content["platforms"] else []
    platforms = _Sheet(
        workbook,
        _("分平台"),
        [_("平台"), *[str(METRICS[n].label) for n in names], *[f"{METRICS[n].label} {_('变化')}" for n in names]],
    )
    for p in content["platforms"]:
        platforms.row(
            [
                (p["label"], None),
                *[(k["value"], _kind(k["name"])) for k in p["kpis"]],
                *[(k["change"], "change") for k in p["kpis"]],
            ]
        )
    platforms.widths(12, *[14] * (2 * len(names)))

    posts = _Sheet(
        workbook,
        _("内容"),
        [
            _("分组"),
            _("标题"),
            _("平台"),
            _("账号"),
            _("发布时间"),
            _("阅读/播放"),
            _("互动"),
            _("互动率"),
            _("完播率"),
            _("链接"),
        ],
    )
    for group, rows in ((_("最好"), content["top_posts"]), (_("最弱"), content["bottom_posts"])):
        for p in rows:
            published = (
                p["published_at"].tz_localize(None).to_pydatetime()
                if p["published_at"] is not None and p["published_at"] == p["published_at"]
                else None
            )
            posts.row(
                [
                    (group, None),
                    (p["title"], None),
                    (p["platform"], None),
                    (p["account"], None),
                    (published, "date"),
                    (p["views"], "count"),
                    (p["interactions"], "count"),
                    (p["engagement_rate"], "rate"),
                    (p["completion_rate"], "rate"),
                    (p["url"], None),
                ]
            )
    posts.widths(8, 40, 10, 16, 18, 12, 10, 10, 10, 30)

    campaign_names = [k["name"] for k in content["campaigns"][0]["kpis"]] if content["campaigns"] else []
    campaigns = _Sheet(workbook, _("投放活动"), [_("活动"), *[str(METRICS[n].label) for n in campaign_names]])
    for c in content["campaigns"]:
        campaigns.row([(c["name"], None), *[(k["value"], _kind(k["name"])) for k in c["kpis"]]])
    campaigns.widths(24, *[14] * len(campaign_names))

    alerts = _Sheet(workbook, _("本期告警"), [_("日期"), _("范围"), _("指标"), _("值"), _("变化"), _("说明")])
    for a in content["alerts"]:
        alerts.row(
            [
                (a["date"], "date"),
                (a["scope"], None),
                (a["metric"], None),
                (a["value"], "number"),
                (a["change"], "change"),
                (a["summary"], None),
            ]
        )
    alerts.widths(12, 20, 14, 12, 10, 60)

    health = _Sheet(
        workbook, _("数据健康"), [_("平台"), _("账号"), _("状态"), _("有数据天数"), _("缺失天数"), _("失败同步"), _("说明")]
    )
    for h in content["health"]:
        health.row(
            [
                (h["platform"], None),
                (h["account"], None),
                (h["status"], None),
                (h["days_reported"], "count"),
                (h["days_missing"], "count"),
                (h["failed_runs"], "count"),
                (h["detail"], None),
            ]
        )
    health.widths(10, 20, 14, 12, 10, 10, 40)

    glossary = _Sheet(workbook, _("指标说明"), [_("代码"), _("指标"), _("公式")])
    for name in KPI_NAMES:
        label = METRICS[name].label if name in METRICS else name
        glossary.row([(name, None), (str(label), None), (str(FORMULAS.get(name, _("原始指标：期内之和"))), None)])
    for rule in RULES:
        glossary.row([("", None), ("", None), (str(rule), None)])
    glossary.widths(28, 16, 80)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
