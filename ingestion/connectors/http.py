"""The HTTP client every connector shares: timeouts, retries of transient failures, tolerant parsing.

Platforms are sloppy in known ways (numbers sent as strings, fields omitted), so values are
read through `Reader`, which coerces what can be coerced, turns omitted fields into `None`
(never 0) and raises a `PlatformDataError` naming platform, endpoint and field otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import requests
from django.conf import settings
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from .base import AuthError, ConnectorError, PlatformDataError, QuotaExceeded, TokenExpired, TransientError

MAX_ATTEMPTS = 3
MAX_WAIT_SECONDS = 30.0

# Raises the mapped `ConnectorError` when a parsed answer (arg 1) of "platform endpoint" (arg 2)
# reports a platform error code.
EnvelopeCheck = Callable[[dict, str], None]


@dataclass(frozen=True)
class ErrorCodes:
    """Where a platform puts its error code, and what each code means (PLATFORMS.md).

    A non-zero code is raised as `TransientError` (busy: retried), `QuotaExceeded` (rate_limited),
    `TokenExpired` (token_expired: refreshed once), `AuthError` (auth), else `PlatformDataError`,
    with the message "<platform endpoint>: <code field> <code> <the platform's text> (<note>)".
    """

    code_field: str
    text_fields: tuple[str, ...]  # the platform's explanation: the first one present
    alt_code_fields: tuple[str, ...] = ()  # other fields the same platform puts its code in (聚光: errorCode)
    busy: frozenset[int] = frozenset()
    rate_limited: frozenset[int] = frozenset()
    token_expired: frozenset[int] = frozenset()
    auth: frozenset[int] = frozenset()
    sections: tuple[str, ...] = ()  # sub-objects that carry a code (Douyin); none: the answer itself
    success_flag: str = ""  # a field that is `false` on failure, whatever the code says
    success_code: int = 0  # the code that means success (Kuaishou: `result == 1`); an absent code is success too
    texts: Mapping[int, str] = field(default_factory=dict)  # for codes often sent without a text
    notes: Mapping[int, str] = field(default_factory=dict)  # what the code means for the user

    def check(self, payload: dict, where: str) -> None:
        """An `EnvelopeCheck`: raises when the answer reports an error."""
        for part in [payload.get(name) for name in self.sections] if self.sections else [payload]:
            if not isinstance(part, dict):
                continue
            field, code = self.code_field, self.success_code
            for name in (self.code_field, *self.alt_code_fields):  # the first that reports a failure
                value = error_code(part.get(name), where, absent=self.success_code)
                if value != self.success_code:
                    field, code = name, value
                    break
            flagged = bool(self.success_flag) and part.get(self.success_flag) is False
            if code != self.success_code or flagged:
                text = next((str(part[f]) for f in self.text_fields if part.get(f)), self.texts.get(code, ""))
                if code == self.success_code:  # only the flag says so: do not report "code 0"
                    raise PlatformDataError(f"{where}: {self.success_flag}=false {text}".rstrip())
                self.raise_for_code(code, text, where, field=field)

    def check_refresh(self, payload: dict, where: str) -> None:
        """The `EnvelopeCheck` of a token refresh: a refusal is an `AuthError`, since retrying cannot fix it."""
        try:
            self.check(payload, where)
        except (TokenExpired, PlatformDataError) as exc:
            raise AuthError(f"{exc} (token refresh refused: re-authorise the account)") from None

    def classify(self, code: int) -> type[ConnectorError]:
        """The error class a failure with `code` is raised as (tests check it against the published tables)."""
        for codes, error in ((self.busy, TransientError), (self.rate_limited, QuotaExceeded),
                             (self.token_expired, TokenExpired), (self.auth, AuthError)):
            if code in codes:
                return error
        return PlatformDataError

    def known_codes(self) -> frozenset[int]:
        """Every code this table gives a class or a note."""
        return self.busy | self.rate_limited | self.token_expired | self.auth | frozenset(self.notes) | frozenset(self.texts)

    def raise_for_code(self, code: int, text: str, where: str, *, field: str = "") -> None:
        message = f"{where}: {field or self.code_field} {code} {text}".rstrip()
        if note := self.notes.get(code):
            message += f" ({note})"
        raise self.classify(code)(message)


class Reader:
    """Reads fields of one endpoint's answer; every error message names platform, endpoint and field."""

    def __init__(self, platform: str, endpoint: str):
        self.platform, self.endpoint = platform, endpoint

    def error(self, message: str) -> PlatformDataError:
        return PlatformDataError(f"{self.platform} {self.endpoint}: {message}")

    def dict(self, obj: dict, field: str) -> dict:
        value = obj.get(field) if isinstance(obj, dict) else None
        if not isinstance(value, dict):
            raise self.error(f"field {field!r} should be an object, got {_shown(value)}")
        return value

    def list(self, obj: dict, field: str) -> list:
        value = obj.get(field) if isinstance(obj, dict) else None
        if value is None and isinstance(obj, dict) and field in obj:
            return []  # some platforms send `null` for an empty list
        if not isinstance(value, list):
            raise self.error(f"field {field!r} should be a list, got {_shown(value)}")
        return value

    def rows(self, obj: dict, field: str) -> list[dict]:
        """A list of objects (`null` counts as empty)."""
        value = self.list(obj, field)
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise self.error(f"item {index} of {field!r} should be an object, got {_shown(item)}")
        return value

    def int(self, obj: dict, field: str) -> int | None:
        value = obj.get(field)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise self.error(f"field {field!r} is not a number: {value!r}")
        if isinstance(value, int):
            return value
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise self.error(f"field {field!r} is not a number: {value!r}") from None
        if number != number.to_integral_value():
            raise self.error(f"field {field!r} is not a whole number: {value!r}")
        return int(number)

    def float(self, obj: dict, field: str) -> float | None:
        value = obj.get(field)
        if value is None or value == "":
            return None
        text = str(value).strip()
        percent = text.endswith("%")
        try:
            number = float(text.rstrip("%"))
        except ValueError:
            raise self.error(f"field {field!r} is not a number: {value!r}") from None
        return number / 100 if percent else number

    def decimal(self, obj: dict, field: str) -> Decimal | None:
        value = obj.get(field)
        if value is None or value == "":
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise self.error(f"field {field!r} is not a number: {value!r}") from None
        if not number.is_finite():
            raise self.error(f"field {field!r} is not a number: {value!r}")
        return number

    def str(self, obj: dict, field: str, *, required: bool = False) -> str:
        value = obj.get(field)
        if value is None or value == "":
            if required:
                raise self.error(f"field {field!r} is missing")
            return ""
        if isinstance(value, (dict, list)):
            raise self.error(f"field {field!r} should be text, got {_shown(value)}")
        return str(value)

    def date(self, obj: dict, field: str) -> dt.date:
        """A required `YYYY-MM-DD` date (a time after it is ignored)."""
        value = obj.get(field)
        try:
            return dt.date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            raise self.error(f"field {field!r} is not a date: {value!r}") from None

    def timestamp(self, obj: dict, field: str, *, millis: bool = False) -> dt.datetime | None:
        """Unix seconds (or milliseconds: Kuaishou) as an aware datetime; `None` when omitted."""
        number = self.int(obj, field)
        if number is None:
            return None
        return dt.datetime.fromtimestamp(number / 1000 if millis else number, tz=dt.UTC)


