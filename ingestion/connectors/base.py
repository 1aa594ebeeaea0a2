"""The connector interface every platform module implements.

A connector reads one account's window from a platform API and returns a `Batch` of the
frozen records in `ingestion.records`; it never writes to the database itself (except to
store refreshed tokens through `accounts.services.account_credentials_update`). The sync
service decides what an error means from its class:

- `TransientError`: retry later with backoff (HTTP 5xx, timeouts, "system busy").
- `QuotaExceeded`: the platform's quota is used up; defer the account to the next run.
- `AuthError`: the token is invalid/expired and cannot be refreshed; the account needs
  re-authorisation. Never retried.
- `PlatformDataError`: a malformed answer; the run fails with the message, nothing written.
"""

from __future__ import annotations

import datetime as dt
import time
from abc import ABC, abstractmethod

from accounts.models import SocialAccount
from accounts.services import account_credentials_update
from ingestion.records import Batch


class ConnectorError(Exception):
    """Base of every error a connector raises; the message names platform, endpoint and field."""


class TransientError(ConnectorError):
    pass


class QuotaExceeded(ConnectorError):
    pass


class AuthError(ConnectorError):
    pass


class PlatformDataError(ConnectorError):
    pass


class TokenExpired(AuthError):
    """The access token was rejected; a connector refreshes it once and retries, else it stays an `AuthError`."""


class Connector(ABC):
    platform: str  # an `accounts.models.Platform` value

    def __init__(self, account: SocialAccount):
        self.account = account

    @abstractmethod
    def fetch(self, start: dt.date, end: dt.date) -> Batch:
        """Everything the platform reports for the account's local days start..end (inclusive)."""


class RefreshingConnector(Connector):
    """A connector whose access token can be renewed.

    Every call goes through `_request`: when the platform rejects the token (`TokenExpired`),
    the token is refreshed and the call sent again, once per fetch; a token rejected after a
    refresh stays an `AuthError`, since refreshing again would not help.
    """

    refresh_margin_seconds: float = 0  # refresh ahead when the stored expiry is this close

    def __init__(self, account: SocialAccount):
        super().__init__(account)
        self.refreshed = False

    @abstractmethod
    def _send(self, method: str, endpoint: str, **kwargs) -> dict:
        """One call with the current access token."""

    @abstractmethod
    def _renew_token(self) -> None:
        """Get a new access token from the platform and keep it for `_send`."""

    def _request(self, method: str, endpoint: str, **kwargs) -> dict:
        try:
            return self._send(method, endpoint, **kwargs)
        except TokenExpired:
            if self.refreshed:
                raise
            self._refresh()
            return self._send(method, endpoint, **kwargs)

    def _refresh(self) -> None:
        self._renew_token()
        self.refreshed = True

    def _refresh_if_expiring(self) -> None:
        expires_at = self.account.credentials.get("access_token_expires_at")
        if expires_at is not None and time.time() >= float(expires_at) - self.refresh_margin_seconds:
            self._refresh()

    def _tokens_store(self, *, access_token: str, refresh_token: str, expires_in: int) -> None:
        """Stores the new pair at once, in one UPDATE (some platforms' refresh tokens are single-use)."""
        account_credentials_update(account=self.account, credentials={
            "access_token": access_token, "refresh_token": refresh_token,
            "access_token_expires_at": int(time.time()) + expires_in,
        })


REGISTRY: dict[str, type[Connector]] = {}


def register(cls: type[Connector]) -> type[Connector]:
    REGISTRY[cls.platform] = cls
    return cls


def connector_for(account: SocialAccount) -> Connector:
    try:
        return REGISTRY[account.platform](account)
    except KeyError:
        raise ConnectorError(f"no connector for platform {account.platform!r}") from None
