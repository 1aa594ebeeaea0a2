"""What a platform module receives and returns; shared helpers for the platform modules."""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import parse_qs

from .world import SHANGHAI, rng

# Faults a test or an operator can ask for (POST /_sandbox/faults or `?_fault=`).
FAULTS = ("token_expired", "rate_limit", "busy", "http_500", "timeout", "malformed_json", "strings", "empty")


class BadRequest(Exception):
    """The request itself is wrong; the platform module renders it in its own error shape."""


@dataclass
class Fault:
    platform: str
    fault: str
    remaining: int
    path: str = ""  # only requests whose path contains this; "" = any data request
    delay: float = 3.0  # seconds a `timeout` fault holds the connection before closing it


@dataclass
class State:
    """Everything mutable about one sandbox: the clock, pending faults and issued tokens."""

    seed: int
    today_override: dt.date | None = None
    faults: list[Fault] = field(default_factory=list)
    token_generation: dict = field(default_factory=dict)  # (platform, account) -> current access generation
    used_refresh_tokens: set = field(default_factory=set)
    authorized_at: dict = field(default_factory=dict)  # (platform, account) -> unix time of the first token issued
    requests: dict = field(default_factory=dict)  # path -> count, for tests and ops
    lock: threading.Lock = field(default_factory=threading.Lock)

    def today(self) -> dt.date:
        return self.today_override or dt.datetime.now(SHANGHAI).date()

    def yesterday(self) -> dt.date:
        return self.today() - dt.timedelta(days=1)

    def take_fault(self, platform: str, path: str, token_endpoint: bool) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.platform not in (platform, "*"):
                    continue
                if fault.path and fault.path not in path:
                    continue
                if not fault.path and token_endpoint:
                    continue  # by default faults hit data calls, so a token refresh can recover
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def issue_token(self, platform: str, key: str, *, rotate: bool) -> int:
        with self.lock:
            generation = self.token_generation.get((platform, key), 0) + (1 if rotate else 0)
            self.token_generation[(platform, key)] = generation
            return generation


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: Message
    body: bytes
    state: State
    fault: str | None = None

    def json(self) -> dict:
        try:
            data = json.loads(self.body or b"{}")
        except ValueError:
            raise BadRequest("body is not valid JSON")
        if not isinstance(data, dict):
            raise BadRequest("body must be a JSON object")
        return data

    def params(self) -> dict[str, str]:
        """Query, form and JSON body parameters together (platforms accept them in several places)."""
        params = dict(self.query)
        content_type = self.headers.get("Content-Type", "")
        if "json" in content_type:
            params.update({k: str(v) for k, v in self.json().items()})
        elif self.body:
            params.update({k: v[0] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()})
        return params

    def rng(self, *parts) -> random.Random:
        return rng(self.state.seed, self.path, *parts)


@dataclass
class Reply:
    payload: object
    status: int = 200


def parse_date(value, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise BadRequest(f"{name} must be YYYY-MM-DD, got {value!r}")


def int_param(params: dict, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name, default)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise BadRequest(f"{name} must be an integer, got {raw!r}")
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}, got {value}")
    return value


def days(start: dt.date, end: dt.date):
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def stringify(value, r: random.Random | None = None, share: float = 1.0):
    """Numbers turned into strings, all of them or a random `share` (platforms do both)."""
    if isinstance(value, dict):
        return {k: stringify(v, r, share) for k, v in value.items()}
    if isinstance(value, list):
        return [stringify(v, r, share) for v in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool) and (r is None or r.random() < share):
        return str(value)
    return value


def emptied(value):
    """Every list in a payload replaced by an empty one (the `empty` fault)."""
    if isinstance(value, dict):
        return {k: emptied(v) for k, v in value.items()}
    if isinstance(value, list):
        return []
    return value
