"""The reports page, the printable report page, downloads, and the data page's line about failures."""

import datetime as dt

import pytest

from reports.models import Report, ReportSchedule, ReportStatus
from reports.services import schedule_create
from tests.alerts.test_page import login
from tests.reports.conftest import OCTOBER

pytestmark = pytest.mark.django_db


def test_analysts_create_a_schedule_and_send_now(client, org, django_capture_on_commit_callbacks):
    login(client, org)
    response = client.post(
        "/reports/",
        {
            "name": "管理层周报",
            "period": "week",
            "send_at": "09:30",
            "formats": ["pdf", "xlsx"],
            "recipients": "a@example.com, b@example.com",
        },
    )
    assert response.status_code == 302
    schedule = ReportSchedule.objects.get()
    assert schedule.recipients == ["a@example.com", "b@example.com"] and schedule.send_at == dt.time(9, 30)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(f"/reports/schedules/{schedule.pk}/send/", follow=True)
    assert len(queued) == 1
    page = response.content.decode()
    assert "已进入队列" in page and "管理层周报" in page and "排队中" in page
    assert 'href="/reports/"' in page  # the navigation link


def test_bad_form_input_is_a_400_with_the_field_message(client, org):
    login(client, org)
    response = client.post(
        "/reports/",
        {
            "name": "x",
            "period": "week",
            "send_at": "09:00",
            "formats": ["pdf"],
            "recipients": "nobody",
            "channel_kind": "dingtalk",
            "channel_url": "https://oapi.dingtalk.com/robot/send",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "nobody 不是邮箱地址" in page and "access_token" in page
    assert not ReportSchedule.objects.exists()


def test_viewers_cannot_send(client, org):
    schedule = schedule_create(organization=org, name="周报", period="week")
    login(client, org, role="viewer")
    page = client.post(f"/reports/schedules/{schedule.pk}/send/", follow=True).content.decode()
    assert "查看者只能看报表" in page and not Report.objects.exists()


def test_history_downloads_and_failures_on_the_data_page(client, org):
    schedule = schedule_create(organization=org, name="客户月报", period="month")
    built = Report.objects.create(
        organization=org,
        schedule=schedule,
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 10, 31),
        status=ReportStatus.DELIVERED,
        xlsx=b"PK\x03\x04",
        xlsx_size=4,
    )
    Report.objects.create(
        organization=org,
        schedule=schedule,
        start=dt.date(2026, 9, 1),
        end=dt.date(2026, 9, 30),
        status=ReportStatus.DELIVERY_FAILED,
        error="email bo…@example.com: 550 mailbox unavailable",
    )
    login(client, org)
    page = client.get("/reports/").content.decode()
    assert f'href="/reports/{built.pk}/xlsx/"' in page and "550 mailbox unavailable" in page
    download = client.get(f"/reports/{built.pk}/xlsx/")
    assert download.status_code == 200 and download.content == b"PK\x03\x04"
    assert f"{org.slug}-report-2026-10-01-2026-10-31.xlsx" in download["Content-Disposition"]
    assert client.get(f"/reports/{built.pk}/pdf/").status_code == 404  # not built
    status_page = client.get("/data/").content.decode()
    assert "报表失败" in status_page and "550 mailbox unavailable" in status_page and 'href="/reports/"' in status_page


def test_the_printable_page_for_any_window(client, report_org):
    login(client, report_org)
    page = client.get("/reports/view/", {"start": OCTOBER[0], "end": OCTOBER[1]}).content.decode()
    assert "艾克美品牌" in page and "2026-10-01" in page and "双十一预热" in page and "/static/vendor/plotly" in page
    assert "需要重新授权" in page and "变化要点" in page
    bad = client.get("/reports/view/", {"start": "2026-10-31", "end": "2026-10-01"})
    assert bad.status_code == 400 and "结束日期早于开始日期" in bad.content.decode()
