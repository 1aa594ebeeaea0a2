"""KPIS.md rules on plain DataFrames: no database."""

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from analytics import kpis

D1, D2 = date(2026, 10, 1), date(2026, 10, 2)


def daily(rows):
    """AccountDailyMetric-like rows; every metric not given is NULL."""
    frame = pd.DataFrame(rows)
    for col, default in (("account", 1), ("platform", "douyin")):
        if col not in frame.columns:
            frame[col] = default
    for col in (*kpis.ORGANIC_SUMS, "followers"):
        if col not in frame.columns:
            frame[col] = np.nan
    return frame


def paid(rows):
    frame = pd.DataFrame(rows)
    for col, default in (("campaign", 1), ("account", 1), ("platform", "douyin"), ("n_days", 1)):
        if col not in frame.columns:
            frame[col] = default
    for col in kpis.PAID_SUMS:
        frame[col] = frame[col].astype(float) if col in frame.columns else np.nan
    return kpis.campaign_day_partials(frame)


def posts_frame(rows):
    """Post partials from (period, completion_rate, views) snapshots, one per post."""
    frame = pd.DataFrame(rows)
    frame["completion_weighted"] = frame["completion_rate"] * frame["views"]
    partials = kpis.add_pairs(frame[["period"]].assign(account=1, platform="douyin"), kpis.POST_PAIRS, frame)
    return partials.groupby(["period", "account", "platform"], as_index=False).sum(min_count=1)


def report_of(daily_rows=None, paid_rows=None, posts=None, start=D1, end=D2, group_by=None):
    organic = kpis.account_day_partials(daily(daily_rows)) if daily_rows else None
    if organic is not None:
        organic = organic[(organic["period"] >= start) & (organic["period"] <= end)]
        organic = kpis.rebucket(organic, granularity="total", start=start, end=end)
    paid_frame = kpis.rebucket(paid(paid_rows), granularity="total", start=start, end=end) if paid_rows else None
    return kpis.report(organic=organic, paid=paid_frame, posts=posts, start=start, end=end,
                       granularity="total", group_by=group_by)


def total(*args, **kwargs):
    return kpis.json_rows(report_of(*args, **kwargs))


def coverage_of(*args, **kwargs):
    report = report_of(*args, **kwargs)
    [k], [coverage] = kpis.json_rows(report), kpis.coverage_rows(report)
    return k, coverage


WORKED_DAYS = [
    {"date": D1, "views": 1000, "likes": 50, "comments": 10, "shares": 5, "saves": 5},
    {"date": D2, "views": 3000, "likes": 90, "comments": 30, "shares": 15, "saves": 15},
]
WORKED_PAID = [{"period": D1, "spend": 1000.00, "paid_impressions": 50000, "clicks": 1250, "conversions": 40,
                "revenue": 4600.00}]


def test_worked_example_of_kpis_md():
    [k] = total(WORKED_DAYS, WORKED_PAID)
    assert k["interactions"] == 220
    assert k["engagement_rate"] == pytest.approx(0.055)
    assert k["engagement_rate"] != pytest.approx(0.06)  # not the mean of daily ratios
    expected = {"cpm": 20.0, "ctr": 0.025, "cpc": 0.8, "cvr": 0.032, "cpa": 25.0, "roas": 4.6, "roi": 3.6}
    assert {name: k[name] for name in expected} == pytest.approx(expected)
    assert k["views"] == 4000
    assert k["spend"] == 1000.0
    assert k["revenue"] == 4600.0
    assert k["cpe"] is None
    assert k["cpf"] is None  # engagements / paid followers not reported


def test_every_kpi_name_is_in_the_output():
    [k] = total(WORKED_DAYS)
    for name in ("interactions", "engagement_rate", "engagement_rate_by_followers", "net_followers",
                 "follower_growth_rate", "read_rate", "completion_rate", "ces", "bilibili_interactions",
                 "ctr", "cvr", "cpm", "cpc", "cpe", "cpa", "cpf", "roas", "roi", "paid_impressions",
                 "paid_followers_gained", "followers"):
        assert name in k


