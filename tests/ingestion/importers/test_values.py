"""Cell parsers: the odd forms Chinese back-offices write, and what they must refuse."""

import datetime as dt
from decimal import Decimal

import pytest

from ingestion.importers import values
from ingestion.importers.values import CellError


@pytest.mark.parametrize("raw", [None, "", "  ", "-", "--", "—", float("nan")])
def test_not_reported_is_null_never_zero(raw):
    assert values.counter(raw) is None
    assert values.rate(raw) is None
    assert values.money(raw) is None
    assert values.day(raw) is None


@pytest.mark.parametrize(("raw", "expected"), [
    ("1,234", 1234), ("1.2万", 12000), ("1.23456万", 12346), ("3亿", 300_000_000), ("2.5w", 25000),
    ("１，２３４", 1234), (1234.0, 1234), (0, 0), ("0", 0), (" 56 ", 56),
])
def test_counter_forms(raw, expected):
    assert values.counter(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "12.5", 12.5, "1e5", "12%", "-3", str(2**63), "1,2,3,4a", True])
def test_counter_rejects(raw):
    with pytest.raises(CellError):
        values.counter(raw)


def test_signed_counter_allows_net_loss():
    assert values.signed_counter("-12") == -12


@pytest.mark.parametrize(("raw", "expected"), [("12.3%", 0.123), ("0.123", 0.123), (0.5, 0.5), ("100%", 1.0), (1, 1.0)])
def test_rate_forms(raw, expected):
    assert values.rate(raw) == pytest.approx(expected)


@pytest.mark.parametrize("raw", ["12.3", "130%", "-1%", "abc"])
def test_rate_refuses_to_guess(raw):
    with pytest.raises(CellError):
        values.rate(raw)


@pytest.mark.parametrize(("raw", "expected"), [
    ("2026-10-01", dt.datetime(2026, 10, 1)), ("2026/10/1", dt.datetime(2026, 10, 1)),
    ("2026年10月01日", dt.datetime(2026, 10, 1)), ("2026年10月01日 08:30", dt.datetime(2026, 10, 1, 8, 30)),
    ("2026-10-01 08:30:15", dt.datetime(2026, 10, 1, 8, 30, 15)), ("20261001", dt.datetime(2026, 10, 1)),
    (dt.datetime(2026, 10, 1, 9), dt.datetime(2026, 10, 1, 9)), (dt.date(2026, 10, 1), dt.datetime(2026, 10, 1)),
])
def test_dates(raw, expected):
    assert values.moment(raw) == expected


@pytest.mark.parametrize("raw", ["2026-02-30", "10/01/2026", "yesterday", "1899-12-31", "2026-13-01"])
def test_bad_dates(raw):
    with pytest.raises(CellError):
        values.moment(raw)


def test_publish_time_is_shanghai():
    assert values.local_datetime("2026-10-01 08:00").utcoffset() == dt.timedelta(hours=8)


@pytest.mark.parametrize(("raw", "expected"), [
    ("12.5", 12.5), ("12秒", 12), ("1分2秒", 62), ("00:01:30", 90), ("03:25", 205), ("12.5s", 12.5), (7, 7),
])
def test_durations(raw, expected):
    assert values.seconds(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("¥1,500.00", Decimal("1500.00")), ("1234.567", Decimal("1234.57")), ("1.2万", Decimal("12000.00")),
    (99.5, Decimal("99.50")),
])
def test_money(raw, expected):
    assert values.money(raw) == expected


@pytest.mark.parametrize("raw", ["-5", "1e20", "free", "1" * 20])
def test_money_rejects(raw):
    with pytest.raises(CellError):
        values.money(raw)
