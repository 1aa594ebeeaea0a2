"""Each channel against a local server that checks the platform's documented signature and limits."""

import base64
import hashlib
import hmac
import json

import pytest

from alerts import channels
from alerts.channels import Attachment, Message
from tests.alerts.robots import DINGTALK_SECRET, FEISHU_SECRET

LONG = "\n".join(f"- 账号 {i}：播放下降 {i} %，互动率下降" for i in range(600))  # ~25 KB of Chinese markdown


def message(markdown="**播放下降 25%**", **kwargs):
    return Message(
        title="【告警】播放下跌",
        markdown=markdown,
        text="播放下降 25%",
        html="<b>播放下降 25%</b>",
        link="http://127.0.0.1:8000/?preset=custom",
        **kwargs,
    )


def test_wecom_markdown_is_cut_to_4096_bytes_and_keeps_the_link(robots):
    result = channels.send(robots.wecom(), message(LONG))
    assert (result.ok, result.code) == (True, "0")
    [sent] = robots.received["wecom"]
    content = sent["markdown"]["content"]
    assert len(content.encode()) <= 4096
    assert content.endswith("[查看看板](http://127.0.0.1:8000/?preset=custom)")
    assert "…" in content


def test_wecom_success_is_judged_by_the_body_code(robots):
    bad_key = channels.send(robots.wecom(key="wrong"), message())
    assert (bad_key.ok, bad_key.code, bad_key.transient) == (False, "93000", False)
    robots.script["wecom"] = [{"errcode": 45009, "errmsg": "api freq out of limit"}]
    limited = channels.send(robots.wecom(), message())
    assert (limited.ok, limited.code, limited.transient) == (False, "45009", True)


def test_wecom_attachments_go_through_upload_media_then_a_file_message(robots):
    pdf = b"%PDF-1.7 report bytes" * 10
    result = channels.send(robots.wecom(), message(attachments=(Attachment("周报.pdf", pdf, "application/pdf"),)))
    assert result.ok, result
    assert robots.received["wecom_upload"] == ["周报.pdf"]
    markdown, file_message = robots.received["wecom"]
    assert markdown["msgtype"] == "markdown"
    assert file_message == {"msgtype": "file", "file": {"media_id": "media-1"}}
    assert robots.files["media-1"] == pdf


def test_dingtalk_is_signed_as_documented(robots):
    result = channels.send(robots.dingtalk(), message())
    assert (result.ok, result.code) == (True, "0")
    [sent] = robots.received["dingtalk"]
    assert sent["msgtype"] == "markdown"
    assert sent["markdown"]["title"] == "【告警】播放下跌"
    assert "[查看看板](http://127.0.0.1:8000/?preset=custom)" in sent["markdown"]["text"]
    query = robots.raw_queries[-1]
    assert "&timestamp=" in query
    assert "&sign=" in query
    assert "%" in query.split("sign=")[1]  # URL-encoded Base64


def test_dingtalk_wrong_secret_is_a_permanent_310000(robots):
    result = channels.send(robots.dingtalk(secret="SECwrong"), message())
    assert (result.ok, result.code, result.transient) == (False, "310000", False)
    assert result.detail == "sign not match"


def test_dingtalk_long_content_fits_its_limit(robots):
    result = channels.send(robots.dingtalk(), message(LONG * 2))
    assert result.ok, result
    assert len(robots.received["dingtalk"][0]["markdown"]["text"].encode()) <= 20_000


def test_feishu_interactive_card_is_signed_in_the_body(robots):
    result = channels.send(robots.feishu(), message())
    assert (result.ok, result.code) == (True, "0")
    [sent] = robots.received["feishu"]
    assert sent["msg_type"] == "interactive"
    expected = base64.b64encode(
        hmac.new(f"{sent['timestamp']}\n{FEISHU_SECRET}".encode(), b"", hashlib.sha256).digest()
    ).decode()
    assert sent["sign"] == expected
    button = sent["card"]["elements"][-1]["actions"][0]
    assert button["url"] == "http://127.0.0.1:8000/?preset=custom"


def test_feishu_codes_signature_rate_limit_and_size(robots):
    wrong = channels.send(robots.feishu(secret="nope"), message())
    assert (wrong.ok, wrong.code, wrong.transient) == (False, "19021", False)
    robots.script["feishu"] = [{"code": 11232, "msg": "frequency limited psm"}]
    limited = channels.send(robots.feishu(), message())
    assert (limited.ok, limited.code, limited.transient) == (False, "11232", True)
    big = channels.send(robots.feishu(), message(LONG * 3))
    assert big.ok, big
    assert max(robots.raw_sizes["feishu"]) <= 20 * 1024


def test_generic_webhook_posts_json_signed_with_hmac(robots):
    result = channels.send(robots.webhook(secret="hook-secret"), message())
    assert result.ok
    [sent] = robots.received["webhook"]
    assert sent["body"]["title"] == "【告警】播放下跌"
    assert sent["body"]["link"].startswith("http://127.0.0.1:8000/")
    body = json.dumps(sent["body"], ensure_ascii=False).encode()
    assert sent["signature"] == "sha256=" + hmac.new(b"hook-secret", body, hashlib.sha256).hexdigest()


def test_redirects_are_not_followed(robots):
    result = channels.send({"kind": "webhook", "url": f"{robots.url}/redirect"}, message())
    assert (result.ok, result.code, result.transient) == (False, "http_302", False)
    assert robots.received["webhook"] == []


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "10.1.2.3", "192.168.0.10", "169.254.169.254", "[::1]", "0.0.0.0", "localhost"]
)
def test_private_loopback_and_link_local_destinations_are_refused(settings, host):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    result = channels.send({"kind": "webhook", "url": f"http://{host}:8080/hook"}, message())
    assert (result.ok, result.code, result.transient) == (False, "refused", False)
    assert "internal address" in result.detail


def test_only_the_listed_host_and_port_are_allowed(robots, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = [f"127.0.0.1:{robots.server.server_port + 1}"]
    assert channels.send(robots.webhook(), message()).code == "refused"


def test_a_robot_takes_at_most_20_messages_a_minute(robots):
    results = [channels.send(robots.wecom(), message()) for _ in range(21)]
    assert all(r.ok for r in results[:20])
    assert (results[20].ok, results[20].code, results[20].transient) == (False, "rate_limited", True)
    assert len(robots.received["wecom"]) == 20


def test_masked_targets_hide_keys_and_tokens():
    assert (
        channels.mask("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4")
        == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a…"
    )
    assert (
        channels.mask("https://open.feishu.cn/open-apis/bot/v2/hook/2b47757342ff761b33b9")
        == "https://open.feishu.cn/open-apis/bot/v2/hook/2b47…"
    )
    assert channels.mask("ops.team@example.com") == "op…@example.com"


def test_secrets_never_reach_the_log(robots, caplog):
    caplog.set_level("INFO")
    channels.send(robots.dingtalk(), message())
    assert DINGTALK_SECRET not in caplog.text
    assert "ding-token-0001" not in caplog.text
    assert "dingtalk delivery to" in caplog.text