def test_null_is_never_zero():
    [k] = total([{"date": D1, "views": None, "likes": None}, {"date": D2, "views": None, "likes": 3}])
    assert k["views"] is None  # all NULL → NULL
    assert k["likes"] == 3  # sums skip NULL
    assert k["interactions"] == 3  # NULL terms skipped
    assert k["engagement_rate"] is None  # NULL denominator
    assert k["comments"] is None
    assert k["ces"] == 3
    assert k["spend"] is None
    assert k["roi"] is None


def test_zero_denominator_is_null_and_zero_numerator_is_zero():
    [k] = total([{"date": D1, "views": 0, "likes": 0, "comments": 0, "shares": 0, "saves": 0}],
                [{"period": D1, "spend": 0, "paid_impressions": 0, "clicks": 0, "conversions": 0, "revenue": 0}])
    assert k["interactions"] == 0
    assert k["engagement_rate"] is None
    assert k["ctr"] is None
    assert k["cpm"] is None
    assert k["cpc"] is None
    assert k["roas"] is None
    assert k["roi"] is None


def test_net_followers_from_gained_and_lost_when_reported_every_day():
    days = [{"date": D1 - timedelta(days=1), "followers": 1000},
            {"date": D1, "followers": 1010, "followers_gained": 20, "followers_lost": 5},
            {"date": D2, "followers": 1025, "followers_gained": 7, "followers_lost": 2}]
    [k] = total(days)
    assert k["net_followers"] == 20  # (20 + 7) − (5 + 2), not 1025 − 1000
    assert k["follower_growth_rate"] == pytest.approx(20 / 1000)
    assert k["followers"] == 1025  # end of period


def test_net_followers_from_totals_when_a_day_misses_gained_or_lost():
    days = [{"date": D1 - timedelta(days=1), "followers": 1000},
            {"date": D1, "followers": 1010, "followers_gained": 20, "followers_lost": 5},
            {"date": D2, "followers": 1030, "followers_gained": 7}]
    [k] = total(days)
    assert k["net_followers"] == 30  # followers(last day) − followers(day before)
    assert k["follower_growth_rate"] == pytest.approx(0.03)
    assert k["followers_gained"] == 27
    assert k["followers_lost"] == 5


def test_net_followers_null_when_neither_rule_applies():
    [k] = total([{"date": D1, "followers": 1010, "followers_gained": 20}, {"date": D2, "followers": 1030}])
    assert k["net_followers"] is None
    assert k["follower_growth_rate"] is None


def test_read_rate_and_engagement_by_followers_over_the_days_reporting_both():
    days = [{"date": D1, "followers": 1000, "views": 300, "likes": 10}, {"date": D2, "followers": 3000, "views": 500}]
    [k] = total(days)
    assert k["read_rate"] == pytest.approx(800 / 4000)  # the average daily read rate, not Σ views / mean followers
    # Interactions on D1 only: over D1's followers, not the mean followers of both days.
    assert k["engagement_rate_by_followers"] == pytest.approx(10 / 1000)


def test_wechat_read_rate_stays_a_daily_fraction():
    days = [{"date": D1 + timedelta(days=n), "followers": 10_000, "views": 2_000} for n in range(30)]
    [k] = total(days, end=D1 + timedelta(days=29))
    assert k["read_rate"] == pytest.approx(0.2)  # not 30 × 0.2 = 600 %


def test_ces_and_bilibili_interactions():
    [k] = total([{"date": D1, "likes": 10, "saves": 5, "comments": 2, "shares": 1, "followers_gained": 3,
                  "coins": 7, "danmaku": 11}])
    assert k["ces"] == 10 + 5 + 4 * 2 + 4 * 1 + 8 * 3
    assert k["bilibili_interactions"] == 10 + 7 + 5 + 1 + 2 + 11


