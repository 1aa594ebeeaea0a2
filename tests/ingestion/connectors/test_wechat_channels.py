import datetime as dt

import pytest
from django.core.cache import cache

from accounts.calendar import local_today
from accounts.models import Platform
from analytics.models import AccountDailyMetric
from ingestion.connectors.base import AuthError, connector_for
from ingestion.services import metrics_write
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
# Source: 微信开放文档 视频号 → 获取视频号信息 (POST /channels/finderlive/get_finder_attr_by_appid) example.
FINDER_ATTR = {
    "errcode": 0,
    "errmsg": "ok",
    "finder_attr": {"uniq_id": "sphABCdef123", "nickname": "演示视频号", "fans_count": 12345},
}


@pytest.fixture
def account(platform_server, settings):
    settings.WECHAT_API_BASE = platform_server.url
    account = SocialAccountFactory(platform=Platform.WECHAT_CHANNELS, credentials={"appid": "wx-oa", "secret": "s"})
    cache.delete("wechat:access_token:wx-oa")
    yield account
    cache.delete("wechat:access_token:wx-oa")


def test_the_bound_official_account_reports_the_follower_count(account, platform_server):
    platform_server.add("POST", "/cgi-bin/stable_token", {"access_token": "oa-token", "expires_in": 7200})
    platform_server.add("POST", "/channels/finderlive/get_finder_attr_by_appid", FINDER_ATTR)
    yesterday = local_today(account) - DAY
    batch = connector_for(account).fetch(yesterday - 2 * DAY, yesterday)
    assert [(d.date, d.followers) for d in batch.account_days] == [(yesterday, 12345)]
    (call,) = platform_server.calls("/channels/finderlive/get_finder_attr_by_appid")
    assert call.query["access_token"] == "oa-token"
    metrics_write(account=account, batch=batch)
    assert AccountDailyMetric.objects.get(account=account, date=yesterday).followers == 12345


def test_an_old_window_reads_nothing(account, platform_server):
    yesterday = local_today(account) - DAY
    assert len(connector_for(account).fetch(yesterday - 9 * DAY, yesterday - 3 * DAY)) == 0
    assert platform_server.seen == []


def test_without_the_official_account_credentials_it_is_an_auth_error(account):
    account.credentials = {}
    yesterday = local_today(account) - DAY
    with pytest.raises(AuthError, match="appid or secret"):
        connector_for(account).fetch(yesterday, yesterday)
