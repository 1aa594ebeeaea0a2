"""send_report end to end in this process: a real SMTP server (aiosmtpd) gets the mail with both files,
the WeCom robot gets the file through upload_media, DingTalk the summary and link; failures are recorded."""

import datetime as dt
import io
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from reports.models import Report, ReportStatus
from reports.services import schedule_create
from tests.alerts.robots import Robots
from tests.alerts.test_email import smtp  # noqa: F401  (the aiosmtpd fixture)

pytestmark = pytest.mark.django_db

NOVEMBER_2 = "2026-11-02"  # a Monday: the weekly report covers ISO week 44, Oct 26 – Nov 1


@pytest.fixture
def robots(settings):
    with Robots() as robots:
        settings.WEBHOOK_ALLOWED_HOSTS = [robots.host_port]
        yield robots


def test_send_report_mails_both_files_and_posts_to_robots(report_org, smtp, robots, capsys, tmp_path):  # noqa: F811
    schedule = schedule_create(
        organization=report_org,
        name="月报",
        period="month",
        recipients=["boss@example.com"],
        channels=[robots.wecom(), robots.dingtalk()],
    )
    call_command("send_report", "--schedule", str(schedule.pk), "--date", "2026-11-01")
    out = capsys.readouterr().out
    assert out.startswith(f"report {Report.objects.get().pk}: acme 2026-10-01..2026-10-31 delivered") and "3/3" in out

    [(recipients, mail)] = smtp.messages
    assert recipients == ["boss@example.com"]
    assert mail["Subject"] == "艾克美品牌 月报 2026-10"
    files = {a.get_filename(): a for a in mail.iter_attachments()}
    assert set(files) == {"acme-report-2026-10-01-2026-10-31.pdf", "acme-report-2026-10-01-2026-10-31.xlsx"}
    pdf = files["acme-report-2026-10-01-2026-10-31.pdf"].get_content()
    assert pdf.startswith(b"%PDF") and files["acme-report-2026-10-01-2026-10-31.pdf"].get_content_type() == "application/pdf"
    (tmp_path / "r.pdf").write_bytes(pdf)
    assert (
        "艾克美品牌"
        in subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    )
    workbook = load_workbook(io.BytesIO(files["acme-report-2026-10-01-2026-10-31.xlsx"].get_content()))
    assert "核心指标" in workbook.sheetnames
    assert "阅读/播放" in mail.get_body(("plain",)).get_content()

    assert robots.received["wecom_upload"] == [
        "acme-report-2026-10-01-2026-10-31.pdf",
        "acme-report-2026-10-01-2026-10-31.xlsx",
    ]
    assert "阅读/播放" in robots.received["wecom"][0]["markdown"]["content"]
    assert [b["msgtype"] for b in robots.received["wecom"]] == ["markdown", "file", "file"]
    [ding] = robots.received["dingtalk"]
    assert "/reports/" in ding["markdown"]["text"] and ding["markdown"]["title"] == "艾克美品牌 月报 2026-10"

    report = Report.objects.get()
    assert report.status == ReportStatus.DELIVERED and report.error == ""
    assert [d["ok"] for d in report.deliveries] == [True, True, True]


def test_weekly_window_and_rerun_rebuilds_the_same_report(report_org, smtp):  # noqa: F811
    schedule = schedule_create(
        organization=report_org, name="周报", period="week", formats=["xlsx"], recipients=["ops@example.com"]
    )
    call_command("send_report", "--schedule", str(schedule.pk), "--date", NOVEMBER_2)
    call_command("send_report", "--schedule", str(schedule.pk), "--date", "2026-11-04")
    [report] = Report.objects.all()
    assert (report.start, report.end) == (dt.date(2026, 10, 26), dt.date(2026, 11, 1))
    assert len(smtp.messages) == 2
    assert [a.get_filename() for a in smtp.messages[0][1].iter_attachments()] == ["acme-report-2026-10-26-2026-11-01.xlsx"]


def test_a_refused_recipient_is_recorded_and_the_command_fails(report_org, smtp):  # noqa: F811
    smtp.refuse.add("gone@example.com")
    schedule = schedule_create(
        organization=report_org, name="月报", period="month", recipients=["gone@example.com", "boss@example.com"]
    )
    with pytest.raises(CommandError, match="delivery_failed: email go…@example.com: 550"):
        call_command("send_report", "--schedule", str(schedule.pk), "--date", "2026-11-01")
    report = Report.objects.get()
    assert report.status == ReportStatus.DELIVERY_FAILED and "550" in report.error
    assert len(smtp.messages) == 1  # the other recipient still got it
    assert report.pdf_size > 0  # the files were built and stay downloadable


def test_a_failed_build_is_recorded_with_its_reason(report_org, settings, monkeypatch):
    monkeypatch.setenv("CHROMIUM_PATH", "/nonexistent/chromium")
    schedule = schedule_create(organization=report_org, name="月报", period="month")
    with pytest.raises(CommandError, match="build_failed"):
        call_command("send_report", "--schedule", str(schedule.pk), "--date", "2026-11-01")
    report = Report.objects.get()
    assert report.status == ReportStatus.BUILD_FAILED and "/nonexistent/chromium" in report.error


@pytest.mark.parametrize(
    "args, message",
    [
        (["--schedule", "999999"], "no report schedule with id 999999"),
        (["--schedule", "1", "--date", "2026-13-01"], "is not a date"),
    ],
)
def test_send_report_bad_arguments(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("send_report", *args)
