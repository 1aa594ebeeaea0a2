"""kpi_report, post_performance and daily_series on a small hand-built dataset; every expected
number below is computed by hand from the rows of `dataset` (the comments show the arithmetic)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Platform
from analytics import kpis, selectors
from tests.factories import (
    AccountDailyMetricFactory,
    CampaignDailyMetricFactory,
    CampaignFactory,
    OrganizationFactory,
    PostDailyMetricFactory,
    PostFactory,
    SocialAccountFactory,
)

START, END = date(2026, 9, 30), date(2026, 10, 5)  # Wednesday .. Monday: two ISO weeks, two months


def d(day: str) -> date:
    return date.fromisoformat(f"2026-{day}")


@pytest.fixture
def dataset(org):
    a1 = SocialAccountFactory(organization=org, platform=Platform.DOUYIN)
    a2 = SocialAccountFactory(organization=org, platform=Platform.WEIBO)
    for day, values in {
        "09-29": {"followers": 1000, "views": 2000, "likes": 40, "comments": 0, "shares": 0, "saves": 0},
        "09-30": {"followers": 1010, "followers_gained": 15, "followers_lost": 5, "views": 1000, "likes": 50,
                  "comments": 10, "shares": 5, "saves": 5},
        "10-01": {"followers": 1020, "followers_gained": 12, "followers_lost": 2, "views": 3000, "likes": 90,
                  "comments": 30, "shares": 15, "saves": 15},
        "10-05": {"followers": 1050, "followers_gained": 40, "followers_lost": 10, "views": 500, "likes": 10},
    }.items():
        AccountDailyMetricFactory(account=a1, date=d(day), **values)
    AccountDailyMetricFactory(account=a2, date=d("10-01"), followers=200, views=100, likes=4, shares=1)
    AccountDailyMetricFactory(account=a2, date=d("10-05"), followers=210, views=300, likes=6)

    c1 = CampaignFactory(organization=org, platform=Platform.DOUYIN)
    c2 = CampaignFactory(organization=org, platform=Platform.WEIBO)
    CampaignDailyMetricFactory(campaign=c1, account=a1, date=d("09-30"), spend=Decimal("1000.00"), impressions=50000,
                               clicks=1250, conversions=40, revenue=Decimal("4600.00"), followers_gained=20,
                               engagements=100)
    CampaignDailyMetricFactory(campaign=c1, account=None, date=d("10-05"), spend=Decimal("500.00"), impressions=10000,
                               clicks=100, conversions=10, revenue=Decimal("250.00"))
    CampaignDailyMetricFactory(campaign=c2, account=a2, date=d("10-01"), spend=Decimal("200.00"), impressions=20000,
                               clicks=400)

    p1 = PostFactory(account=a1, published_at=datetime(2026, 9, 29, 16, 30, tzinfo=UTC))  # 09-30 00:30 local
    PostDailyMetricFactory(post=p1, date=d("09-30"), views=100, completion_rate=0.5)
    PostDailyMetricFactory(post=p1, date=d("10-01"), views=300, completion_rate=0.4)
    PostDailyMetricFactory(post=p1, date=d("10-05"), views=400, completion_rate=None, likes=40, comments=4)
    p2 = PostFactory(account=a1, published_at=datetime(2026, 9, 1, tzinfo=UTC))
    PostDailyMetricFactory(post=p2, date=d("10-01"), views=100, completion_rate=0.6, likes=5)
    p3 = PostFactory(account=a2, published_at=datetime(2026, 10, 4, 1, 0, tzinfo=UTC))  # no snapshot yet
    PostFactory(account=a2, published_at=datetime(2026, 10, 5, 16, 30, tzinfo=UTC))  # 10-06 local: outside
    old = PostFactory(account=a2, published_at=datetime(2026, 8, 1, tzinfo=UTC))
    PostDailyMetricFactory(post=old, date=d("09-01"), views=9)

    # Another tenant with the same platforms and days: must never leak into org's numbers.
    other = OrganizationFactory()
    b1 = SocialAccountFactory(organization=other, platform=Platform.DOUYIN)
    AccountDailyMetricFactory(account=b1, date=d("10-01"), followers=7, views=999999, likes=999)
    CampaignDailyMetricFactory(campaign=CampaignFactory(organization=other), account=b1, date=d("10-01"),
                               spend=Decimal("99999.00"), impressions=1)
    PostDailyMetricFactory(post=PostFactory(account=b1), date=d("10-01"), views=50, completion_rate=1.0)
    return {"a1": a1, "a2": a2, "c1": c1, "c2": c2, "p1": p1, "p2": p2, "p3": p3, "other": other}


def report(org, **kwargs):
    return selectors.kpi_report(organization=org, start=kwargs.pop("start", START), end=kwargs.pop("end", END), **kwargs)


def check(kpis_out: dict, expected: dict):
    for name, value in expected.items():
        if value is None:
            assert kpis_out[name] is None, name
        else:
            assert kpis_out[name] == pytest.approx(value), name


TOTAL = {
    "views": 4900, "impressions": None, "likes": 160, "comments": 40, "shares": 21, "saves": 20,
    "followers": 1050 + 210, "followers_gained": 67, "followers_lost": 17, "posts_published": None,
    "profile_visits": None, "coins": None, "danmaku": None, "recommends": None,
    "interactions": 241, "engagement_rate": 241 / 4900,
    # average daily followers: a1 (1010 + 1020 + 1050) / 3, a2 (200 + 210) / 2
    "engagement_rate_by_followers": 241 / (3080 / 3 + 205), "interactions_per_mille": 1000 * 241 / 4900,
    # Σ views / Σ followers over the 5 rows reporting both: the average daily read rate
    "read_rate": 4900 / (1010 + 1020 + 1050 + 200 + 210),
    # a1 misses gained/lost on 10-02..10-04: 1050 − 1000 (09-29); a2 has no 09-29 row: NULL, skipped
    "net_followers": 50, "follower_growth_rate": 50 / 1000,
    # p1's latest snapshot with both is 10-01 (300 views, 0.4), p2 (100, 0.6)
    "completion_rate": (300 * 0.4 + 100 * 0.6) / 400,
    "ces": 160 + 20 + 4 * 40 + 4 * 21 + 8 * 67, "bilibili_interactions": 160 + 20 + 21 + 40,
    "spend": 1700.0, "paid_impressions": 80000, "clicks": 1750, "engagements": 100, "conversions": 50,
    "revenue": 4850.0, "paid_followers_gained": 20,
    # paired rows: c2's row (10-01) reports no conversions, revenue, engagements or paid followers, and
    # c1's unattributed row (10-05) no engagements or paid followers
    "ctr": 1750 / 80000, "cvr": 50 / 1350, "cpm": 1700 * 1000 / 80000, "cpc": 1700 / 1750, "cpe": 1000 / 100,
    "cpa": 1500 / 50, "cpf": 1000 / 20, "roas": 4850 / 1500, "roi": 3350 / 1500,
}
TOTAL_COVERAGE = {
    "engagement_rate": 1.0, "interactions_per_mille": 1.0, "engagement_rate_by_followers": 1.0, "read_rate": 1.0,
    "follower_growth_rate": 1.0,  # a2 reports neither its net followers nor the day before
    "completion_rate": 1.0,  # p1 and p2 (p1's 10-05 snapshot without a completion rate does not count)
    "ctr": 1.0, "cpm": 1.0, "cpc": 1.0, "cvr": 2 / 3, "cpa": 2 / 3, "roas": 2 / 3, "roi": 2 / 3,
    "cpe": 1 / 3, "cpf": 1 / 3,
}


def test_total_report_has_every_kpi_computed_by_hand(org, dataset):
    out = report(org)
    assert out["start"] == "2026-09-30"
    assert out["end"] == "2026-10-05"
    assert out["granularity"] == "total"
    [row] = out["results"]
    assert row["period"] == "2026-09-30"
    assert set(row) == {"period", "kpis", "coverage"}
    assert set(row["kpis"]) == set(kpis.KPI_NAMES)
    check(row["kpis"], TOTAL)
    assert set(row["coverage"]) == set(TOTAL_COVERAGE)
    check(row["coverage"], TOTAL_COVERAGE)
    assert isinstance(row["kpis"]["views"], int)
    assert isinstance(row["kpis"]["spend"], float)


def test_group_by_platform(org, dataset):
    douyin, weibo = report(org, group_by="platform")["results"]
    assert douyin["platform"] == "douyin"
    assert weibo["platform"] == "weibo"
    check(douyin["kpis"], {"views": 4500, "interactions": 230, "followers": 1050, "net_followers": 50,
                           "completion_rate": 0.45, "spend": 1500.0, "paid_impressions": 60000, "clicks": 1350,
                           "conversions": 50, "revenue": 4850.0, "roi": 3350 / 1500, "cpa": 30.0})
    check(weibo["kpis"], {"views": 400, "likes": 10, "comments": None, "saves": None, "interactions": 11,
                          "followers": 210, "net_followers": None, "follower_growth_rate": None,
                          "completion_rate": None, "spend": 200.0, "ctr": 400 / 20000, "cvr": None, "cpa": None,
                          "roas": None})


def test_group_by_account_joins_paid_rows_of_the_account(org, dataset):
    rows = report(org, group_by="account")["results"]
    assert [r["account"] for r in rows] == [dataset["a1"].pk, dataset["a2"].pk, None]
    a1, a2, unattributed = (r["kpis"] for r in rows)
    # a1's paid row is the KPIS.md worked example
    check(a1, {"views": 4500, "interactions": 230, "spend": 1000.0, "cpm": 20.0, "ctr": 0.025, "cpc": 0.8,
               "cvr": 0.032, "cpa": 25.0, "roas": 4.6, "roi": 3.6, "cpe": 10.0, "cpf": 50.0})
    check(a2, {"views": 400, "spend": 200.0, "cpm": 10.0})
    check(unattributed, {"views": None, "interactions": None, "spend": 500.0, "roi": (250 - 500) / 500, "cpa": 50.0})


def test_group_by_campaign_has_paid_kpis_only(org, dataset):
    c1, c2 = report(org, group_by="campaign")["results"]
    assert (c1["campaign"], c2["campaign"]) == (dataset["c1"].pk, dataset["c2"].pk)
    check(c1["kpis"], {"spend": 1500.0, "paid_impressions": 60000, "revenue": 4850.0, "roi": 3350 / 1500,
                       "views": None, "engagement_rate": None, "completion_rate": None})
    check(c2["kpis"], {"spend": 200.0, "clicks": 400, "revenue": None, "roas": None})


def test_filters(org, dataset):
    [weibo] = report(org, platform="weibo")["results"]
    check(weibo["kpis"], {"views": 400, "spend": 200.0})
    [a1] = report(org, account=dataset["a1"].pk)["results"]
    check(a1["kpis"], {"views": 4500, "spend": 1000.0, "roi": 3.6})
    [c1] = report(org, campaign=dataset["c1"].pk)["results"]
    check(c1["kpis"], {"views": None, "spend": 1500.0})


def test_day_granularity(org, dataset):
    rows = report(org, granularity="day")["results"]
    assert [r["period"] for r in rows] == ["2026-09-30", "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04",
                                           "2026-10-05"]
    check(rows[0]["kpis"], {"views": 1000, "interactions": 70, "engagement_rate": 0.07, "net_followers": 10,
                            "follower_growth_rate": 10 / 1000, "followers": 1010, "completion_rate": 0.5,
                            "spend": 1000.0, "roi": 3.6})
    # a1 by gained − lost (10); a2 has no row on 09-30 for its follower difference: NULL, skipped
    check(rows[1]["kpis"], {"views": 3100, "interactions": 155, "net_followers": 10, "followers": 1220,
                            "completion_rate": 0.45, "spend": 200.0})
    for empty in rows[2:5]:
        assert all(value is None for value in empty["kpis"].values())
        assert all(value is None for value in empty["coverage"].values())
    assert rows[1]["coverage"]["cvr"] == 0.0  # c2's clicks without conversions
    check(rows[5]["kpis"], {"views": 800, "interactions": 16, "net_followers": 30, "followers": 1260,
                            "completion_rate": None, "spend": 500.0})


def test_week_granularity(org, dataset):
    first, second = report(org, granularity="week")["results"]
    assert (first["period"], second["period"]) == ("2026-09-30", "2026-10-05")  # clipped to the window, then Monday
    # a1 misses gained/lost on 10-02..10-04: its latest followers (10-01) − the day before (09-29)
    check(first["kpis"], {"views": 4100, "interactions": 225, "net_followers": 20, "followers": 1220,
                          "completion_rate": 0.45, "spend": 1200.0})
    check(second["kpis"], {"views": 800, "interactions": 16, "net_followers": 30, "spend": 500.0})


def test_month_granularity(org, dataset):
    september, october = report(org, granularity="month")["results"]
    assert (september["period"], october["period"]) == ("2026-09-30", "2026-10-01")
    check(september["kpis"], {"views": 1000, "interactions": 70, "net_followers": 10, "spend": 1000.0})
    # a1: 1050 (10-05) − 1010 (09-30); a2: no 09-30 row → NULL, skipped
    check(october["kpis"], {"views": 3900, "interactions": 171, "net_followers": 40, "follower_growth_rate": 40 / 1010,
                            "followers": 1260, "completion_rate": 0.45, "spend": 700.0, "revenue": 250.0})


def test_compare_previous_total(org, dataset):
    [row] = report(org, compare="previous")["results"]
    # previous window 09-24..09-29: only a1's 09-29 row
    check(row["previous"], {"views": 2000, "interactions": 40, "engagement_rate": 0.02, "followers": 1000,
                            "net_followers": None, "spend": None})
    check(row["change"], {"views": (4900 - 2000) / 2000, "interactions": (241 - 40) / 40,
                          "engagement_rate": (241 / 4900 - 0.02) / 0.02, "spend": None, "net_followers": None})
    check(row["kpis"], TOTAL)


def test_compare_previous_lines_up_buckets(org, dataset):
    rows = report(org, granularity="day", compare="previous")["results"]
    # day i of the window is compared with day i of the previous window: 10-05 ↔ 09-29
    check(rows[5]["previous"], {"views": 2000, "likes": 40})
    check(rows[5]["change"], {"views": (800 - 2000) / 2000})
    assert rows[0]["previous"]["views"] is None
    assert rows[0]["change"]["views"] is None
    douyin, weibo = report(org, group_by="platform", compare="previous")["results"]
    check(douyin["previous"], {"views": 2000})
    assert weibo["previous"]["views"] is None


def test_other_tenant_sees_only_its_rows(org, dataset):
    [row] = report(dataset["other"])["results"]
    check(row["kpis"], {"views": 999999, "likes": 999, "spend": 99999.0, "completion_rate": 1.0})
    assert report(org, account=SocialAccountFactory(organization=dataset["other"]).pk)["results"][0]["kpis"]["views"] is None


def test_empty_window_reports_nulls(org):
    [row] = report(org)["results"]
    assert all(value is None for value in row["kpis"].values())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"granularity": "year"}, "granularity"),
        ({"group_by": "country"}, "group_by"),
        ({"compare": "last_year"}, "compare"),
        ({"platform": "myspace"}, "platform"),
        ({"account": "1; drop"}, "account"),
        ({"start": date(2026, 10, 5), "end": date(2026, 10, 4)}, "before start"),
        ({"start": date(2023, 1, 1), "end": date(2026, 1, 2)}, "3 years"),
    ],
)
def test_invalid_arguments(org, kwargs, message):
    with pytest.raises(ValueError, match=message):
        report(org, **kwargs)


def test_three_years_is_allowed(org):
    assert len(report(org, start=date(2023, 1, 1), end=date(2025, 12, 31), granularity="month")["results"]) == 36


def test_constant_number_of_queries(org, dataset):
    with CaptureQueriesContext(connection) as small:
        report(org, granularity="day", group_by="account", compare="previous")
    for n in range(20):
        account = SocialAccountFactory(organization=org)
        for day in range(30):
            AccountDailyMetricFactory(account=account, date=date(2026, 9, 1 + day), views=n, followers=day)
    with CaptureQueriesContext(connection) as large:
        report(org, granularity="day", group_by="account", compare="previous")
    assert len(small) == len(large) == 6  # organic, paid, posts × current and previous


def test_post_performance_lists_the_posts_published_in_the_window(org, dataset):
    posts = selectors.post_performance(organization=org, start=START, end=END)
    # p2 (published 09-01) has a snapshot in the window but was not published in it
    assert list(posts["post"]) == [dataset["p1"].pk, dataset["p3"].pk]
    p1, p3 = posts.to_dict("records")
    # p1's latest snapshot as of 10-05: views 400, likes 40, comments 4
    assert (p1["views"], p1["interactions"], p1["engagement_rate"]) == (400, 44, pytest.approx(0.11))
    assert p1["snapshot_date"] == d("10-05")
    assert p1["platform"] == "douyin"
    assert p1["account"] == dataset["a1"].pk
    assert str(p1["published_at"]) == "2026-09-30 00:30:00+08:00"
    assert p1["published_time_known"]
    assert p3["snapshot_date"] is None
    assert p3["views"] != p3["views"]  # NaN: no snapshot, not 0
    top = selectors.post_performance(organization=org, start=START, end=END, ordering="views", limit=1)
    assert list(top["post"]) == [dataset["p1"].pk]
    weibo = selectors.post_performance(organization=org, start=START, end=END, platform="weibo")
    assert list(weibo["post"]) == [dataset["p3"].pk]
    with pytest.raises(ValueError, match="ordering"):
        selectors.post_performance(organization=org, start=START, end=END, ordering="title; drop")
    with pytest.raises(ValueError, match="ordering"):  # growth belongs to the activity view
        selectors.post_performance(organization=org, start=START, end=END, ordering="-views_growth")


def test_post_activity_lists_the_posts_that_grew_with_their_growth(org, dataset):
    PostDailyMetricFactory(post=dataset["p2"], date=d("09-20"), views=40, likes=1)  # before the window
    posts = selectors.post_performance(organization=org, start=START, end=END, view="activity",
                                       ordering="-views_growth")
    # p2: 100 − 40 views since its 09-20 snapshot; p1 was published in the window: it grew from nothing
    assert [(r["post"], r["views_growth"], r["interactions_growth"]) for r in posts.to_dict("records")] == [
        (dataset["p1"].pk, 400, 44), (dataset["p2"].pk, 60, 4),
    ]
    dataset["p2"].daily_metrics.filter(date=d("09-20")).delete()
    again = selectors.post_performance(organization=org, start=START, end=END, view="activity")
    assert list(again["post"]) == [dataset["p1"].pk]  # p2's growth is unknown without an earlier snapshot


def test_daily_series(org, dataset):
    series = selectors.daily_series(organization=org, start=START, end=END)
    assert list(series.columns) == ["date", "platform", *selectors.SERIES_METRICS]
    assert len(series) == 6 * 2
    douyin = series[series["platform"] == "douyin"].set_index("date")
    assert douyin.loc["2026-09-30", "views"] == 1000
    assert douyin.loc["2026-09-30", "spend"] == 1000
    assert douyin.loc["2026-09-30", "engagement_rate"] == pytest.approx(0.07)
    weibo = series[series["platform"] == "weibo"].set_index("date")
    assert weibo.loc["2026-10-01", "spend"] == 200
    assert weibo.loc["2026-10-01", "followers"] == 200
    assert weibo.loc["2026-10-02"].drop("platform").isna().all()
    with pytest.raises(ValueError, match="metrics"):
        selectors.daily_series(organization=org, start=START, end=END, metrics=("bogus",))
