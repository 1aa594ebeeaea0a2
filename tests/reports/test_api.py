"""/api/v1/report-schedules/ and /api/v1/reports/: roles, validation, tenancy, downloads."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
from reports.models import Report, ReportSchedule, ReportStatus
from reports.services import due_reports_request, schedule_create
from tests.api.conftest import key_client, session_client
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_throttle(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": None}}


def test_create_list_and_send(org, django_capture_on_commit_callbacks):
    client = key_client(org)
    response = client.post(
        "/api/v1/report-schedules/",
        {
            "name": "客户月报",
            "period": "month",
            "formats": ["pdf", "xlsx"],
            "recipients": ["client@example.com"],
            "channels": [{"kind": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdef123"}],
            "send_at": "08:30",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["channels"] == [
        {"kind": "wecom", "has_secret": False, "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcd…"}
    ]
    assert body["send_at"] == "08:30" and body["formats"] == ["pdf", "xlsx"]
    assert client.get("/api/v1/report-schedules/").json()["count"] == 1

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(f"/api/v1/report-schedules/{body['id']}/send/")
    assert response.status_code == 202
    assert len(queued) == 1  # the build is queued for the worker, never run in the request
    start, end = dt.date.fromisoformat(response.json()["start"]), dt.date.fromisoformat(response.json()["end"])
    assert start.day == 1 and end < timezone.localdate()

    report = Report.objects.get()
    Report.objects.filter(pk=report.pk).update(pdf=b"%PDF-1.7 test", pdf_size=13, status=ReportStatus.DELIVERED)
    [listed] = client.get("/api/v1/reports/", {"schedule": body["id"]}).json()["results"]
    assert listed["start"] == start.isoformat() and listed["end"] == end.isoformat() and listed["created_at"]
    assert listed["pdf"] == f"http://testserver/api/v1/reports/{report.pk}/pdf/" and listed["xlsx"] is None
    download = client.get(listed["pdf"])
    assert download.status_code == 200 and download.content == b"%PDF-1.7 test"
    assert download["Content-Type"] == "application/pdf"
    assert client.get(f"/api/v1/reports/{report.pk}/xlsx/").status_code == 404


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"name": "x", "period": "year"}, "period"),
        ({"name": "x", "period": "week", "formats": ["docx"]}, "formats"),
        ({"name": "x", "period": "week", "formats": []}, "formats"),
        ({"name": "x", "period": "week", "recipients": ["not-an-email"]}, "recipients"),
        ({"name": "x", "period": "week", "channels": [{"kind": "wecom", "url": "https://example.com/"}]}, "channels"),
        ({"period": "week"}, "name"),
    ],
)
def test_bad_schedules_are_400_with_the_field(org, payload, field):
    response = key_client(org).post("/api/v1/report-schedules/", payload, format="json")
    assert response.status_code == 400, response.content
    assert field in {e["attr"].split(".")[0] for e in response.json()["errors"]}


def test_viewers_read_analysts_write_and_tenants_are_apart(org):
    schedule = schedule_create(organization=org, name="周报", period="week")
    viewer = session_client(org, Role.VIEWER)
    assert viewer.get("/api/v1/report-schedules/").status_code == 200
    assert viewer.post(f"/api/v1/report-schedules/{schedule.pk}/send/").status_code == 403
    assert viewer.post("/api/v1/report-schedules/", {"name": "x", "period": "week"}, format="json").status_code == 403
    other = key_client(OrganizationFactory(slug="other"))
    assert other.get(f"/api/v1/report-schedules/{schedule.pk}/").status_code == 404
    assert other.post(f"/api/v1/report-schedules/{schedule.pk}/send/").status_code == 404
    report = Report.objects.create(
        organization=org, schedule=schedule, start=dt.date(2026, 10, 26), end=dt.date(2026, 11, 1), pdf=b"%PDF", pdf_size=4
    )
    assert other.get(f"/api/v1/reports/{report.pk}/pdf/").status_code == 404
    assert other.get("/api/v1/reports/").json()["count"] == 0


def test_patch_and_delete(org):
    client = key_client(org)
    schedule = schedule_create(organization=org, name="周报", period="week")
    response = client.patch(f"/api/v1/report-schedules/{schedule.pk}/", {"period": "month", "enabled": False}, format="json")
    assert response.status_code == 200 and response.json()["period"] == "month" and not response.json()["enabled"]
    assert client.delete(f"/api/v1/report-schedules/{schedule.pk}/").status_code == 204
    assert not ReportSchedule.objects.exists()


def test_the_beat_check_requests_each_due_report_once(org, django_capture_on_commit_callbacks):
    weekly = schedule_create(organization=org, name="周报", period="week", send_at=dt.time(9, 0))
    monthly = schedule_create(organization=org, name="月报", period="month", send_at=dt.time(10, 0))
    ReportSchedule.objects.update(created_at=timezone.make_aware(dt.datetime(2026, 10, 1)))
    tz = timezone.get_current_timezone()
    monday_1st = dt.datetime(2027, 3, 1, 9, 5, tzinfo=tz)  # a Monday and a 1st
    with django_capture_on_commit_callbacks(execute=False):
        assert [r.schedule for r in due_reports_request(now=monday_1st)] == [weekly]
        assert due_reports_request(now=monday_1st) == []  # already requested
        [report] = due_reports_request(now=monday_1st.replace(hour=10))
    assert report.schedule == monthly and (report.start, report.end) == (dt.date(2027, 2, 1), dt.date(2027, 2, 28))
    assert Report.objects.get(schedule=weekly).start == dt.date(2027, 2, 22)


def test_lists_answer_csv(org):
    schedule = schedule_create(organization=org, name="周报", period="week", recipients=["a@example.com"])
    Report.objects.create(
        organization=org,
        schedule=schedule,
        start=dt.date(2026, 10, 26),
        end=dt.date(2026, 11, 1),
        deliveries=[{"kind": "email", "target": "a…@example.com", "ok": True, "code": "250", "detail": "accepted"}],
    )
    client = key_client(org)
    for url in ("/api/v1/reports/", "/api/v1/report-schedules/"):
        response = client.get(url, {"format": "csv"})
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv"), url
    assert "2026-10-26" in client.get("/api/v1/reports/", {"format": "csv"}).content.decode("utf-8-sig")
