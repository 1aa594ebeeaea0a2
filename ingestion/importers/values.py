"""Cell parsers: one spreadsheet cell (str, number or date from the reader) → a typed value.

Each returns None for "not reported" (`-`, `--`, empty) — never 0 — and raises `CellError`
with a Chinese message for anything it cannot read exactly.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from accounts.calendar import PLATFORM_TZ

NULL_MARKERS = {"", "-", "--", "—", "——", "/", "n/a", "na", "null", "none", "nan"}
MAX_COUNTER = 2**63 - 1  # PostgreSQL bigint
MAX_MONEY = Decimal("1e14")  # DecimalField(max_digits=16, decimal_places=2)
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2100, 12, 31)

# Chinese back-offices abbreviate large counts: 1.2万 = 12,000; 1.2w is the same in app UIs.
_UNITS = {"万": 10_000, "w": 10_000, "亿": 100_000_000}
_NUMBER = re.compile(r"^([+-]?)(\d+(?:\.\d+)?|\.\d+)(万|w|亿)?$")
_DATE = re.compile(
    r"^(\d{4})(?:[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{2})(\d{2}))"
    r"(?:[ t]+(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2})(?:\.\d+)?秒?)?)?$"
)
_DURATION_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")
_DURATION_WORDS = re.compile(
    r"^(?:(\d+(?:\.\d+)?)(?:小时|h))?(?:(\d+(?:\.\d+)?)(?:分钟|分|min|m))?(?:(\d+(?:\.\d+)?)(?:秒|s))?$"
)


class CellError(ValueError):
    pass


# Exports repeat the same cells ("-", "23.5%", dates) thousands of times; parsers are pure, so
# cache them. typed=True keeps True apart from 1 and 1.0.
_cached = functools.lru_cache(maxsize=65536, typed=True)


@_cached
def _text(value) -> str:
    # NFKC folds full-width digits, commas and colons (１，２３４) into ASCII.
    return unicodedata.normalize("NFKC", str(value)).strip().lower()


def is_null(value) -> bool:
    # Longer text with no surrounding space is never a null marker (most cells of a big export).
    if type(value) is str and len(value) > 6 and not value[0].isspace() and not value[-1].isspace():
        return False
    return _is_null(value)


@_cached
def _is_null(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and _text(value) in NULL_MARKERS


def _decimal(value, *, what: str) -> Decimal:
    if isinstance(value, bool):
        raise CellError(f"应为{what}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError(f"应为{what}")
        return Decimal(repr(value))
    text = _text(value).replace(",", "").replace(" ", "").replace("¥", "").replace("元", "")
    match = _NUMBER.match(text)
    if not match:
        raise CellError(f"不是{what}")
    sign, digits, unit = match.groups()
    try:
        number = Decimal(digits) * _UNITS.get(unit or "", 1)
    except InvalidOperation:
        raise CellError(f"不是{what}") from None
    return -number if sign == "-" else number


def counter(value, *, signed: bool = False) -> int | None:
    """A whole count: 1234, '1,234', '1.2万' (rounded), 1234.0 from a spreadsheet."""
    # Plain ASCII digits are most cells of a big export: int() them without the general path.
    if type(value) is str and len(value) < 19 and value.isdigit() and value.isascii():
        return int(value)
    return _counter(value, signed=signed)


@_cached
def _counter(value, *, signed: bool = False) -> int | None:
    if is_null(value):
        return None
    number = _decimal(value, what="整数")
    unit_scaled = isinstance(value, str) and any(u in _text(value) for u in _UNITS)
    if number != number.to_integral_value() and not unit_scaled:
        raise CellError("应为整数")
    result = int(number.to_integral_value(rounding=ROUND_HALF_UP))
    if result < 0 and not signed:
        raise CellError("不能为负数")
    if abs(result) > MAX_COUNTER:
        raise CellError("数值过大")
    return result


@_cached
def signed_counter(value) -> int | None:
    return counter(value, signed=True)


@_cached
def money(value) -> Decimal | None:
    """CNY amount: '1,234.50', '¥1234.5', '1.2万'; rounded to fen."""
    if is_null(value):
        return None
    amount = _decimal(value, what="金额").quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount < 0:
        raise CellError("金额不能为负数")
    if amount >= MAX_MONEY:
        raise CellError("金额过大")
    return amount


@_cached
def rate(value) -> float | None:
    """A fraction 0..1: '12.3%' or 0.123. A bare number above 1 is rejected, not guessed at."""
    if is_null(value):
        return None
    text = _text(value) if isinstance(value, str) else ""
    percent = text.endswith("%")
    fraction = _decimal(text[:-1], what="百分比") / 100 if percent else _decimal(value, what="比例")
    if not 0 <= fraction <= 1:
        raise CellError("比例应在 0–1 之间（或 0%–100%）")
    return float(fraction)


@_cached
def seconds(value) -> float | None:
    """A duration: 12.5, '12.5s', '12秒', '1分2秒', '00:01:02'."""
    if is_null(value):
        return None
    if isinstance(value, dt.time):
        return value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        total = float(value)
    else:
        text = _text(value).replace(" ", "")
        if clock := _DURATION_CLOCK.match(text):
            h, m, s = clock.groups()
            total = int(h or 0) * 3600 + int(m) * 60 + float(s)
        elif text and (words := _DURATION_WORDS.match(text)) and any(words.groups()):
            h, m, s = (float(g) if g else 0.0 for g in words.groups())
            total = h * 3600 + m * 60 + s
        else:
            total = float(_decimal(text, what="时长（秒）"))
    if not 0 <= total < 10**9:
        raise CellError("时长不合理")
    return total


@_cached
def moment(value) -> dt.datetime | None:
    """A local date or date-time: '2026-10-01', '2026/10/1 08:30', '2026年10月01日 08:30:00', '20261001'."""
    if is_null(value):
        return None
    if isinstance(value, dt.datetime):
        result = value.replace(tzinfo=None)
    elif isinstance(value, dt.date):
        result = dt.datetime.combine(value, dt.time())
    else:
        match = _DATE.match(_text(value))
        if not match:
            raise CellError("不是日期（应如 2026-10-01、2026/10/01、2026年10月01日）")
        year, month, day, month2, day2, hour, minute, second = match.groups()
        try:
            result = dt.datetime(
                int(year), int(month or month2), int(day or day2), int(hour or 0), int(minute or 0), int(second or 0)
            )
        except ValueError:
            raise CellError("日期不存在") from None
    if not FIRST_DAY <= result.date() <= LAST_DAY:
        raise CellError("日期超出 2000–2100 年")
    return result


@_cached
def day(value) -> dt.date | None:
    parsed = moment(value)
    return parsed.date() if parsed else None


def _iso_minute(value) -> dt.datetime | None:
    """'2026-10-01 08:30' or '2026-10-01 08:30:00' (most cells of a big export) without the general
    path; None for anything else, which `moment` then reads (or explains)."""
    if type(value) is not str or len(value) not in (16, 19) or value[10] != " " or value[4] != "-" or value[7] != "-":
        return None
    try:
        result = dt.datetime.fromisoformat(value) if value.isascii() else None
    except ValueError:
        return None
    return result if result and result.tzinfo is None and FIRST_DAY <= result.date() <= LAST_DAY else None


def local_datetime(value) -> dt.datetime | None:
    """A publish time on the platforms' clock (exports carry no zone), made timezone-aware."""
    parsed = _iso_minute(value) or moment(value)
    return parsed.replace(tzinfo=PLATFORM_TZ) if parsed else None


def text(value) -> str:
    if is_null(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def short_text(max_length: int):
    """A text cell stored in a bounded column (a campaign name, a platform id)."""

    def parse(value) -> str:
        result = text(value)
        if len(result) > max_length:
            raise CellError(f"过长（最多 {max_length} 个字符）")
        return result

    return parse
