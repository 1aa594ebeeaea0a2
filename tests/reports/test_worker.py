"""A real Celery worker builds and delivers: "send now" through the API queues the task, the worker builds
the PDF and XLSX, mails them to a real SMTP server and uploads them to the WeCom robot."""

import os
import time

import environ
import pytest
from aiosmtpd.controller import Controller

from reports.models import Report, ReportStatus
from reports.services import schedule_create
from socialmetrics.celery import app
from tests.alerts.test_email import Mailbox, _authenticate, _free_port
from tests.alerts.test_worker import alert_worker, servers  # noqa: F401  (the worker and its robots)
from tests.api.conftest import key_client
from tests.reports.conftest import report_org  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module", autouse=True)
def mailbox():
    """Started before the worker, which reads EMAIL_URL from its environment."""
    mailbox = Mailbox()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=_free_port(), authenticator=_authenticate, auth_require_tls=False
    )
    controller.start()
    previous = os.environ.get("EMAIL_URL")
    os.environ["EMAIL_URL"] = f"smtp://alerts:pw@127.0.0.1:{controller.port}"
    yield mailbox
    controller.stop()
    if previous is None:
        del os.environ["EMAIL_URL"]
    else:
        os.environ["EMAIL_URL"] = previous


@pytest.fixture
def worker_queue(alert_worker):  # noqa: F811
    """Tasks this process sends go to the test worker's queue."""
    queue, log = alert_worker
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    yield queue, log
    app.conf.task_default_queue = previous


def test_send_now_is_built_and_delivered_by_the_worker(worker_queue, servers, report_org, mailbox, settings):  # noqa: F811
    queue, log = worker_queue
    _, robots = servers
    settings.WEBHOOK_ALLOWED_HOSTS = [robots.host_port]
    for name, value in environ.Env.email_url_config(os.environ["EMAIL_URL"]).items():
        setattr(settings, name, value)
    schedule = schedule_create(
        organization=report_org, name="周报", period="week", recipients=["boss@example.com"], channels=[robots.wecom()]
    )

    response = key_client(report_org).post(f"/api/v1/report-schedules/{schedule.pk}/send/")
    assert response.status_code == 202, response.content
    report_id = response.json()["report"]

    deadline = time.monotonic() + 120
    while Report.objects.get(pk=report_id).finished_at is None:
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.5)
    report = Report.objects.get(pk=report_id)
    assert report.status == ReportStatus.DELIVERED, (report.error, log.read_text()[-3000:])
    assert report.pdf_size > 10_000 and report.xlsx_size > 5_000 and report.build_seconds > 0
    [(recipients, mail)] = mailbox.messages
    assert recipients == ["boss@example.com"]
    assert sorted(a.get_content_type() for a in mail.iter_attachments()) == [
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ]
    assert len(robots.received["wecom_upload"]) == 2
    assert "reports.tasks.report_build_deliver" in log.read_text()
