"""kpi_report against a hand computation from the raw tables, for every KPI, granularity and grouping.

The reference below reads the stored rows into pandas and applies KPIS.md literally, bucket by
bucket and group by group, without any of the partials of frames.py / kpis.py: paired rows,
coverage, per-account net followers and average followers, the latest completion snapshot per post.
"""

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from accounts.models import Platform
from analytics import kpis, selectors
from analytics.models import (
    ACCOUNT_METRICS,
    AccountDailyMetric,
    CampaignDailyMetric,
    PostDailyMetric,
)
from tests.factories import CampaignFactory, PostFactory, SocialAccountFactory

START, END = date(2026, 9, 27), date(2026, 10, 14)  # a Sunday .. a Wednesday: three months' edges, four weeks
PAID = ("spend", "impressions", "clicks", "engagements", "conversions", "revenue", "followers_gained")
PAID_NAMES = {"impressions": "paid_impressions", "followers_gained": "paid_followers_gained"}


@pytest.fixture
def raw(org):
    """Random rows with gaps and NULLs; Weibo reports views on a few days only, one campaign tracks no revenue."""
    rng = np.random.default_rng(20261201)
    accounts = [
        SocialAccountFactory(organization=org, platform=p) for p in (Platform.DOUYIN, Platform.DOUYIN, Platform.WEIBO)
    ]
    daily = []
    for account in accounts:
        for offset in range(-2, (END - START).days + 1):
            if rng.random() < 0.12:
                continue  # a missing day
            values = {m: (None if rng.random() < 0.25 else int(rng.integers(0, 10**5))) for m in ACCOUNT_METRICS}
            if account.platform == Platform.WEIBO and rng.random() < 0.8:
                values["views"] = None
            daily.append(AccountDailyMetric(account=account, date=START + timedelta(days=offset), **values))
    AccountDailyMetric.objects.bulk_create(daily)

    campaigns = [
        CampaignFactory(organization=org, platform=p) for p in (Platform.XIAOHONGSHU, Platform.XIAOHONGSHU, Platform.DOUYIN)
    ]
    paid = []
    for n, campaign in enumerate(campaigns):
        for offset in range((END - START).days + 1):
            for account in (accounts[n % 3], None):
                if rng.random() < 0.3:
                    continue
                values = {m: (None if rng.random() < 0.2 else int(rng.integers(1, 10**4))) for m in PAID}
                if n == 1:
                    values["revenue"] = None  # 聚光: spend, no revenue tracking
                for money in ("spend", "revenue"):
                    if values[money] is not None:
                        values[money] = Decimal(values[money]) / 100
                paid.append(
                    CampaignDailyMetric(campaign=campaign, account=account, date=START + timedelta(days=offset), **values)
                )
    CampaignDailyMetric.objects.bulk_create(paid)

    for n in range(6):
        post = PostFactory(account=accounts[n % 3])
        for offset in sorted(rng.choice(np.arange(-5, 25), size=10, replace=False)):
            PostDailyMetric.objects.create(
                post=post,
                date=START + timedelta(days=int(offset)),
                views=None if rng.random() < 0.2 else int(rng.integers(1, 10**5)),
                completion_rate=None if rng.random() < 0.3 or n % 3 == 2 else float(rng.random()),
            )

    organic = pd.DataFrame(
        AccountDailyMetric.objects.filter(account__organization=org).values(
            "account", "account__platform", "date", *ACCOUNT_METRICS
        )
    )
    organic = organic.rename(columns={"account__platform": "platform"})
    campaign_rows = pd.DataFrame(
        CampaignDailyMetric.objects.filter(campaign__organization=org).values(
            "campaign", "campaign__platform", "account", "date", *PAID
        )
    )
    campaign_rows = campaign_rows.rename(columns={"campaign__platform": "platform", **PAID_NAMES})
    snapshots = pd.DataFrame(
        PostDailyMetric.objects.filter(post__account__organization=org).values(
            "post", "post__account", "post__account__platform", "date", "views", "completion_rate"
        )
    )
    snapshots = snapshots.rename(columns={"post__account": "account", "post__account__platform": "platform"})
    for frame in (organic, campaign_rows, snapshots):
        for col in frame.columns:
            if col not in ("account", "campaign", "post", "platform", "date"):
                frame[col] = frame[col].astype(float)
    return organic, campaign_rows, snapshots


