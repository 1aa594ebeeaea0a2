"""Delivery channels — WeCom, DingTalk and Feishu group robots, email, a generic JSON webhook — behind
one function, `send(channel, message) -> DeliveryResult`, shared by alerts and scheduled reports.

`channel` is a dict: `{"kind": wecom|dingtalk|feishu|email|webhook, "url": …}` (or `"address"` for
email) with an optional `"secret"` (DingTalk/Feishu signing secret, webhook HMAC key).

The three chat robots answer HTTP 200 with an error code in the body: success is judged by that
code, and every result says whether trying again later can help (`transient`). Outgoing HTTP
refuses private, loopback and link-local destinations and never follows redirects, unless the
destination's `host:port` is in `WEBHOOK_ALLOWED_HOSTS`. Webhook URLs and secrets are credentials:
only `mask()`ed forms are logged or shown.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import logging
import smtplib
import socket
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit, urlunsplit

import redis
import requests
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.validators import EmailValidator, ValidationError

logger = logging.getLogger(__name__)

KINDS = ("wecom", "dingtalk", "feishu", "email", "webhook")
ROBOTS = ("wecom", "dingtalk", "feishu")
HTTP_TIMEOUT = 10

# Documented limits: WeCom markdown content ≤ 4096 bytes; Feishu request body ≤ 20 KB; DingTalk
# content ≤ 20,000 bytes. Each robot takes at most 20 messages a minute (DingTalk then mutes the
# robot for 10 minutes), so messages beyond that are held back (`rate_limited`, transient).
WECOM_MARKDOWN_MAX_BYTES = 4096
DINGTALK_MAX_BYTES = 20_000
FEISHU_MAX_BODY_BYTES = 20 * 1024
ROBOT_MESSAGES_PER_MINUTE = 20

# Body error codes that mean "later": rate limits and "system busy". Every other non-zero code is
# permanent (bad key 93000, DingTalk 310000 signature/keyword/IP, Feishu 19021 signature, 19024 IP
# or keyword…): retrying cannot fix a configuration.
TRANSIENT_CODES = {
    "wecom": {"45009", "-1"},
    "dingtalk": {"130101", "-1"},
    "feishu": {"11232", "-1"},
}


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"


@dataclass(frozen=True)
class Message:
    title: str
    markdown: str
    text: str
    html: str
    link: str | None = None
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    code: str | None
    detail: str
    transient: bool


def _ok(detail: str = "sent", code: str | None = "0") -> DeliveryResult:
    return DeliveryResult(ok=True, code=code, detail=detail, transient=False)


def _failed(code: str | None, detail: str, *, transient: bool) -> DeliveryResult:
    return DeliveryResult(ok=False, code=code, detail=detail, transient=transient)


# ---------------------------------------------------------------- validation, identity, masking


def channel_errors(channel) -> dict[str, str]:
    """What is wrong with a channel dict, by field (empty when it is usable)."""
    if not isinstance(channel, dict):
        return {"kind": "a channel is an object {kind, url | address, secret?}"}
    kind = channel.get("kind")
    if kind not in KINDS:
        return {"kind": f"unknown channel kind {kind!r}; expected one of {', '.join(KINDS)}"}
    if kind == "email":
        try:
            EmailValidator()(channel.get("address") or "")
        except ValidationError:
            return {"address": f"{channel.get('address')!r} is not an email address"}
        return {}
    url = channel.get("url") or ""
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        return {"url": "a webhook URL starting with https:// (or http://) is needed"}
    if kind == "wecom" and not dict(parse_qsl(parts.query)).get("key"):
        return {"url": "a WeCom robot URL carries its key: …/cgi-bin/webhook/send?key=…"}
    if kind == "dingtalk" and not dict(parse_qsl(parts.query)).get("access_token"):
        return {"url": "a DingTalk robot URL carries its token: …/robot/send?access_token=…"}
    if "secret" in channel and not isinstance(channel["secret"], str):
        return {"secret": "the secret is a string"}
    return {}


def form_channel(kind: str | None, target: str | None, secret: str | None) -> tuple[list[dict], list[str]]:
    """The channels a page form's one (kind, URL or address, secret) row gives, and what is wrong with it."""
    if not kind:
        return [], []
    channel = {"kind": kind, "address" if kind == "email" else "url": (target or "").strip()}
    if secret:
        channel["secret"] = secret
    return [channel], list(channel_errors(channel).values())


