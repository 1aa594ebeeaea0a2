"""Email through a real SMTP server (aiosmtpd) on 127.0.0.1, configured the way EMAIL_URL configures it."""

import email
import socket
from email.policy import default

import environ
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from alerts import channels
from alerts.channels import Attachment, Message


class Mailbox:
    def __init__(self):
        self.messages = []
        self.refuse = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=default)))
        return "250 Message accepted for delivery"


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"alerts", b"pw")
    return AuthResult(success=ok)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    mailbox = Mailbox()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=_free_port(), authenticator=_authenticate, auth_require_tls=False
    )
    controller.start()
    # What settings do with EMAIL_URL=smtp://alerts:pw@127.0.0.1:PORT
    config = environ.Env.email_url_config(f"smtp://alerts:pw@127.0.0.1:{controller.port}")
    for name, value in config.items():
        setattr(settings, name, value)
    yield mailbox
    controller.stop()


def test_email_carries_html_text_and_attachments(smtp):
    message = Message(
        title="【告警】播放下跌",
        markdown="**播放下降 25%**",
        text="播放下降 25%",
        html="<h2>播放下降 25%</h2>",
        link="http://127.0.0.1:8000/alerts/",
        attachments=(Attachment("周报.xlsx", b"PK\x03\x04xlsx", "application/vnd.ms-excel"),),
    )
    result = channels.send({"kind": "email", "address": "ops@example.com"}, message)
    assert (result.ok, result.code) == (True, "250")
    [(recipients, mail)] = smtp.messages
    assert recipients == ["ops@example.com"]
    assert mail["Subject"] == "【告警】播放下跌"
    assert mail.get_body(("plain",)).get_content().startswith("播放下降 25%")
    assert "http://127.0.0.1:8000/alerts/" in mail.get_body(("plain",)).get_content()
    assert mail.get_body(("html",)).get_content().strip() == "<h2>播放下降 25%</h2>"
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "周报.xlsx"
    assert attachment.get_content() == b"PK\x03\x04xlsx"


def test_a_refused_recipient_is_a_permanent_failure_with_the_smtp_code(smtp):
    smtp.refuse.add("gone@example.com")
    result = channels.send(
        {"kind": "email", "address": "gone@example.com"}, Message(title="t", markdown="m", text="t", html="<p>t</p>")
    )
    assert (result.ok, result.code, result.transient) == (False, "550", False)
    assert smtp.messages == []


def test_an_unreachable_mail_server_is_transient(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()
    result = channels.send(
        {"kind": "email", "address": "ops@example.com"}, Message(title="t", markdown="m", text="t", html="<p>t</p>")
    )
    assert (result.ok, result.code, result.transient) == (False, "smtp", True)
