"""frames.py: the GROUP BY partials agree with the pandas reference of kpis.py, for every granularity."""

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from accounts.models import Platform
from analytics import frames, kpis
from analytics.models import ACCOUNT_METRICS, AccountDailyMetric, CampaignDailyMetric
from tests.factories import (
    CampaignFactory,
    OrganizationFactory,
    PostDailyMetricFactory,
    PostFactory,
    SocialAccountFactory,
)

START, END = date(2026, 9, 20), date(2026, 11, 3)


@pytest.fixture
def random_rows(org):
    """3 accounts with a row every day from START − 1 to END; each metric NULL with probability 0.3."""
    rng = np.random.default_rng(5)
    platforms = (Platform.DOUYIN, Platform.DOUYIN, Platform.WEIBO)
    accounts = [SocialAccountFactory(organization=org, platform=platform) for platform in platforms]
    rows, raw = [], []
    for account in accounts:
        for offset in range((END - START).days + 2):
            day = START + timedelta(days=offset - 1)
            values = {m: (None if rng.random() < 0.3 else int(rng.integers(0, 10**6))) for m in ACCOUNT_METRICS}
            rows.append(AccountDailyMetric(account=account, date=day, **values))
            raw.append({"account": account.pk, "platform": account.platform, "date": day, **values})
    AccountDailyMetric.objects.bulk_create(rows)
    campaign = CampaignFactory(organization=org)
    paid = [CampaignDailyMetric(campaign=campaign, account=accounts[offset % 2] if offset % 3 else None,
                                date=START + timedelta(days=offset), spend=offset * 10, impressions=offset * 1000,
                                clicks=None if offset % 4 == 0 else offset, conversions=offset % 5, revenue=offset * 25)
            for offset in range((END - START).days + 1)]
    CampaignDailyMetric.objects.bulk_create(paid)
    frame = pd.DataFrame(raw)
    for metric in ACCOUNT_METRICS:
        frame[metric] = frame[metric].astype(float)
    return frame


def as_kpis(organic, paid, granularity, group_by=None):
    report = kpis.report(organic=organic, paid=paid, posts=None, start=START, end=END, granularity=granularity,
                         group_by=group_by)
    return report.set_index(["period"] + ([group_by] if group_by else []))[list(kpis.KPI_NAMES)]


def test_day_partials_match_the_pandas_reference(org, random_rows):
    sql = frames.organic_partials(organization=org, start=START, end=END, granularity="day")
    reference = kpis.account_day_partials(random_rows)
    reference = reference[(reference["period"] >= START) & (reference["period"] <= END)].sort_values(["period", "account"])
    columns = ["period", "account", "platform", "n_days", *kpis.ORGANIC_SUMS, *kpis.ORGANIC_STATE]
    pd.testing.assert_frame_equal(sql[columns].reset_index(drop=True), reference[columns].reset_index(drop=True),
                                  check_dtype=False)


def test_day_partials_with_missing_days_leave_the_day_before_unknown(org, random_rows):
    gaps = random_rows.sample(frac=0.2, random_state=3)
    for row in gaps.itertuples():
        AccountDailyMetric.objects.filter(account_id=row.account, date=row.date).delete()
    sql = frames.organic_partials(organization=org, start=START, end=END, granularity="day")
    reference = kpis.account_day_partials(random_rows.drop(gaps.index))
    reference = reference[(reference["period"] >= START) & (reference["period"] <= END)].sort_values(["period", "account"])
    columns = ["period", "account", "platform", "n_days", *kpis.ORGANIC_SUMS, *kpis.ORGANIC_STATE]
    assert reference["followers_before"].isna().sum() > len(gaps) / 2  # gaps do reach the day-before column
    pd.testing.assert_frame_equal(sql[columns].reset_index(drop=True), reference[columns].reset_index(drop=True),
                                  check_dtype=False)


@pytest.mark.parametrize("granularity", ["week", "month", "total"])
@pytest.mark.parametrize("group_by", [None, "platform", "account"])
def test_sql_buckets_equal_reaggregated_days(org, random_rows, granularity, group_by):
    args = {"organization": org, "start": START, "end": END}
    organic_days = frames.organic_partials(**args, granularity="day")
    paid_days = frames.paid_partials(**args, granularity="day", group_by=group_by)
    expected = as_kpis(kpis.rebucket(organic_days, granularity=granularity, start=START, end=END),
                       kpis.rebucket(paid_days, granularity=granularity, start=START, end=END), granularity, group_by)
    actual = as_kpis(frames.organic_partials(**args, granularity=granularity),
                     frames.paid_partials(**args, granularity=granularity, group_by=group_by), granularity, group_by)
    pd.testing.assert_frame_equal(actual, expected, check_dtype=False, rtol=1e-12)
    assert actual.notna().any().sum() > 20  # the comparison is not between two all-NULL frames


