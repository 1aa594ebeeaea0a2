import datetime as dt
import hashlib
import hmac
import time
import uuid

import pytest
import requests

from ingestion.sandbox import Sandbox, demo_credentials
from ingestion.sandbox.world import SHANGHAI

IDS = {"wechat": "wxTEST0001", "douyin": "_000testDouyin", "bilibili": "4242", "weibo": "5800000042",
       "xiaohongshu": "60400042"}


def yesterday() -> dt.date:
    return dt.datetime.now(SHANGHAI).date() - dt.timedelta(days=1)


def bili_headers(client_id: str, secret: str, token: str, body: bytes = b"") -> dict:
    """Signed exactly as PLATFORMS.md describes, independently of the connector's code."""
    headers = {
        "x-bili-accesskeyid": client_id,
        "x-bili-content-md5": hashlib.md5(body).hexdigest(),
        "x-bili-signature-method": "HMAC-SHA256",
        "x-bili-signature-nonce": str(uuid.uuid4()),
        "x-bili-signature-version": "2.0",
        "x-bili-timestamp": str(int(time.time())),
    }
    canonical = "\n".join(f"{k}:{headers[k]}" for k in sorted(headers))
    headers["Authorization"] = hmac.new(secret.encode(), canonical.encode(), hashlib.sha256).hexdigest()
    headers["access-token"] = token
    return headers


class Client:
    """Calls the sandbox the way each platform's documentation says to."""

    def __init__(self, sandbox: Sandbox):
        self.sandbox, self.url = sandbox, sandbox.url
        self.session = requests.Session()

    def control(self, action: str, method: str = "POST", **body) -> dict:
        response = self.session.request(method, f"{self.url}/_sandbox/{action}", json=body or None, timeout=5)
        response.raise_for_status()
        return response.json()

    def wechat(self, name: str, begin: dt.date, end: dt.date, *, appid: str = IDS["wechat"], timeout: float = 5, **kw):
        token = self.session.post(f"{self.url}/cgi-bin/stable_token", json={
            "grant_type": "client_credential", "appid": appid, "secret": demo_credentials("wechat", appid)["secret"],
            "force_refresh": False}, timeout=5).json()["access_token"]
        return self.session.post(f"{self.url}/datacube/{name}", params={"access_token": token, **kw},
                                 json={"begin_date": begin.isoformat(), "end_date": end.isoformat()}, timeout=timeout)

    def douyin(self, path: str, *, open_id: str = IDS["douyin"], timeout: float = 5, **params):
        token = demo_credentials("douyin", open_id)["access_token"]
        return self.session.get(f"{self.url}{path}", params={"open_id": open_id, **params},
                                headers={"access-token": token}, timeout=timeout)

    def bilibili(self, path: str, *, key: str = IDS["bilibili"], timeout: float = 5, **params):
        creds = demo_credentials("bilibili", key)
        headers = bili_headers(creds["client_id"], creds["client_secret"], creds["access_token"])
        return self.session.get(f"{self.url}{path}", params=params, headers=headers, timeout=timeout)

    def weibo(self, path: str, *, uid: str = IDS["weibo"], timeout: float = 5, **params):
        token = demo_credentials("weibo", uid)["access_token"]
        return self.session.get(f"{self.url}{path}", params={"access_token": token, **params}, timeout=timeout)

    def xhs(self, start: dt.date, end: dt.date, *, advertiser_id: str = IDS["xiaohongshu"], timeout: float = 5,
            page_num: int = 1, page_size: int = 100, **params):
        token = demo_credentials("xiaohongshu", advertiser_id)["access_token"]
        return self.session.post(
            f"{self.url}/api/open/jg/data/report/offline/account", params=params, headers={"Access-Token": token},
            json={"advertiser_id": advertiser_id, "start_date": start.isoformat(), "end_date": end.isoformat(),
                  "time_unit": "DAY", "page_num": page_num, "page_size": page_size}, timeout=timeout)

    def probe(self, platform: str, *, timeout: float = 5, **params):
        """One ordinary data request per platform."""
        y = yesterday()
        return {
            "wechat": lambda: self.wechat("getusercumulate", y - dt.timedelta(days=2), y, timeout=timeout, **params),
            "douyin": lambda: self.douyin("/data/external/user/fans/", date_type=7, timeout=timeout, **params),
            "bilibili": lambda: self.bilibili("/arcopen/fn/archive/viewlist", pn=1, ps=5, status="all",
                                              timeout=timeout, **params),
            "weibo": lambda: self.weibo("/2/statuses/user_timeline.json", count=5, timeout=timeout, **params),
            "xiaohongshu": lambda: self.xhs(y - dt.timedelta(days=2), y, timeout=timeout, **params),
        }[platform]()


@pytest.fixture
def sandbox():
    with Sandbox(seed=11) as server:
        yield server


@pytest.fixture
def client(sandbox):
    return Client(sandbox)
