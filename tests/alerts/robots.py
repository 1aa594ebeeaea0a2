"""Local stand-ins for the WeCom, DingTalk and Feishu group robots and a generic webhook.

Each checks what its platform documents and answers as it does — HTTP 200 with the error code in
the body: the WeCom key in the URL and markdown content ≤ 4096 bytes, upload_media + file
messages; DingTalk's signature (timestamp ms, HmacSHA256 of "timestamp\\nsecret" keyed by the
secret, Base64, URL-encoded) and 20,000-byte content; Feishu's signature (timestamp s,
HmacSHA256 keyed by "timestamp\\nsecret" over an empty message, Base64, in the body) and 20 KB
bodies. The checks are written here independently of alerts.channels, so a wrong signature in
the product fails the tests. `script[kind]` holds canned answers for the next requests.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import defaultdict
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

WECOM_KEY = "wecom-key-0001"
DINGTALK_TOKEN = "ding-token-0001"
DINGTALK_SECRET = "SECdingsecret0001"
FEISHU_TOKEN = "feishu-hook-0001"
FEISHU_SECRET = "feishusecret0001"


def _dingtalk_expected(timestamp: str) -> str:
    string_to_sign = f"{timestamp}\n{DINGTALK_SECRET}".encode()
    return base64.b64encode(hmac.new(DINGTALK_SECRET.encode(), string_to_sign, hashlib.sha256).digest()).decode()


def _feishu_expected(timestamp: str) -> str:
    key = f"{timestamp}\n{FEISHU_SECRET}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


class Robots:
    def __init__(self):
        self.received: dict[str, list] = defaultdict(list)  # kind -> request bodies (parsed)
        self.raw_sizes: dict[str, list[int]] = defaultdict(list)
        self.script: dict[str, list] = defaultdict(list)
        self.files: dict[str, bytes] = {}  # media_id -> content
        self.raw_queries: list[str] = []
        self._lock = threading.Lock()
        robots = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, body: dict, status: int = 200, headers: dict | None = None):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                robots.raw_queries.append(parts.query)
                route = {
                    "/cgi-bin/webhook/send": robots._wecom_send,
                    "/cgi-bin/webhook/upload_media": robots._wecom_upload,
                    "/robot/send": robots._dingtalk,
                    f"/open-apis/bot/v2/hook/{FEISHU_TOKEN}": robots._feishu,
                    "/hook": robots._webhook,
                    "/redirect": robots._redirect,
                }.get(parts.path)
                if route is None:
                    return self._answer({"error": "no such path"}, 404)
                answer = route(query, raw, self.headers)
                self._answer(*answer) if isinstance(answer, tuple) else self._answer(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.host_port = f"127.0.0.1:{self.server.server_port}"

    # ------------------------------------------------------------ routes

    def _scripted(self, kind: str):
        with self._lock:
            return self.script[kind].pop(0) if self.script[kind] else None

    def _wecom_send(self, query, raw, headers):
        if query.get("key") != WECOM_KEY:
            return {"errcode": 93000, "errmsg": "invalid webhook url"}
        canned = self._scripted("wecom")
        if canned:
            return canned
        body = json.loads(raw)
        self.received["wecom"].append(body)
        if body["msgtype"] == "markdown":
            if len(body["markdown"]["content"].encode()) > 4096:
                return {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}
        elif body["msgtype"] == "file" and body["file"]["media_id"] not in self.files:
            return {"errcode": 40007, "errmsg": "invalid media_id"}
        return {"errcode": 0, "errmsg": "ok"}

    def _wecom_upload(self, query, raw, headers):
        if query.get("key") != WECOM_KEY or query.get("type") != "file":
            return {"errcode": 93000, "errmsg": "invalid webhook url"}
        message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {headers['Content-Type']}\r\n\r\n".encode() + raw)
        [part] = [p for p in message.iter_parts() if p.get_param("name", header="content-disposition") == "media"]
        media_id = f"media-{len(self.files) + 1}"
        self.files[media_id] = part.get_payload(decode=True)
        self.received["wecom_upload"].append(part.get_filename())
        return {"errcode": 0, "errmsg": "ok", "type": "file", "media_id": media_id, "created_at": str(int(time.time()))}

    def _dingtalk(self, query, raw, headers):
        if query.get("access_token") != DINGTALK_TOKEN:
            return {"errcode": 300001, "errmsg": "token is not exist"}
        timestamp, sign = query.get("timestamp", ""), query.get("sign", "")
        fresh = timestamp.isdigit() and abs(int(timestamp) - time.time() * 1000) < 3600 * 1000
        if not fresh or not hmac.compare_digest(sign, _dingtalk_expected(timestamp)):
            return {"errcode": 310000, "errmsg": "sign not match"}
        canned = self._scripted("dingtalk")
        if canned:
            return canned
        body = json.loads(raw)
        self.raw_sizes["dingtalk"].append(len(raw))
        if len(body["markdown"]["text"].encode()) > 20_000:
            return {"errcode": 460101, "errmsg": "message too long"}
        self.received["dingtalk"].append(body)
        return {"errcode": 0, "errmsg": "ok"}

    def _feishu(self, query, raw, headers):
        self.raw_sizes["feishu"].append(len(raw))
        if len(raw) > 20 * 1024:
            return {"code": 9499, "msg": "request body too large", "data": {}}
        body = json.loads(raw)
        timestamp, sign = body.get("timestamp", ""), body.get("sign", "")
        fresh = timestamp.isdigit() and abs(int(timestamp) - time.time()) < 3600
        if not fresh or not hmac.compare_digest(sign, _feishu_expected(timestamp)):
            return {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}
        canned = self._scripted("feishu")
        if canned:
            return canned
        self.received["feishu"].append(body)
        return {"code": 0, "msg": "success", "data": {}}

    def _webhook(self, query, raw, headers):
        self.received["webhook"].append({"body": json.loads(raw), "signature": headers.get("X-Signature-256")})
        return {"ok": True}

    def _redirect(self, query, raw, headers):
        return {"moved": True}, 302, {"Location": "/hook"}

    # ------------------------------------------------------------ channels pointing here

    def wecom(self, key: str = WECOM_KEY) -> dict:
        return {"kind": "wecom", "url": f"{self.url}/cgi-bin/webhook/send?key={key}"}

    def dingtalk(self, secret: str = DINGTALK_SECRET) -> dict:
        return {"kind": "dingtalk", "url": f"{self.url}/robot/send?access_token={DINGTALK_TOKEN}", "secret": secret}

    def feishu(self, secret: str = FEISHU_SECRET) -> dict:
        return {"kind": "feishu", "url": f"{self.url}/open-apis/bot/v2/hook/{FEISHU_TOKEN}", "secret": secret}

    def webhook(self, secret: str | None = None) -> dict:
        return {"kind": "webhook", "url": f"{self.url}/hook", **({"secret": secret} if secret else {})}

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
