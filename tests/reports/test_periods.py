import datetime as dt

import pytest

from reports.periods import due_day, is_due, period_label, report_window


@pytest.mark.parametrize(
    "day, window",
    [
        (dt.date(2026, 11, 2), (dt.date(2026, 10, 26), dt.date(2026, 11, 1))),  # Monday: the ISO week before
        (dt.date(2026, 11, 8), (dt.date(2026, 10, 26), dt.date(2026, 11, 1))),  # Sunday: still that week
        (dt.date(2027, 1, 4), (dt.date(2026, 12, 28), dt.date(2027, 1, 3))),  # across the new year (2026-W53)
    ],
)
def test_weekly_window_is_the_previous_iso_week(day, window):
    assert report_window("week", day) == window


@pytest.mark.parametrize(
    "day, window",
    [
        (dt.date(2026, 11, 1), (dt.date(2026, 10, 1), dt.date(2026, 10, 31))),
        (dt.date(2026, 3, 15), (dt.date(2026, 2, 1), dt.date(2026, 2, 28))),
        (dt.date(2027, 1, 1), (dt.date(2026, 12, 1), dt.date(2026, 12, 31))),
    ],
)
def test_monthly_window_is_the_previous_month(day, window):
    assert report_window("month", day) == window


def test_due_at_the_local_time_on_the_due_day_and_catching_up_after():
    nine = dt.time(9, 0)
    monday = dt.datetime(2026, 11, 2, 8, 59)
    assert due_day("week", monday.date()) == monday.date()
    assert not is_due(period="week", send_at=nine, now=monday, created_on=dt.date(2026, 10, 1))
    assert is_due(period="week", send_at=nine, now=monday.replace(hour=9), created_on=dt.date(2026, 10, 1))
    assert is_due(period="week", send_at=nine, now=dt.datetime(2026, 11, 3, 1, 0), created_on=dt.date(2026, 10, 1))
    # created on Tuesday: last week's report is not sent retroactively
    assert not is_due(period="week", send_at=nine, now=dt.datetime(2026, 11, 4, 10), created_on=dt.date(2026, 11, 3))
    assert is_due(period="month", send_at=nine, now=dt.datetime(2026, 11, 1, 9, 30), created_on=dt.date(2026, 10, 1))


def test_period_labels():
    assert period_label(dt.date(2026, 10, 26), dt.date(2026, 11, 1)) == "2026-W44（10-26 – 11-01）"
    assert period_label(dt.date(2026, 10, 1), dt.date(2026, 10, 31)) == "2026-10"
    assert period_label(dt.date(2026, 10, 3), dt.date(2026, 10, 9)) == "2026-10-03 – 2026-10-09"
    with pytest.raises(ValueError, match="unknown period"):
        report_window("year", dt.date(2026, 1, 1))
