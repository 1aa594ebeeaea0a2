"""Reconnecting an account whose platform no longer takes its credentials ("重新授权").

OAuth platforms go through the authorization-code flow: the owner's browser is sent to the
platform's authorisation page with a `state`, comes back to our callback with a code, and the
code is exchanged for tokens that replace the stored ones. Platforms with app secrets (WeChat,
聚光) get a form instead; secrets are write-only (never shown back; left blank, they are kept).
Both flows are tables: adding a platform is one entry.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import AccountStatus, Platform, SocialAccount
from accounts.platforms import platform_spec
from accounts.services import account_credentials_update

from .connectors import bilibili, douyin
from .connectors.base import ConnectorError
from .connectors.http import PlatformClient, Reader


@dataclass(frozen=True)
class OAuthFlow:
    authorize_base: str  # the setting naming the host of the authorisation page
    authorize_path: str
    client_key: str  # the credentials key of the app id (the secret is `client_key` → `*_secret`)
    client_secret: str
    authorize_params: Callable[[str, str, str], dict]  # (app id, redirect URI, state) -> query
    token_base: str  # the setting naming the token endpoint's host
    token_path: str
    token_request: Callable[[str, str, str, str], dict]  # (app id, secret, code, redirect URI) -> requests kwargs
    check: Callable[[dict, str], None]  # the platform's envelope check
    account_key: str = ""  # a credentials key the token answer repeats (the account it authorised)


OAUTH_FLOWS: dict[str, OAuthFlow] = {
    Platform.DOUYIN: OAuthFlow(
        authorize_base="DOUYIN_API_BASE",
        authorize_path="/platform/oauth/connect/",
        client_key="client_key",
        client_secret="client_secret",
        authorize_params=lambda app, uri, state: {
            "client_key": app,
            "response_type": "code",
            "redirect_uri": uri,
            "state": state,
            "scope": "user_info,data.external.user,data.external.item,video.list.bind",
        },
        token_base="DOUYIN_API_BASE",
        token_path="/oauth/access_token/",
        token_request=lambda app, secret, code, uri: {
            "data": {
                "client_key": app,
                "client_secret": secret,
                "code": code,
                "grant_type": "authorization_code",
            }
        },
        check=douyin.ERRORS.check_refresh,
        account_key="open_id",
    ),
    Platform.BILIBILI: OAuthFlow(
        authorize_base="BILIBILI_AUTHORIZE_BASE",
        authorize_path="/pc/account-pc/auth/oauth",
        client_key="client_id",
        client_secret="client_secret",
        authorize_params=lambda app, uri, state: {"client_id": app, "gourl": uri, "state": state},
        token_base="BILIBILI_OAUTH_BASE",
        token_path="/x/account-oauth2/v1/token",
        token_request=lambda app, secret, code, uri: {
            "params": {
                "client_id": app,
                "client_secret": secret,
                "code": code,
                "grant_type": "authorization_code",
            }
        },
        check=bilibili.ERRORS.check_refresh,
    ),
}

# Platforms reconnected by typing credentials: the fields, and which of them are secrets.
CREDENTIAL_FORMS: dict[str, dict[str, bool]] = {
    Platform.WECHAT: {"appid": False, "secret": True},
    Platform.XIAOHONGSHU: {"advertiser_id": False, "access_token": True},
}
FIELD_LABELS = {
    "appid": _("AppID"),
    "secret": _("AppSecret"),
    "advertiser_id": _("广告主 ID"),
    "access_token": _("Access Token"),
}


class ReauthError(Exception):
    """The reconnect did not go through; the message says why, the stored credentials are unchanged."""


def oauth_authorize_url(*, account: SocialAccount, redirect_uri: str, state: str) -> str:
    flow = OAUTH_FLOWS[account.platform]
    app = account.credentials.get(flow.client_key, "")
    if not app:
        raise ReauthError(f"{account.platform}: the account's credentials lack {flow.client_key}")
    base = getattr(settings, flow.authorize_base).rstrip("/")
    return f"{base}{flow.authorize_path}?{urlencode(flow.authorize_params(app, redirect_uri, state))}"


def _account_reconnected(*, account: SocialAccount, credentials: dict) -> None:
    with transaction.atomic():
        account_credentials_update(account=account, credentials=credentials)
        account.status, account.status_detail = AccountStatus.ACTIVE, ""
        SocialAccount.objects.filter(pk=account.pk).update(status=account.status, status_detail="")


def oauth_complete(*, account: SocialAccount, code: str, redirect_uri: str) -> None:
    """Exchange the authorisation code for tokens and store them (the account is active again)."""
    flow = OAUTH_FLOWS[account.platform]
    credentials = account.credentials
    client = PlatformClient(account.platform, getattr(settings, flow.token_base), flow.check)
    try:
        payload = client.request(
            "POST",
            flow.token_path,
            **flow.token_request(
                credentials.get(flow.client_key, ""), credentials.get(flow.client_secret, ""), code, redirect_uri
            ),
        )
        reader = Reader(account.platform, flow.token_path)
        data = reader.dict(payload, "data")
        tokens = {
            "access_token": reader.str(data, "access_token", required=True),
            "refresh_token": reader.str(data, "refresh_token", required=True),
            "access_token_expires_at": int(time.time()) + (reader.int(data, "expires_in") or 0),
        }
        authorised = reader.str(data, flow.account_key) if flow.account_key else ""
    except ConnectorError as exc:
        raise ReauthError(str(exc)) from None
    if authorised and credentials.get(flow.account_key) and authorised != credentials[flow.account_key]:
        raise ReauthError(
            f"{account.platform}: the platform authorised another account ({authorised}), "
            f"not {credentials[flow.account_key]}"
        )
    _account_reconnected(account=account, credentials=tokens)


def credentials_replace(*, account: SocialAccount, values: dict[str, str]) -> None:
    """Store typed credentials; a secret left blank keeps the stored one."""
    fields = CREDENTIAL_FORMS[account.platform]
    new = {key: value.strip() for key, value in values.items() if key in fields and value.strip()}
    merged = {**account.credentials, **new}
    missing = [key for key in platform_spec(account.platform).credential_keys if not merged.get(key)]
    if missing:
        raise ValidationError(f"{account.platform} credentials are missing: {', '.join(missing)}")
    _account_reconnected(account=account, credentials=new)
