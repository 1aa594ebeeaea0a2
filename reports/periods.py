"""Which window a scheduled report covers and when it is due (pure date arithmetic)."""

from __future__ import annotations

import datetime as dt

WEEK, MONTH = "week", "month"


def report_window(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The period that ended before `day`: the previous ISO week (Monday–Sunday) or the previous month."""
    if period == WEEK:
        this_monday = day - dt.timedelta(days=day.weekday())
        return this_monday - dt.timedelta(days=7), this_monday - dt.timedelta(days=1)
    if period == MONTH:
        last_of_previous = day.replace(day=1) - dt.timedelta(days=1)
        return last_of_previous.replace(day=1), last_of_previous
    raise ValueError(f"unknown period {period!r}; expected week or month")


def due_day(period: str, day: dt.date) -> dt.date:
    """The day the report of `report_window(period, day)` is sent: the Monday or the 1st after it."""
    return report_window(period, day)[1] + dt.timedelta(days=1)


def is_due(*, period: str, send_at: dt.time, now: dt.datetime, created_on: dt.date) -> bool:
    """A schedule's current report is due once its send time on the due day has passed (later days catch up
    after an outage); a schedule created after the due day waits for the next period."""
    due = due_day(period, now.date())
    if created_on > due:
        return False
    return now.date() > due or now.time() >= send_at


def period_label(start: dt.date, end: dt.date) -> str:
    """ "2026-W44（10-26 – 11-01）", "2026-10", or the window itself."""
    if start.weekday() == 0 and (end - start).days == 6:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}（{start:%m-%d} – {end:%m-%d}）"
    if start.day == 1 and (end + dt.timedelta(days=1)).day == 1 and start.month == end.month:
        return f"{start:%Y-%m}"
    return f"{start.isoformat()} – {end.isoformat()}"
