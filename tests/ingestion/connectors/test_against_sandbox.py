"""Every connector against the project's platform sandbox: the two sides speak the same shapes."""

import datetime as dt

import pytest
from django.core.cache import cache

from accounts.calendar import local_today
from accounts.models import Platform
from analytics.models import AccountDailyMetric, CampaignDailyMetric, PostDailyMetric
from ingestion.connectors.base import connector_for
from ingestion.sandbox.auth import demo_credentials
from ingestion.sandbox.server import Sandbox
from ingestion.services import metrics_write
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


@pytest.fixture
def sandbox(settings):
    with Sandbox(seed=7) as server:
        for name, url in server.api_bases().items():
            setattr(settings, name, url)
        yield server


@pytest.mark.parametrize(("platform", "external_id"), [
    (Platform.WECHAT, "wx-smoke-app"), (Platform.DOUYIN, "_000smokeDouyin"), (Platform.BILIBILI, "4711"),
    (Platform.WEIBO, "5800000001"), (Platform.XIAOHONGSHU, "60400001"), (Platform.KUAISHOU, "smokeKuaishou01"),
    (Platform.WECHAT_CHANNELS, "sphSmokeFinder"),
])
def test_connector_reads_and_stores_a_month_from_the_sandbox(sandbox, platform, external_id):
    account = SocialAccountFactory(platform=platform, external_id=external_id,
                                   credentials=demo_credentials(platform, external_id))
    if platform == Platform.WECHAT:
        cache.delete(connector_for(account).token_cache_key())
    yesterday = local_today(account) - DAY
    batch = connector_for(account).fetch(yesterday - 29 * DAY, yesterday)
    assert metrics_write(account=account, batch=batch).changed > 0
    again = connector_for(account).fetch(yesterday - 29 * DAY, yesterday)
    assert metrics_write(account=account, batch=again).changed == 0  # the sandbox is deterministic: nothing moves

    if platform == Platform.XIAOHONGSHU:
        assert CampaignDailyMetric.objects.filter(account=account).exclude(spend=None).count() >= 20
        return
    days = AccountDailyMetric.objects.filter(account=account)
    assert days.exclude(followers=None).filter(date=yesterday).exists()
    if platform == Platform.WECHAT_CHANNELS:  # the follower count only: videos come from the export
        return
    if platform in (Platform.WECHAT, Platform.DOUYIN):
        assert days.exclude(views=None).count() == 30
    assert PostDailyMetric.objects.filter(post__account=account).exists()
