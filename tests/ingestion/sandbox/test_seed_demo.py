"""seed_demo fills the demo workspace through the real connectors and importer, idempotently."""

import datetime as dt
import io
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest
import requests
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Platform, SocialAccount
from analytics.models import AccountDailyMetric, CampaignDailyMetric, PostDailyMetric
from ingestion.models import IngestionRun, RunStatus
from ingestion.sandbox import Sandbox, demo
from socialmetrics.run_sandbox import sandbox_environment

from .conftest import yesterday

pytestmark = pytest.mark.django_db
REAL_HOSTS = {
    "WECHAT_API_BASE": "https://api.weixin.qq.com", "DOUYIN_API_BASE": "https://open.douyin.com",
    "BILIBILI_API_BASE": "https://member.bilibili.com", "BILIBILI_OAUTH_BASE": "https://api.bilibili.com",
    "WEIBO_API_BASE": "https://api.weibo.com", "XHS_ADS_API_BASE": "https://adapi.xiaohongshu.com/api/open",
    "KUAISHOU_API_BASE": "https://open.kuaishou.com",
    "BILIBILI_AUTHORIZE_BASE": "https://account.bilibili.com",
}


def seed(*args) -> list[str]:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().splitlines()


def stored() -> dict:
    metrics = ("followers", "followers_gained", "views", "likes", "comments", "shares", "saves")
    return {
        "days": sorted(AccountDailyMetric.objects.values_list("account__platform", "date", *metrics)),
        "posts": sorted(PostDailyMetric.objects.values_list("post__external_id", "date", "views", "likes")),
        "campaigns": sorted(CampaignDailyMetric.objects.values_list(
            "campaign__name", "date", "spend", "clicks", "conversions", "revenue")),
    }


def test_seed_demo_starts_its_own_sandbox_and_is_idempotent(settings):
    for name, url in REAL_HOSTS.items():  # nothing configured: seed_demo must not touch the real hosts
        setattr(settings, name, url)
    lines = seed("--days", "3")
    assert lines[-1] == "demo login: demo / socialmetrics-demo"
    assert "sync runs: bilibili 3, douyin 3, kuaishou 3, wechat 1, wechat_channels 3, weibo 3, xiaohongshu 1" in lines

    y = yesterday()
    window = [y - dt.timedelta(days=n) for n in (2, 1, 0)]
    accounts = {a.platform: a for a in SocialAccount.objects.filter(organization__slug="demo")}
    assert set(accounts) == set(Platform.values)
    for platform, account in accounts.items():
        days = AccountDailyMetric.objects.filter(account=account)
        assert sorted(days.values_list("date", flat=True)) == window, platform
        assert not days.filter(followers=None).exists(), platform
    assert AccountDailyMetric.objects.filter(account=accounts["wechat"], views=None).count() == 0
    assert AccountDailyMetric.objects.filter(account=accounts["weibo"]).exclude(likes=None).count() >= 2  # from deltas
    bilibili = AccountDailyMetric.objects.filter(account=accounts["bilibili"])
    assert bilibili.filter(views__gt=0).exclude(coins=None).exclude(danmaku=None).count() >= 2  # from deltas
    kuaishou = AccountDailyMetric.objects.filter(account=accounts["kuaishou"])
    assert kuaishou.filter(views__gt=0).exclude(likes=None).exclude(comments=None).count() >= 2  # from deltas
    channels = AccountDailyMetric.objects.filter(account=accounts["wechat_channels"])
    assert channels.exclude(views=None).count() == 3  # the daily file, beside the followers the OA reports
    assert PostDailyMetric.objects.filter(post__account=accounts["wechat_channels"], date=y).exclude(
        completion_rate=None).exists()  # the 下载表格 export
    for platform in ("douyin", "bilibili", "weibo", "kuaishou"):
        assert PostDailyMetric.objects.filter(post__account=accounts[platform], date=y).count() > 5, platform
    paid = CampaignDailyMetric.objects.filter(account=accounts["xiaohongshu"])
    assert paid.exclude(spend=None).count() >= 3
    assert paid.exclude(conversions=None).exclude(revenue=None).exists()
    assert not IngestionRun.objects.exclude(status=RunStatus.SUCCEEDED).exists()
    # Replayed nights carry the time the 02:30 schedule would have run them (not the seeding time).
    nights = IngestionRun.objects.filter(account=accounts["douyin"]).order_by("window_end")
    china = ZoneInfo("Asia/Shanghai")
    assert [(r.window_end, r.started_at.astimezone(china).date(), r.started_at.astimezone(china).time())
            for r in nights[:2]] == [(night, night + dt.timedelta(days=1), dt.time(2, 30)) for night in window[:2]]
    accounts["douyin"].refresh_from_db()
    assert accounts["douyin"].last_synced_at == nights.last().finished_at

    before, runs = stored(), IngestionRun.objects.count()
    assert seed("--days", "3")[-2] == "sync runs: nothing new"
    assert stored() == before
    assert IngestionRun.objects.count() == runs  # nothing read twice
    seed("--days", "3", "--resync")
    assert stored() == before  # everything read again: the same rows


def test_seed_demo_uses_the_configured_sandbox_and_leaves_its_clock_alone(settings):
    with Sandbox(seed=1) as sandbox:
        for name, url in sandbox.api_bases().items():
            setattr(settings, name, url)
        seed("--days", "2")
        state = requests.get(f"{sandbox.url}/_sandbox/state", timeout=5).json()
    assert state["requests"]["/_sandbox/clock"] == 4  # set and reset for each replayed night
    assert state["requests"]["/datacube/getusersummary"] >= 1
    assert state["today"] == (yesterday() + dt.timedelta(days=1)).isoformat()


def test_sandbox_environment_for_make_run():
    argv, env = sandbox_environment("/venv/python", "8765")
    assert argv == ["/venv/python", "manage.py", "run_sandbox", "--port", "8765"]
    assert env["DOUYIN_API_BASE"] == "http://127.0.0.1:8765"
    assert env["XHS_ADS_API_BASE"] == "http://127.0.0.1:8765/api/open"
    assert set(env) == set(REAL_HOSTS)


def test_run_sandbox_command_serves_until_terminated():
    process = subprocess.Popen([sys.executable, "manage.py", "run_sandbox", "--port", "0", "--seed", "4"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        first = process.stdout.readline()
        url = first.split(" on ")[1].split(";")[0]
        assert requests.get(f"{url}/_sandbox/state", timeout=5).json()["seed"] == 4
    finally:
        process.terminate()
    assert process.wait(timeout=20) == 0


def test_seed_demo_fails_clearly_when_the_configured_sandbox_is_down(settings, monkeypatch):
    monkeypatch.setattr(demo, "SANDBOX_WAIT_SECONDS", 0.5)
    with Sandbox() as sandbox:
        bases = sandbox.api_bases()  # a port nobody listens on once this sandbox is stopped
    for name, url in bases.items():
        setattr(settings, name, url)
    with pytest.raises(CommandError, match="no platform sandbox answers there"):
        seed("--days", "1")