def test_completion_rate_is_view_weighted_over_posts_reporting_both():
    posts = posts_frame([{"period": D1, "completion_rate": 0.5, "views": 100.0},
                         {"period": D1, "completion_rate": 0.2, "views": 300.0},
                         {"period": D1, "completion_rate": np.nan, "views": 5000.0}])
    report = kpis.report(organic=None, paid=None, posts=posts, start=D1, end=D1, granularity="total")
    [k], [coverage] = kpis.json_rows(report), kpis.coverage_rows(report)
    assert k["completion_rate"] == pytest.approx(110 / 400)  # not (0.5 + 0.2) / 2, nor over the 5,400 views
    assert coverage["completion_rate"] == pytest.approx(2 / 3)


def test_paid_followers_and_engagements():
    [k] = total(paid_rows=[{"period": D1, "spend": 300, "engagements": 60, "paid_followers_gained": 12},
                           {"period": D2, "spend": 100, "engagements": 40, "paid_followers_gained": None}])
    # cpf over the day reporting paid followers only: ¥300 / 12, not ¥400 / 12
    assert k["cpe"] == pytest.approx(4.0)
    assert k["cpf"] == pytest.approx(300 / 12)
    assert k["paid_followers_gained"] == 12
    assert k["impressions"] is None


def test_grouping_sums_accounts_and_keeps_groups_apart():
    rows = [{"date": D1, "account": 1, "platform": "douyin", "views": 100, "likes": 5, "followers": 10},
            {"date": D1, "account": 2, "platform": "douyin", "views": 300, "likes": 15, "followers": 30},
            {"date": D1, "account": 3, "platform": "weibo", "views": 50, "likes": 1}]
    by_platform = total(rows, start=D1, end=D1, group_by="platform")
    assert [(k["views"], k["likes"], k["followers"]) for k in by_platform] == [(400, 20, 40), (50, 1, None)]
    assert by_platform[0]["engagement_rate"] == pytest.approx(20 / 400)
    assert [k["views"] for k in total(rows, start=D1, end=D1, group_by="account")] == [100, 300, 50]


@pytest.mark.parametrize(
    ("granularity", "start", "end", "expected"),
    [
        ("day", date(2026, 10, 1), date(2026, 10, 3),
         [(date(2026, 10, 1),) * 2, (date(2026, 10, 2),) * 2, (date(2026, 10, 3),) * 2]),
        # 2026-10-01 is a Thursday: the first ISO week is clipped to the window.
        ("week", date(2026, 10, 1), date(2026, 10, 13),
         [(date(2026, 10, 1), date(2026, 10, 4)), (date(2026, 10, 5), date(2026, 10, 11)),
          (date(2026, 10, 12), date(2026, 10, 13))]),
        ("month", date(2026, 9, 20), date(2026, 11, 2),
         [(date(2026, 9, 20), date(2026, 9, 30)), (date(2026, 10, 1), date(2026, 10, 31)),
          (date(2026, 11, 1), date(2026, 11, 2))]),
        ("total", date(2026, 9, 20), date(2026, 11, 2), [(date(2026, 9, 20), date(2026, 11, 2))]),
    ],
)
def test_buckets_only_count_days_inside_the_window(granularity, start, end, expected):
    assert kpis.buckets(start, end, granularity) == expected


def test_unknown_granularity_and_group_by_are_rejected():
    with pytest.raises(ValueError, match="granularity"):
        kpis.buckets(D1, D2, "year")
    with pytest.raises(ValueError, match="group_by"):
        kpis.rollup(group_by="country")