def _sum(values: pd.Series):
    values = values.dropna()
    return float(values.sum()) if len(values) else None


def _pair(numerator: pd.Series, denominator: pd.Series, scale: float = 1.0):
    both = numerator.notna() & denominator.notna()
    either = int((numerator.notna() | denominator.notna()).sum())
    den = denominator[both].sum()
    value = scale * numerator[both].sum() / den if both.any() and den != 0 else None
    return value, (int(both.sum()) / either if either else None)


def _interactions(rows: pd.DataFrame) -> pd.Series:
    terms = rows[["likes", "comments", "shares", "saves"]]
    return terms.sum(axis=1, min_count=1)


def _organic(rows: pd.DataFrame, everything: pd.DataFrame, first: date, last: date):
    """KPIS.md over the organic rows of one bucket and group; `everything` holds the day before."""
    out, coverage = {}, {}
    for metric in kpis.ORGANIC_SUMS:
        out[metric] = _sum(rows[metric])
    inter = _interactions(rows)
    out["engagement_rate"], coverage["engagement_rate"] = _pair(inter, rows["views"])
    out["interactions_per_mille"], coverage["interactions_per_mille"] = _pair(inter, rows["views"], 1000)
    out["read_rate"], coverage["read_rate"] = _pair(rows["views"], rows["followers"])
    latest, nets, befores, by_followers_num, by_followers_avg = [], [], [], 0.0, []
    growth_both = growth_either = 0
    by_followers_both = by_followers_either = 0
    for account, own in rows.sort_values("date").groupby("account"):
        reported = own["followers"].dropna()
        if len(reported):
            latest.append(reported.iloc[-1])
        prior = everything[(everything["account"] == account) & (everything["date"] == first - timedelta(days=1))]
        before = prior["followers"].iloc[0] if len(prior) and pd.notna(prior["followers"].iloc[0]) else None
        flows = own["followers_gained"].notna() & own["followers_lost"].notna()
        if flows.sum() == (last - first).days + 1:
            net = own["followers_gained"].sum() - own["followers_lost"].sum()
        else:
            net = reported.iloc[-1] - before if len(reported) and before is not None else None
        if net is not None:
            nets.append(net)
        growth_either += net is not None or before is not None
        if net is not None and before is not None:
            growth_both += 1
            befores.append((net, before))
        own_inter = _interactions(own)
        paired = own_inter.notna() & own["followers"].notna()
        by_followers_both += int(paired.sum())
        by_followers_either += int((own_inter.notna() | own["followers"].notna()).sum())
        if paired.any():
            by_followers_num += own_inter[paired].sum()
            by_followers_avg.append(own["followers"][paired].mean())
    out["followers"] = float(sum(latest)) if latest else None
    out["net_followers"] = float(sum(nets)) if nets else None
    growth_den = sum(b for _, b in befores)
    out["follower_growth_rate"] = sum(n for n, _ in befores) / growth_den if befores and growth_den else None
    coverage["follower_growth_rate"] = growth_both / growth_either if growth_either else None
    avg = sum(by_followers_avg)
    out["engagement_rate_by_followers"] = by_followers_num / avg if by_followers_avg and avg else None
    coverage["engagement_rate_by_followers"] = by_followers_both / by_followers_either if by_followers_either else None
    return out, coverage


def _completion(snaps: pd.DataFrame):
    num = den = 0.0
    both_posts = either_posts = 0
    for _, own in snaps.sort_values("date").groupby("post"):
        both = own[own["views"].notna() & own["completion_rate"].notna()]
        either = own["views"].notna() | own["completion_rate"].notna()
        either_posts += bool(either.any())
        if len(both):
            both_posts += 1
            num += both["completion_rate"].iloc[-1] * both["views"].iloc[-1]
            den += both["views"].iloc[-1]
    value = num / den if both_posts and den else None
    return value, (both_posts / either_posts if either_posts else None)