def channel_key(channel: dict) -> str:
    """Identifies one robot or mailbox (for rate limits and digests) without revealing it."""
    target = channel.get("address") if channel.get("kind") == "email" else channel.get("url")
    return hashlib.sha256(f"{channel.get('kind')}|{target}".encode()).hexdigest()[:32]


def mask(value: str | None) -> str:
    """A URL or address safe to log and show: the host and path stay, tokens and keys are cut."""
    if not value:
        return ""
    if "@" in value and "://" not in value:
        name, _, domain = value.partition("@")
        return f"{name[:2]}…@{domain}"
    parts = urlsplit(value)
    query = "&".join(f"{k}={v[:4]}…" if v else k for k, v in parse_qsl(parts.query))
    path = parts.path
    if len(path) > 24:  # Feishu's token is the last path segment
        head, _, last = path.rpartition("/")
        path = f"{head}/{last[:4]}…"
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], path, query, ""))


def channel_target(channel: dict) -> str:
    return mask(channel.get("address") if channel.get("kind") == "email" else channel.get("url"))


# ---------------------------------------------------------------- outgoing HTTP, guarded


class DestinationRefused(Exception):
    """The URL points where outgoing requests may not go."""


def _is_internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any((ip.is_private, ip.is_loopback, ip.is_link_local, ip.is_multicast, ip.is_reserved, ip.is_unspecified))


def destination_check(url: str) -> None:
    """Refuse URLs resolving to private, loopback, link-local (cloud metadata) or other internal
    addresses, unless `host:port` is listed in WEBHOOK_ALLOWED_HOSTS."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DestinationRefused(f"not an http(s) URL: {mask(url)}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = parts.hostname
    if f"{host}:{port}" in settings.WEBHOOK_ALLOWED_HOSTS:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (socket.gaierror, UnicodeError) as exc:
        raise DestinationRefused(f"cannot resolve {host}: {exc}") from None
    internal = sorted(a for a in addresses if _is_internal(a))
    if internal:
        raise DestinationRefused(
            f"{host}:{port} resolves to an internal address ({', '.join(internal)}); "
            "add it to WEBHOOK_ALLOWED_HOSTS if it is really meant"
        )


def _post(url: str, **kwargs) -> requests.Response | DeliveryResult:
    """POST through the guard, without following redirects; a DeliveryResult when it went wrong."""
    try:
        destination_check(url)
        response = requests.post(url, timeout=HTTP_TIMEOUT, allow_redirects=False, **kwargs)
    except DestinationRefused as exc:
        return _failed("refused", str(exc), transient=False)
    except requests.RequestException as exc:
        return _failed("network", f"{type(exc).__name__} reaching {mask(url)}", transient=True)
    if response.is_redirect or 300 <= response.status_code < 400:
        return _failed(f"http_{response.status_code}", "redirect refused (webhooks are not followed)", transient=False)
    if response.status_code == 429 or response.status_code >= 500:
        return _failed(f"http_{response.status_code}", f"HTTP {response.status_code}", transient=True)
    if response.status_code >= 400:
        return _failed(
            f"http_{response.status_code}", f"HTTP {response.status_code}: {response.text[:200]}", transient=False
        )
    return response


def _body_result(kind: str, response: requests.Response, code_field: str) -> DeliveryResult:
    """Judge a robot's answer by the error code in its body (HTTP is 200 either way)."""
    try:
        body = response.json()
    except ValueError:
        return _failed("bad_response", f"not JSON: {response.text[:200]}", transient=True)
    code = str(body.get(code_field, body.get("StatusCode", "")))
    detail = str(body.get("errmsg") or body.get("msg") or body.get("StatusMessage") or "")
    if code == "0":
        return _ok(detail or "ok")
    return _failed(code, detail or "error", transient=code in TRANSIENT_CODES[kind])


