"""Reconnecting an account ("重新授权") end to end: our pages, the sandbox's authorisation page and token endpoints."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import override_settings

from accounts.models import AccountStatus, Role, SocialAccount
from ingestion.models import RunStatus
from ingestion.sandbox import Sandbox, demo_credentials
from ingestion.services import account_sync
from tests.factories import MembershipFactory, OrganizationFactory, SocialAccountFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sandbox():
    with Sandbox(seed=3) as server, override_settings(**server.api_bases()):
        yield server


def member(org, role):
    user = UserFactory(username=f"{role}-{org.pk}")
    MembershipFactory(user=user, organization=org, role=role)
    return user


def broken_account(platform, external_id, **credentials):
    org = OrganizationFactory()
    account = SocialAccountFactory(
        organization=org,
        platform=platform,
        external_id=external_id,
        credentials={**demo_credentials(platform, external_id), **credentials},
        status=AccountStatus.NEEDS_REAUTH,
        status_detail="refresh token expired",
    )
    return org, account


def login(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def authorize_on_the_platform(authorize_url: str, as_account: str) -> str:
    """What the owner does on the platform's page: open it, agree as `as_account`; returns where it sends them."""
    page = requests.get(authorize_url, timeout=5)
    assert page.status_code == 200
    assert "同意授权" in page.text
    answer = requests.post(authorize_url, data={"account": as_account}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    return answer.headers["Location"]


@pytest.mark.parametrize(
    ("platform", "external_id", "redirect_param"),
    [("douyin", "_000reauthDouyin", "redirect_uri"), ("bilibili", "515151", "gourl")],
)
def test_owners_reconnect_oauth_accounts_end_to_end(client, sandbox, platform, external_id, redirect_param):
    org, account = broken_account(platform, external_id, access_token="revoked", refresh_token="revoked")
    owner = login(client, member(org, Role.OWNER))
    page = owner.get("/data/").content.decode()
    assert f'data-reauth="{account.pk}"' in page
    assert "重新授权" in page

    start = owner.get(f"/data/accounts/{account.pk}/reauth/")

    assert start.status_code == 302
    assert start["Location"].startswith(sandbox.url)
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query[redirect_param] == ["http://testserver/data/reauth/callback/"]
    assert len(query["state"][0]) >= 24
    back = authorize_on_the_platform(start["Location"], external_id)
    assert back.startswith("http://testserver/data/reauth/callback/?")
    done = owner.get(back.removeprefix("http://testserver"), follow=True)

    assert "已重新授权" in done.content.decode()
    account.refresh_from_db()
    assert (account.status, account.status_detail) == (AccountStatus.ACTIVE, "")
    assert account.credentials["access_token"].startswith(f"sbx.{external_id}.")
    assert account.credentials["refresh_token"].startswith(f"sbxr.{external_id}.")
    assert account.credentials["client_secret"] == demo_credentials(platform, external_id)["client_secret"]
    # The new tokens work: the platform takes them again.
    yesterday = dt.date.today() - dt.timedelta(days=1)
    assert account_sync(account=account, start=yesterday, end=yesterday).status == RunStatus.SUCCEEDED
    # A state is good once.
    again = owner.get(back.removeprefix("http://testserver"), follow=True)
    assert "state 不匹配" in again.content.decode()


def test_a_callback_with_a_foreign_state_or_another_account_changes_nothing(client, sandbox):
    org, account = broken_account("douyin", "_000reauthDouyin", access_token="revoked")
    owner = login(client, member(org, Role.OWNER))
    start = owner.get(f"/data/accounts/{account.pk}/reauth/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]

    forged = owner.get("/data/reauth/callback/", {"code": "sbx-code._000reauthDouyin", "state": "forged"}, follow=True)
    assert "state 不匹配" in forged.content.decode()
    other = authorize_on_the_platform(start["Location"], "_000someoneElse")
    assert f"state={state}" in other
    response = owner.get(other.removeprefix("http://testserver"), follow=True)

    assert "another account" in response.content.decode()
    account.refresh_from_db()
    assert (account.status, account.credentials["access_token"]) == (AccountStatus.NEEDS_REAUTH, "revoked")


def test_a_refused_authorisation_says_so(client, sandbox):
    org, account = broken_account("douyin", "_000reauthDouyin", access_token="revoked")
    owner = login(client, member(org, Role.OWNER))
    state = parse_qs(urlsplit(owner.get(f"/data/accounts/{account.pk}/reauth/")["Location"]).query)["state"][0]

    response = owner.get("/data/reauth/callback/", {"state": state, "error": "access_denied"}, follow=True)

    assert "平台没有完成授权：access_denied" in response.content.decode()


@pytest.mark.parametrize("role", [Role.ANALYST, Role.VIEWER])
def test_only_owners_reconnect(client, sandbox, role):
    org, account = broken_account("douyin", "_000reauthDouyin")
    someone = login(client, member(org, role))

    assert f'data-reauth="{account.pk}"' not in someone.get("/data/").content.decode()
    response = someone.get(f"/data/accounts/{account.pk}/reauth/", follow=True)
    assert "只有所有者" in response.content.decode()
    assert someone.post(f"/data/accounts/{account.pk}/reauth/", {"secret": "x"}).status_code == 302
    assert SocialAccount.objects.get(pk=account.pk).status == AccountStatus.NEEDS_REAUTH


def test_wechat_is_reconnected_with_a_form_whose_secret_is_write_only(client, sandbox):
    org, account = broken_account("wechat", "wxREAUTH01", secret="old-secret-value")
    owner = login(client, member(org, Role.OWNER))

    form = owner.get(f"/data/accounts/{account.pk}/reauth/").content.decode()
    assert 'name="appid"' in form
    assert 'value="wxREAUTH01"' in form
    assert "old-secret-value" not in form
    assert 'type="password"' in form

    blank = owner.post(f"/data/accounts/{account.pk}/reauth/", {"appid": "wxREAUTH01", "secret": ""})
    assert blank.status_code == 302  # a blank secret keeps the stored one
    account.refresh_from_db()
    assert (account.status, account.credentials["secret"]) == (AccountStatus.ACTIVE, "old-secret-value")

    right = demo_credentials("wechat", "wxREAUTH01")["secret"]
    owner.post(f"/data/accounts/{account.pk}/reauth/", {"appid": "wxREAUTH01", "secret": right})
    account.refresh_from_db()
    assert account.credentials == {"appid": "wxREAUTH01", "secret": right}
    yesterday = dt.date.today() - dt.timedelta(days=1)
    assert account_sync(account=account, start=yesterday, end=yesterday).status == RunStatus.SUCCEEDED
    assert owner.post(f"/data/accounts/{account.pk}/reauth/", {"appid": ""}).status_code == 400


def test_xiaohongshu_ads_get_the_form_and_other_organisations_get_a_404(client, sandbox):
    org, account = broken_account("xiaohongshu", "60400077")
    owner = login(client, member(org, Role.OWNER))
    assert 'name="advertiser_id"' in owner.get(f"/data/accounts/{account.pk}/reauth/").content.decode()

    _other_org, foreign = broken_account("douyin", "_000foreign")
    assert owner.get(f"/data/accounts/{foreign.pk}/reauth/").status_code == 404