def _paid(rows: pd.DataFrame):
    out, coverage = {}, {}
    for metric in kpis.PAID_SUMS:
        out[metric] = _sum(rows[metric])
    for name, (numerator, denominator) in kpis.PAID_PAIRS.items():
        out[name], coverage[name] = _pair(rows[numerator], rows[denominator], 1000 if name == "cpm" else 1)
    both = rows["revenue"].notna() & rows["spend"].notna()
    spend = rows["spend"][both].sum()
    out["roi"] = (rows["revenue"][both].sum() - spend) / spend if both.any() and spend else None
    coverage["roi"] = coverage["roas"]
    return out, coverage


def _combined(out: dict) -> dict:
    terms = [out.get(m) for m in ("likes", "comments", "shares", "saves")]
    known = [t for t in terms if t is not None]
    out["interactions"] = sum(known) if known else None

    def weighted(names, weights):
        known = [out[n] * w for n, w in zip(names, weights, strict=True) if out.get(n) is not None]
        return sum(known) if known else None

    out["ces"] = weighted(["likes", "saves", "comments", "shares", "followers_gained"], [1, 1, 4, 4, 8])
    out["bilibili_interactions"] = weighted(["likes", "coins", "saves", "shares", "comments", "danmaku"], [1] * 6)
    return out


def reference(raw, first: date, last: date, group_by: str | None, group) -> tuple[dict, dict]:
    organic, paid, snapshots = raw

    def of_group(frame, column):
        if group_by is None:
            return frame
        return frame[frame[column].isna()] if group is None else frame[frame[column] == group]

    def in_bucket(frame):
        return frame[(frame["date"] >= first) & (frame["date"] <= last)]

    out = dict.fromkeys(kpis.KPI_NAMES)
    coverage = dict.fromkeys(kpis.COVERAGE_KPIS)
    if group_by != "campaign":
        values, cov = _organic(in_bucket(of_group(organic, group_by)), organic, first, last)
        out.update(values)
        coverage.update(cov)
        out["completion_rate"], coverage["completion_rate"] = _completion(in_bucket(of_group(snapshots, group_by)))
    values, cov = _paid(in_bucket(of_group(paid, group_by)))
    out.update(values)
    coverage.update(cov)
    return _combined(out), coverage


def assert_close(actual: dict, expected: dict, where: str):
    for name, value in expected.items():
        if value is None:
            assert actual[name] is None, f"{where} {name}: {actual[name]} ≠ NULL"
        else:
            assert actual[name] == pytest.approx(value, rel=1e-9, abs=0.006 if name in kpis.MONEY else 1e-12), (
                f"{where} {name}"
            )


@pytest.mark.parametrize("granularity", kpis.GRANULARITIES)
@pytest.mark.parametrize("group_by", [None, "platform", "account", "campaign"])
def test_every_kpi_and_coverage_equals_the_hand_computation(org, raw, granularity, group_by):
    report = selectors.kpi_report(organization=org, start=START, end=END, granularity=granularity, group_by=group_by)
    bounds = dict(kpis.buckets(START, END, granularity))
    assert {r["period"] for r in report["results"]} == {first.isoformat() for first in bounds}
    partial = 0
    for row in report["results"]:
        first = date.fromisoformat(row["period"])
        group = row.get(group_by) if group_by else None
        expected, coverage = reference(raw, first, bounds[first], group_by, group)
        where = f"{row['period']} {group_by}={group}"
        assert_close(row["kpis"], expected, where)
        assert_close(row["coverage"], coverage, where)
        partial += sum(0 < (c or 1) < 1 for c in row["coverage"].values())
    assert partial > 0  # coverage below 1 is exercised, not only the trivial 1.0


def test_previous_window_equals_the_hand_computation_of_the_earlier_days(org, raw):
    start, end = date(2026, 10, 6), date(2026, 10, 14)
    [row] = selectors.kpi_report(organization=org, start=start, end=end, compare="previous")["results"]
    expected, coverage = reference(raw, date(2026, 9, 27), date(2026, 10, 5), None, None)
    assert_close(row["previous"], expected, "previous")
    assert_close(row["previous_coverage"], coverage, "previous coverage")