def _json_bytes(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


def _truncate(text: str, max_bytes: int) -> str:
    """`text` cut to at most `max_bytes` of UTF-8, on a character boundary, marked with "…"."""
    raw = text.encode()
    if len(raw) <= max_bytes:
        return text
    return raw[: max(max_bytes - 3, 0)].decode(errors="ignore") + "…"


def _fit(render, markdown: str, max_bytes: int) -> bytes:
    """The largest `render(markdown prefix)` body that is at most `max_bytes` long."""
    body = _json_bytes(render(markdown))
    budget = len(markdown.encode())
    while len(body) > max_bytes and budget > 0:
        budget -= max(len(body) - max_bytes, 16)
        body = _json_bytes(render(_truncate(markdown, budget)))
    return body


def _with_link(markdown: str, link: str | None, label: str = "查看看板") -> tuple[str, str]:
    """(markdown, suffix): the link goes last and survives truncation."""
    return markdown, (f"\n\n[{label}]({link})" if link else "")


# ---------------------------------------------------------------- rate limit per robot


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def _rate_slot(channel: dict) -> bool:
    """Take one of the robot's messages of the current minute (sliding 60 s window in Redis).
    Fails open when Redis is down: a rare burst beats a lost alert."""
    key = f"robot-sends:{channel_key(channel)}"
    now = time.time()
    try:
        client = _redis()
        with client.pipeline() as pipe:
            pipe.zremrangebyscore(key, 0, now - 60)
            pipe.zcard(key)
            _, used = pipe.execute()
        if used >= ROBOT_MESSAGES_PER_MINUTE:
            return False
        client.zadd(key, {f"{now:.6f}": now})
        client.expire(key, 120)
    except redis.RedisError:
        logger.warning("robot rate limit unavailable (Redis down); sending anyway")
    return True


# ---------------------------------------------------------------- the channels


def _wecom_send(channel: dict, message: Message) -> DeliveryResult:
    url = channel["url"]
    markdown, suffix = _with_link(message.markdown, message.link)
    content = _truncate(markdown, WECOM_MARKDOWN_MAX_BYTES - len(suffix.encode())) + suffix
    response = _post(
        url,
        data=_json_bytes({"msgtype": "markdown", "markdown": {"content": content}}),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    if isinstance(response, DeliveryResult):
        return response
    result = _body_result("wecom", response, "errcode")
    for attachment in message.attachments:
        if not result.ok:
            break
        result = _wecom_send_file(url, attachment)
    return result


def _wecom_send_file(send_url: str, attachment: Attachment) -> DeliveryResult:
    """A file goes in two steps: upload_media (type=file) returns a media_id, then a `file` message."""
    parts = urlsplit(send_url)
    key = dict(parse_qsl(parts.query))["key"]
    upload_path = parts.path.rsplit("/", 1)[0] + "/upload_media"
    upload_url = urlunsplit((parts.scheme, parts.netloc, upload_path, urlencode({"key": key, "type": "file"}), ""))
    response = _post(upload_url, files={"media": (attachment.filename, attachment.content, attachment.mimetype)})
    if isinstance(response, DeliveryResult):
        return response
    uploaded = _body_result("wecom", response, "errcode")
    if not uploaded.ok:
        return uploaded
    media_id = response.json().get("media_id")
    response = _post(
        send_url,
        data=_json_bytes({"msgtype": "file", "file": {"media_id": media_id}}),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    return response if isinstance(response, DeliveryResult) else _body_result("wecom", response, "errcode")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk: Base64(HmacSHA256(key=secret, "timestamp\\nsecret")), URL-encoded into the query."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def _dingtalk_send(channel: dict, message: Message) -> DeliveryResult:
    url = channel["url"]
    if channel.get("secret"):
        timestamp = int(time.time() * 1000)
        url = f"{url}&timestamp={timestamp}&sign={dingtalk_sign(channel['secret'], timestamp)}"
    markdown, suffix = _with_link(message.markdown, message.link)

    def render(text):
        return {"msgtype": "markdown", "markdown": {"title": message.title, "text": f"## {message.title}\n\n{text}{suffix}"}}

    body = _fit(render, markdown, DINGTALK_MAX_BYTES)
    response = _post(url, data=body, headers={"Content-Type": "application/json; charset=utf-8"})
    return response if isinstance(response, DeliveryResult) else _body_result("dingtalk", response, "errcode")


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu: Base64(HmacSHA256(key="timestamp\\nsecret", empty message)), sent in the body."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _feishu_send(channel: dict, message: Message) -> DeliveryResult:
    signed = {}
    if channel.get("secret"):
        timestamp = int(time.time())
        signed = {"timestamp": str(timestamp), "sign": feishu_sign(channel["secret"], timestamp)}

    def render(text):
        elements = [{"tag": "div", "text": {"tag": "lark_md", "content": text}}]
        if message.link:
            elements.append(
                {
                    "tag": "action",
                    "actions": [
                        {
                            "tag": "button",
                            "text": {"tag": "plain_text", "content": "查看看板"},
                            "url": message.link,
                            "type": "primary",
                        }
                    ],
                }
            )
        card = {
            "config": {"wide_screen_mode": True},
            "header": {"title": {"tag": "plain_text", "content": message.title}, "template": "red"},
            "elements": elements,
        }
        return {**signed, "msg_type": "interactive", "card": card}

    body = _fit(render, message.markdown, FEISHU_MAX_BODY_BYTES)
    response = _post(channel["url"], data=body, headers={"Content-Type": "application/json; charset=utf-8"})
    return response if isinstance(response, DeliveryResult) else _body_result("feishu", response, "code")


def _webhook_send(channel: dict, message: Message) -> DeliveryResult:
    body = _json_bytes(
        {
            "title": message.title,
            "text": message.text,
            "markdown": message.markdown,
            "link": message.link,
            "attachments": [
                {"filename": a.filename, "mimetype": a.mimetype, "size": len(a.content)} for a in message.attachments
            ],
        }
    )
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if channel.get("secret"):  # lets the receiver check the sender: HMAC-SHA256 of the body
        headers["X-Signature-256"] = "sha256=" + hmac.new(channel["secret"].encode(), body, hashlib.sha256).hexdigest()
    response = _post(channel["url"], data=body, headers=headers)
    return (
        response if isinstance(response, DeliveryResult) else _ok(f"HTTP {response.status_code}", str(response.status_code))
    )


def _email_send(channel: dict, message: Message) -> DeliveryResult:
    email = EmailMultiAlternatives(
        subject=message.title,
        body=message.text + (f"\n\n{message.link}" if message.link else ""),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[channel["address"]],
    )
    email.attach_alternative(message.html, "text/html")
    for attachment in message.attachments:
        email.attach(attachment.filename, attachment.content, attachment.mimetype)
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as exc:
        code, reply = next(iter(exc.recipients.values()))
        return _failed(str(code), reply.decode(errors="replace"), transient=400 <= code < 500)
    except smtplib.SMTPResponseException as exc:
        reply = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return _failed(str(exc.smtp_code), reply, transient=400 <= exc.smtp_code < 500)
    except (smtplib.SMTPException, OSError) as exc:
        return _failed("smtp", f"{type(exc).__name__}: {exc}", transient=True)
    return _ok("accepted by the mail server", "250")


SENDERS = {
    "wecom": _wecom_send,
    "dingtalk": _dingtalk_send,
    "feishu": _feishu_send,
    "email": _email_send,
    "webhook": _webhook_send,
}


def send(channel: dict, message: Message) -> DeliveryResult:
    """Deliver `message` on `channel`; never raises for a delivery problem, says what happened."""
    problems = channel_errors(channel)
    if problems:
        return _failed("invalid_channel", "; ".join(f"{k}: {v}" for k, v in problems.items()), transient=False)
    kind = channel["kind"]
    if kind in ROBOTS and not _rate_slot(channel):
        return _failed(
            "rate_limited", f"{ROBOT_MESSAGES_PER_MINUTE} messages a minute already sent to this robot", transient=True
        )
    result = SENDERS[kind](channel, message)
    log = logger.info if result.ok else logger.warning
    log("%s delivery to %s: ok=%s code=%s %s", kind, channel_target(channel), result.ok, result.code, result.detail)
    return result
