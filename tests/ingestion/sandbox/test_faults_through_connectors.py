"""The sandbox's faults reach the real connectors and the sync service as the platforms' would."""

import pytest

from accounts.models import AccountStatus
from ingestion.connectors.base import TransientError
from ingestion.models import RunStatus
from ingestion.sandbox import demo_credentials
from ingestion.services import account_sync
from tests.factories import SocialAccountFactory

from .conftest import IDS, Client, yesterday

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(sandbox, settings):
    for name, url in sandbox.api_bases().items():
        setattr(settings, name, url)
    settings.PLATFORM_RETRY_WAIT = 0.01
    return Client(sandbox)


def account(platform):
    return SocialAccountFactory(platform=platform, external_id=IDS[platform],
                                credentials=demo_credentials(platform, IDS[platform]))


def sync(acct):
    return account_sync(account=acct, start=yesterday(), end=yesterday())


@pytest.mark.parametrize("platform", ["douyin", "bilibili", "wechat"])
def test_an_expired_token_is_refreshed_and_the_sync_succeeds(live, platform):
    acct = account(platform)
    live.control("faults", platform=platform, fault="token_expired")
    run = sync(acct)
    assert run.status == RunStatus.SUCCEEDED
    assert run.rows_written > 0
    acct.refresh_from_db()
    if platform != "wechat":  # WeChat's stable token lives in the cache, not the account
        assert acct.credentials["access_token"] != demo_credentials(platform, IDS[platform])["access_token"]


@pytest.mark.parametrize("platform", ["weibo", "xiaohongshu"])
def test_a_token_that_cannot_be_refreshed_flags_the_account(live, platform):
    acct = account(platform)
    live.control("faults", platform=platform, fault="token_expired")
    assert sync(acct).status == RunStatus.FAILED
    acct.refresh_from_db()
    assert acct.status == AccountStatus.NEEDS_REAUTH


@pytest.mark.parametrize("platform", ["wechat", "douyin", "bilibili", "weibo", "xiaohongshu"])
def test_rate_limits_defer_the_run(live, platform):
    live.control("faults", platform=platform, fault="rate_limit", count=5)
    assert sync(account(platform)).status == RunStatus.DEFERRED


@pytest.mark.parametrize("fault", ["http_500", "busy"])
def test_transient_faults_are_retried_then_raised(live, fault):
    acct = account("weibo")
    live.control("faults", platform="weibo", fault=fault, count=1)
    assert sync(acct).status == RunStatus.SUCCEEDED  # one failure: the retry gets through
    live.control("faults", platform="weibo", fault=fault, count=10)
    with pytest.raises(TransientError):
        sync(acct)


def test_malformed_json_fails_the_run_and_writes_nothing(live):
    acct = account("douyin")
    live.control("faults", platform="douyin", fault="malformed_json", path="/user/like/")
    run = sync(acct)
    assert run.status == RunStatus.FAILED
    assert "JSON" in run.error
    assert not acct.daily_metrics.exists()


def test_strings_and_empty_lists_are_tolerated(live):
    acct = account("bilibili")
    live.control("faults", platform="bilibili", fault="strings", count=1000)
    assert sync(acct).status == RunStatus.SUCCEEDED
    assert acct.daily_metrics.get().followers > 0
    live.control("faults", method="DELETE")
    live.control("faults", platform="wechat", fault="empty", count=1000)
    assert sync(account("wechat")).status == RunStatus.SUCCEEDED
