"""Issue 22.1: a WeChat access token belongs to the account (and secret) that obtained it."""

import datetime as dt

import pytest
from django.core.cache import cache

from accounts.models import Platform
from analytics.models import AccountDailyMetric
from ingestion.models import RunStatus
from ingestion.sandbox import auth
from ingestion.sandbox.auth import demo_credentials
from ingestion.sandbox.server import Sandbox
from ingestion.sandbox.world import SHANGHAI
from ingestion.services import account_sync
from tests.factories import OrganizationFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db
APPID = "wx-tenant-victim"


@pytest.fixture
def sandbox(settings):
    with Sandbox(seed=11) as server:
        settings.WECHAT_API_BASE = server.api_bases()["WECHAT_API_BASE"]
        yield server


def _window():
    yesterday = dt.datetime.now(SHANGHAI).date() - dt.timedelta(days=1)
    return yesterday - dt.timedelta(days=6), yesterday


def test_another_organisation_with_the_same_appid_and_a_wrong_secret_gets_nothing(sandbox):
    start, end = _window()
    victim = SocialAccountFactory(
        organization=OrganizationFactory(),
        platform=Platform.WECHAT,
        external_id=APPID,
        credentials=demo_credentials(Platform.WECHAT, APPID),
    )
    assert account_sync(account=victim, start=start, end=end).status == RunStatus.SUCCEEDED
    assert AccountDailyMetric.objects.filter(account=victim).count() == 7

    thief = SocialAccountFactory(
        organization=OrganizationFactory(),
        platform=Platform.WECHAT,
        external_id=APPID,
        credentials={"appid": APPID, "secret": "any-guess"},
    )
    run = account_sync(account=thief, start=start, end=end)
    assert run.status == RunStatus.FAILED
    assert "40125" in run.error  # the sandbox's token endpoint refused the wrong secret
    assert not AccountDailyMetric.objects.filter(account=thief).exists()


def test_the_same_account_with_a_changed_secret_does_not_reuse_the_old_token(sandbox):
    start, end = _window()
    account = SocialAccountFactory(
        platform=Platform.WECHAT, external_id=APPID, credentials=demo_credentials(Platform.WECHAT, APPID)
    )
    assert account_sync(account=account, start=start, end=end).status == RunStatus.SUCCEEDED
    account.credentials = {"appid": APPID, "secret": "revoked-or-mistyped"}
    account.save()
    assert account_sync(account=account, start=start, end=end).status == RunStatus.FAILED


def test_the_token_is_not_readable_in_redis(sandbox):
    start, end = _window()
    account = SocialAccountFactory(
        platform=Platform.WECHAT, external_id=APPID, credentials=demo_credentials(Platform.WECHAT, APPID)
    )
    assert account_sync(account=account, start=start, end=end).status == RunStatus.SUCCEEDED
    client = cache._cache.get_client(write=False)
    # Other tests leave queues (lists) beside the cache's strings: read the strings only.
    stored = b"".join(
        (client.get(key) if client.type(key) == b"string" else b"") or b"" for key in client.scan_iter("*")
    ) + b"".join(client.scan_iter("*"))
    assert (auth.ACCESS_PREFIX + APPID).encode() not in stored  # neither the token in clear
    assert b"access_token:" + APPID.encode() not in stored  # no key that other tenants' accounts would share
