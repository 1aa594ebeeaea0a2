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
from abc import ABC, abstractmethod

from accounts.models import SocialAccount
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


REGISTRY: dict[str, type[Connector]] = {}


def register(cls: type[Connector]) -> type[Connector]:
    REGISTRY[cls.platform] = cls
    return cls


def connector_for(account: SocialAccount) -> Connector:
    # Import the platform modules so they register themselves.
    from ingestion.connectors import load_all  # noqa: F401

    try:
        return REGISTRY[account.platform](account)
    except KeyError:
        raise ConnectorError(f"no connector for platform {account.platform!r}") from None