def test_total_returns_one_row_per_account_not_daily_rows(org, random_rows):
    organic = frames.organic_partials(organization=org, start=START, end=END, granularity="total")
    assert len(organic) == 3
    assert set(organic["n_days"]) == {(END - START).days + 1}
    paid = frames.paid_partials(organization=org, start=START, end=END, granularity="total", group_by="account")
    assert len(paid) == 3  # the campaign's rows of account 1, account 2 and without account


def test_shift_reads_the_earlier_window_under_this_windows_buckets(org, random_rows):
    shifted = frames.organic_partials(organization=org, start=date(2026, 10, 1), end=date(2026, 10, 3),
                                      granularity="day", shift=10)
    plain = frames.organic_partials(organization=org, start=date(2026, 9, 21), end=date(2026, 9, 23), granularity="day")
    assert list(shifted["period"].unique()) == [date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 3)]
    columns = [*kpis.ORGANIC_SUMS, *kpis.ORGANIC_STATE]
    pd.testing.assert_frame_equal(shifted[columns], plain[columns])


def test_unknown_granularity_is_rejected(org):
    with pytest.raises(ValueError, match="granularity"):
        frames.organic_partials(organization=org, start=START, end=END, granularity="quarter")


def _completion_reference(snapshots: pd.DataFrame, granularity: str, group_by) -> pd.DataFrame:
    """KPIS.md's rule in pandas: per post and bucket, the latest snapshot in the window reporting both
    values (paired sums); coverage counts the posts with a snapshot reporting both / either."""
    window = snapshots[(snapshots["date"] >= START) & (snapshots["date"] <= END)].copy()
    window["period"] = [kpis.bucket_of(day, granularity, START) for day in window["date"]]
    window["both"] = window["completion_rate"].notna() & window["views"].notna()
    window["either"] = window["completion_rate"].notna() | window["views"].notna()
    latest = window[window["both"]].sort_values("date").groupby(["post", "period"]).tail(1)
    latest["completion_num"] = latest["completion_rate"] * latest["views"]
    latest["completion_den"] = latest["views"].astype(float)
    keys = ["period"] + ([group_by] if group_by else [])
    posts = window[window["either"]].groupby(["post", *keys])[["both", "either"]].any().reset_index()
    counts = posts.groupby(keys).agg(completion_rows=("both", "sum"), completion_any=("either", "sum"))
    sums = latest.groupby(keys)[["completion_num", "completion_den"]].sum()
    return sums.join(counts, how="outer").reset_index()


@pytest.mark.parametrize("granularity", ["day", "week", "month", "total"])
@pytest.mark.parametrize("group_by", [None, "platform", "account"])
def test_post_partials_follow_the_latest_snapshot_rule(org, granularity, group_by):
    rng = np.random.default_rng(11)
    accounts = [SocialAccountFactory(organization=org, platform=p) for p in (Platform.DOUYIN, Platform.BILIBILI)]
    raw = []
    for n in range(6):
        post = PostFactory(account=accounts[n % 2])
        # Snapshots around the window on random days (gaps included), some without one of the values.
        for offset in sorted(rng.choice(np.arange(-10, 60), size=12, replace=False)):
            day = START + timedelta(days=int(offset))
            views = None if rng.random() < 0.15 else int(rng.integers(1, 10**5))
            rate = None if rng.random() < 0.15 else float(rng.random())
            PostDailyMetricFactory(post=post, date=day, views=views, completion_rate=rate)
            raw.append({"post": post.pk, "account": post.account_id, "platform": post.account.platform, "date": day,
                        "views": views, "completion_rate": rate})
    views_only = PostFactory(account=accounts[0])  # a post whose platform reports no completion rate
    for offset in range(0, 50, 7):
        PostDailyMetricFactory(post=views_only, date=START + timedelta(days=offset), views=500, completion_rate=None)
        raw.append({"post": views_only.pk, "account": accounts[0].pk, "platform": accounts[0].platform,
                    "date": START + timedelta(days=offset), "views": 500, "completion_rate": None})
    other = SocialAccountFactory(organization=OrganizationFactory(), platform=Platform.DOUYIN)
    PostDailyMetricFactory(post=PostFactory(account=other), date=START, views=10**6, completion_rate=1.0)

    actual = frames.post_partials(organization=org, start=START, end=END, granularity=granularity, group_by=group_by)
    expected = _completion_reference(pd.DataFrame(raw), granularity, group_by)
    keys = ["period"] + ([group_by] if group_by else [])
    assert len(expected) >= min(3, len(kpis.buckets(START, END, granularity)))  # not a comparison of nothing
    columns = [*keys, *kpis.POST_SUMS]
    pd.testing.assert_frame_equal(actual[columns].reset_index(drop=True), expected[columns].reset_index(drop=True),
                                  check_dtype=False, rtol=1e-9)
    assert (actual["completion_rows"] < actual["completion_any"]).any()  # coverage below 1 occurs
