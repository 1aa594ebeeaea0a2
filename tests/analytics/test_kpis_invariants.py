"""Property tests of the aggregation rule: re-aggregating split periods (their paired partials
included) gives the same totals and coverage, and a NULL never turns into 0."""

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import kpis

METRICS = (*kpis.ORGANIC_SUMS, "followers")


@st.composite
def account_days(draw):
    """Daily rows of 1–3 accounts over a window of 1–60 days, plus the day before it; any metric may be NULL."""
    start = draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)))
    length = draw(st.integers(min_value=1, max_value=60))
    accounts = draw(st.integers(min_value=1, max_value=3))
    # Values come from a seeded generator (drawing thousands of cells one by one is slow); the NULL
    # share per metric is drawn so that all-NULL, no-NULL and mixed columns all occur.
    rng = np.random.default_rng(draw(st.integers(min_value=0, max_value=2**32 - 1)))
    rows = [{"account": account, "platform": "douyin" if account < 3 else "weibo", "date": start + timedelta(days=offset)}
            for account in range(1, accounts + 1) for offset in range(-1, length)]
    frame = pd.DataFrame(rows)
    for metric in METRICS:
        values = rng.integers(0, 10**7, size=len(frame)).astype(float)
        values[rng.random(len(frame)) < draw(st.sampled_from([0.0, 0.3, 1.0]))] = np.nan
        frame[metric] = values
    return frame, start, start + timedelta(days=length - 1)


def day_partials(frame, start, end):
    partials = kpis.account_day_partials(frame)
    return partials[(partials["period"] >= start) & (partials["period"] <= end)]


def kpi_rows(organic, start, end, group_by=None):
    report = kpis.report(organic=organic, paid=None, posts=None, start=start, end=end, granularity="total",
                         group_by=group_by)
    return kpis.json_rows(report)


def kpi_and_coverage_rows(organic, start, end, group_by=None, paid=None):
    report = kpis.report(organic=organic, paid=paid, posts=None, start=start, end=end, granularity="total",
                         group_by=group_by)
    return [{**k, **{f"coverage.{name}": v for name, v in c.items()}}
            for k, c in zip(kpis.json_rows(report), kpis.coverage_rows(report), strict=True)]


def assert_same(left, right):
    assert len(left) == len(right)
    for a, b in zip(left, right, strict=True):
        assert a.keys() == b.keys()
        for name in a:
            if a[name] is None or b[name] is None:
                assert a[name] is b[name], name
            else:
                assert a[name] == pytest.approx(b[name], rel=1e-9), name


@settings(max_examples=25, deadline=None)
@given(data=account_days(), cut=st.floats(min_value=0, max_value=1), group_by=st.sampled_from([None, "platform"]))
def test_splitting_a_period_and_reaggregating_gives_the_same_totals(data, cut, group_by):
    frame, start, end = data
    days = day_partials(frame, start, end)
    direct = kpis.rebucket(days, granularity="total", start=start, end=end)

    mid = start + timedelta(days=int(cut * ((end - start).days)))
    first = kpis.rebucket(days[days["period"] <= mid], granularity="total", start=start, end=mid)
    parts = [first]
    if mid < end:
        second = days[days["period"] > mid]
        parts.append(kpis.rebucket(second, granularity="total", start=mid + timedelta(days=1), end=end))
    split = kpis.rebucket(pd.concat(parts), granularity="total", start=start, end=end)
    whole = kpi_and_coverage_rows(direct, start, end, group_by)
    assert_same(whole, kpi_and_coverage_rows(split, start, end, group_by))

    for granularity in ("week", "month"):
        coarse = kpis.rebucket(days, granularity=granularity, start=start, end=end)
        regrouped = kpis.rebucket(coarse, granularity="total", start=start, end=end)
        assert_same(whole, kpi_and_coverage_rows(regrouped, start, end, group_by))


@settings(max_examples=60, deadline=None)
@given(data=account_days())
def test_a_null_never_becomes_zero(data):
    frame, start, end = data
    window = frame[(frame["date"] >= start) & (frame["date"] <= end)]
    [k] = kpi_rows(kpis.rebucket(day_partials(frame, start, end), granularity="total", start=start, end=end),
                   start, end)
    for metric in kpis.ORGANIC_SUMS:
        reported = window[metric].dropna()
        assert k[metric] == (int(reported.sum()) if len(reported) else None), metric
    terms = window[["likes", "comments", "shares", "saves"]]
    assert (k["interactions"] is None) == bool(terms.isna().all().all())
    if k["views"] in (None, 0):
        assert k["engagement_rate"] is None
    for paid_kpi in kpis.PAID_SUMS + kpis.PAID_KPIS:
        assert k[paid_kpi] is None  # no paid data at all: NULL, not 0


@st.composite
def campaign_days(draw):
    """Daily rows of 1–3 campaigns over 1–40 days; any paid metric may be NULL (e.g. no revenue tracking)."""
    start = draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)))
    length = draw(st.integers(min_value=1, max_value=40))
    campaigns = draw(st.integers(min_value=1, max_value=3))
    rng = np.random.default_rng(draw(st.integers(min_value=0, max_value=2**32 - 1)))
    frame = pd.DataFrame([{"campaign": c, "platform": "xiaohongshu" if c < 3 else "douyin",
                           "period": start + timedelta(days=offset), "n_days": 1}
                          for c in range(1, campaigns + 1) for offset in range(length)])
    for metric in kpis.PAID_SUMS:
        values = rng.integers(0, 10**6, size=len(frame)).astype(float)
        values[rng.random(len(frame)) < draw(st.sampled_from([0.0, 0.4, 1.0]))] = np.nan
        frame[metric] = values
    return kpis.campaign_day_partials(frame), start, start + timedelta(days=length - 1)


@settings(max_examples=25, deadline=None)
@given(data=campaign_days(), cut=st.floats(min_value=0, max_value=1), group_by=st.sampled_from([None, "campaign"]))
def test_splitting_paid_rows_and_reaggregating_the_paired_partials_gives_the_whole(data, cut, group_by):
    days, start, end = data

    def rows(paid):
        return kpi_and_coverage_rows(None, start, end, group_by, paid=paid)

    mid = start + timedelta(days=int(cut * ((end - start).days)))
    parts = [kpis.rebucket(days[days["period"] <= mid], granularity="total", start=start, end=mid)]
    if mid < end:
        parts.append(kpis.rebucket(days[days["period"] > mid], granularity="total", start=mid + timedelta(days=1),
                                   end=end))
    whole = rows(kpis.rebucket(days, granularity="total", start=start, end=end))
    assert_same(whole, rows(kpis.rebucket(pd.concat(parts), granularity="total", start=start, end=end)))
    for k in whole:  # a ratio stands only on rows reporting both sides
        if k["coverage.roas"] == 0:
            assert k["roas"] is None