def _status_error(status: int, where: str) -> Exception | None:
    if status in (401, 403):
        return AuthError(f"{where}: HTTP {status}")
    if status == 429:
        return QuotaExceeded(f"{where}: HTTP 429 (rate limited)")
    if status >= 400:
        return PlatformDataError(f"{where}: HTTP {status}")
    return None


def _shown(value) -> str:
    return "nothing" if value is None else f"{type(value).__name__} {str(value)[:60]!r}"


class PlatformClient:
    """One `requests.Session` per connector: the base URL, timeouts and the retry policy."""

    def __init__(self, platform: str, base_url: str, check: EnvelopeCheck):
        self.platform, self.base_url, self.check = platform, base_url.rstrip("/"), check
        self.session = requests.Session()

    def request(self, method: str, endpoint: str, *, base_url: str | None = None,
                check: EnvelopeCheck | None = None, **kwargs) -> dict:
        """The answer as a dict, after the envelope check; transient failures are retried with backoff."""
        retrying = Retrying(
            stop=stop_after_attempt(MAX_ATTEMPTS),
            wait=wait_exponential_jitter(
                multiplier=settings.PLATFORM_RETRY_WAIT, max=MAX_WAIT_SECONDS, jitter=settings.PLATFORM_RETRY_WAIT
            ),
            retry=retry_if_exception_type(TransientError),
            reraise=True,
        )
        url = (base_url or self.base_url).rstrip("/") + endpoint
        return retrying(self._send, method, url, endpoint, check or self.check, kwargs)

    def _send(self, method: str, url: str, endpoint: str, check: EnvelopeCheck, kwargs: dict) -> dict:
        where = f"{self.platform} {endpoint}"
        try:
            response = self.session.request(method, url, timeout=settings.PLATFORM_HTTP_TIMEOUT, **kwargs)
        except requests.Timeout:
            raise TransientError(f"{where}: timed out after {settings.PLATFORM_HTTP_TIMEOUT:g}s") from None
        except requests.ConnectionError as exc:
            raise TransientError(f"{where}: connection failed ({exc.__class__.__name__})") from None
        if response.status_code >= 500:
            raise TransientError(f"{where}: HTTP {response.status_code}")
        try:
            payload = response.json()
        except ValueError:
            payload = None
        status_error = _status_error(response.status_code, where)
        if isinstance(payload, dict):
            try:
                check(payload, where)  # platforms put their own error codes in 4xx bodies too
            except PlatformDataError as exc:
                # A code the platform module does not know: the HTTP status says more.
                if status_error is None or isinstance(status_error, PlatformDataError):
                    raise
                raise type(status_error)(f"{status_error}; {exc}") from None
        if status_error is not None:
            raise status_error
        if payload is None:
            raise PlatformDataError(f"{where}: the answer is not JSON: {response.text[:80]!r}")
        if not isinstance(payload, dict):
            raise PlatformDataError(f"{where}: the answer should be a JSON object, got {_shown(payload)}")
        return payload


def error_code(value, where: str, *, absent: int = 0) -> int:
    """A platform error code sent as a number or as text ("0", "28001003"); absent means `absent` (success)."""
    if value is None or value == "":
        return absent
    try:
        return int(str(value).strip())
    except ValueError:
        raise PlatformDataError(f"{where}: error code is not a number: {value!r}") from None