def test_previous_window_and_change():
    assert kpis.previous_window(date(2026, 10, 1), date(2026, 10, 31)) == (date(2026, 8, 31), date(2026, 9, 30))
    changed = kpis.change(pd.Series([150.0, 5.0, 5.0, np.nan, -50.0]), pd.Series([100.0, 0.0, np.nan, 3.0, -100.0]))
    assert changed.iloc[0] == pytest.approx(0.5)
    assert changed.iloc[1:4].isna().all()  # previous 0 or NULL, current NULL
    assert changed.iloc[4] == pytest.approx(0.5)  # divided by |previous|


def test_weekly_report_of_daily_rows():
    start, end = date(2026, 10, 1), date(2026, 10, 13)
    rows = [{"date": start + timedelta(days=i), "views": 100 * (i + 1), "likes": i} for i in range(13)]
    organic = kpis.rebucket(kpis.account_day_partials(daily(rows)), granularity="week", start=start, end=end)
    report = kpis.report(organic=organic, paid=None, posts=None, start=start, end=end, granularity="week")
    assert list(report["period"]) == [date(2026, 10, 1), date(2026, 10, 5), date(2026, 10, 12)]
    assert list(report["views"]) == [100 + 200 + 300 + 400, sum(range(500, 1200, 100)), 1200 + 1300]
    assert list(report["likes"]) == [0 + 1 + 2 + 3, sum(range(4, 11)), 11 + 12]


def test_second_worked_example_weibo_views_on_3_of_30_days():
    end = D1 + timedelta(days=29)
    days = [{"date": D1 + timedelta(days=n), "platform": "weibo", "likes": 100,
             "views": (1000 / 3 if n < 3 else None)} for n in range(30)]
    k, coverage = coverage_of(days, end=end)
    assert k["interactions"] == 3000
    assert k["views"] == 1000
    assert k["engagement_rate"] == pytest.approx(0.3)  # 300 / 1,000, not 3,000 / 1,000
    assert k["interactions_per_mille"] == pytest.approx(300.0)
    assert coverage["engagement_rate"] == pytest.approx(0.1)
    assert coverage["interactions_per_mille"] == pytest.approx(0.1)
    assert coverage["roas"] is None  # no row reports either side
    assert k["read_rate"] is None
    assert coverage["read_rate"] == 0.0  # views on 3 days, followers never


def test_second_worked_example_campaign_without_revenue_tracking():
    rows = [{"period": day, "campaign": 1, "spend": 300.0, "revenue": 900.0} for day in (D1, D2)]
    rows += [{"period": day, "campaign": 2, "spend": 200.0, "revenue": None} for day in (D1, D2)]
    k, coverage = coverage_of(paid_rows=rows)
    assert k["spend"] == 1000.0
    assert k["revenue"] == 1800.0
    assert k["roas"] == pytest.approx(3.0)  # 1,800 / 600 over A's rows, not 1,800 / 1,000
    assert k["roi"] == pytest.approx(2.0)
    assert coverage["roas"] == pytest.approx(0.5)
    assert coverage["roi"] == pytest.approx(0.5)
    assert k["cpc"] is None
    assert coverage["cpc"] == 0.0  # spend on every row, clicks on none


def test_every_ratio_kpi_has_a_coverage_entry():
    _, coverage = coverage_of(WORKED_DAYS, WORKED_PAID)
    assert set(coverage) == {name for name in kpis.KPI_NAMES if name in kpis.PAIR_OF}
    assert {"engagement_rate", "read_rate", "completion_rate", "follower_growth_rate", "ctr", "roi"} <= set(coverage)
    assert coverage["engagement_rate"] == 1.0
    assert coverage["ctr"] == 1.0


def test_net_followers_from_the_last_day_reporting_followers():
    days = [{"date": D1 - timedelta(days=1), "followers": 1000}, {"date": D1, "followers": 1030},
            {"date": D2, "followers": None, "views": 5}]
    k, coverage = coverage_of(days)
    assert k["net_followers"] == 30  # the last day reports no followers: the latest day that does
    assert k["follower_growth_rate"] == pytest.approx(0.03)
    assert coverage["follower_growth_rate"] == 1.0
