"""Synthetic but platform-shaped data, written through the product's own ingestion service.

Deterministic per account (seeded by its index), so a scale's database can be rebuilt or
resumed and always holds the same rows. A dataset row in `bench_dataset` marks a finished
scale; generation is skipped while the marker and the row counts agree.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from accounts.calendar import local_yesterday
from accounts.models import Organization, Platform, SocialAccount
from accounts.services import account_create, organization_create
from analytics.partitions import partitions_ensure
from ingestion.records import AccountDay, Batch, CampaignDay, PostDay, PostInfo
from ingestion.services import metrics_write

from .scales import ACCOUNTS_PER_ORG, POST_SNAPSHOT_DAYS, POSTS_PER_MONTH, Scale

GENERATOR_VERSION = 1
PLATFORMS = list(Platform.values)
MARKER_DDL = """
CREATE TABLE IF NOT EXISTS bench_dataset (
    scale text PRIMARY KEY, generator_version int NOT NULL, accounts int NOT NULL, days int NOT NULL,
    first_day date NOT NULL, last_day date NOT NULL, complete boolean NOT NULL DEFAULT false,
    rows bigint, seconds double precision, created_at timestamptz NOT NULL DEFAULT now()
)"""


@dataclass(frozen=True)
class Counts:
    account_days: int
    posts: int
    post_days: int
    campaign_days: int

    @property
    def total(self) -> int:
        return self.account_days + self.posts + self.post_days + self.campaign_days


@dataclass(frozen=True)
class Dataset:
    scale: str
    first_day: dt.date
    last_day: dt.date
    counts: Counts
    seconds: float  # generation wall time (0 when reused from cache)
    reused: bool


def post_offsets(days: int) -> list[int]:
    """Publication day offsets: POSTS_PER_MONTH every 30 days, spread evenly."""
    count = round(days * POSTS_PER_MONTH / 30)
    return [i * 30 // POSTS_PER_MONTH for i in range(count)]


def expected_counts(accounts: int, days: int) -> Counts:
    offsets = post_offsets(days)
    post_days = sum(min(POST_SNAPSHOT_DAYS, days - o) for o in offsets)
    return Counts(accounts * days, accounts * len(offsets), accounts * post_days, accounts * days)


def account_batch(*, index: int, platform: str, first_day: dt.date, days: int) -> Batch:
    """One account's whole history: daily rows, posts with 30 daily snapshots, campaign days."""
    rng = random.Random(index)
    size = rng.uniform(0.2, 5.0)  # accounts differ by an order of magnitude
    bilibili, wechat = platform == Platform.BILIBILI, platform == Platform.WECHAT
    offsets = post_offsets(days)
    published_on = {}
    for offset in offsets:
        published_on[offset] = published_on.get(offset, 0) + 1

    batch = Batch()
    followers = int(20_000 * size)
    for offset in range(days):
        day = first_day + dt.timedelta(days=offset)
        views = int(rng.uniform(2_000, 8_000) * size)
        gained, lost = int(views * rng.uniform(0.002, 0.01)), int(views * rng.uniform(0.0005, 0.003))
        followers += gained - lost
        batch.account_days.append(AccountDay(
            date=day, followers=followers, followers_gained=gained, followers_lost=lost,
            impressions=views * 4, views=views, likes=views // 20, comments=views // 150,
            shares=views // 200, saves=views // 120, posts_published=published_on.get(offset, 0),
            profile_visits=views // 30, coins=views // 90 if bilibili else None,
            danmaku=views // 60 if bilibili else None, recommends=views // 80 if wechat else None,
        ))
        spend = Decimal(int(rng.uniform(200, 1_500) * size * 100)) / 100
        clicks = int(float(spend) * rng.uniform(0.8, 1.6))
        batch.campaign_days.append(CampaignDay(
            campaign=f"{platform}-{index:05d}-{day.year}Q{(day.month - 1) // 3 + 1}", date=day, spend=spend,
            impressions=clicks * 40, clicks=clicks, engagements=clicks // 2, conversions=clicks // 30,
            revenue=(spend * Decimal(rng.uniform(1.5, 5))).quantize(Decimal("0.01")), followers_gained=clicks // 25,
        ))

    for number, offset in enumerate(offsets):
        published = first_day + dt.timedelta(days=offset)
        post = PostInfo(
            external_id=f"p{index:05d}-{number:05d}", kind="video", title=f"第{number + 1}条内容",
            url=f"https://example.com/{index}/{number}",
            published_at=dt.datetime.combine(published, dt.time(20, 0), tzinfo=dt.UTC),
        )
        batch.posts.append(post)
        reach = rng.uniform(1_000, 20_000) * size
        completion = rng.uniform(0.2, 0.6)
        for age in range(min(POST_SNAPSHOT_DAYS, days - offset)):
            views = int(reach * (1 - math.exp(-(age + 1) / 3)))  # lifetime totals saturate
            batch.post_days.append(PostDay(
                post=post, date=published + dt.timedelta(days=age), impressions=views * 3, views=views,
                likes=views // 18, comments=views // 140, shares=views // 190, saves=views // 110,
                coins=views // 85 if bilibili else None, danmaku=views // 55 if bilibili else None,
                recommends=views // 75 if wechat else None, followers_gained=views // 400,
                profile_visits=views // 35, completion_rate=round(completion, 4),
                avg_watch_seconds=round(18.5 * completion, 2),
            ))
    return batch


def dataset_window(days: int) -> tuple[dt.date, dt.date]:
    """Data ends yesterday (local time), so dashboards' default windows show it."""
    last = local_yesterday()
    return last - dt.timedelta(days=days - 1), last


def table_counts() -> Counts:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM analytics_accountdailymetric), (SELECT count(*) FROM analytics_post), "
            "(SELECT count(*) FROM analytics_postdailymetric), (SELECT count(*) FROM analytics_campaigndailymetric)"
        )
        return Counts(*cursor.fetchone())


def _marker(scale: Scale):
    """(first_day, last_day, complete) of this scale's dataset, or None if absent or from other parameters."""
    with connection.cursor() as cursor:
        cursor.execute(MARKER_DDL)
        cursor.execute(
            "SELECT first_day, last_day, complete, generator_version, accounts, days FROM bench_dataset "
            "WHERE scale = %s", [scale.name],
        )
        row = cursor.fetchone()
    if row is None or row[3:] != (GENERATOR_VERSION, scale.accounts, scale.days):
        return None
    return row[:3]


def _start_fresh(scale: Scale) -> tuple[dt.date, dt.date]:
    """Empty the bench database (it holds nothing else) and record the new window as in progress."""
    first_day, last_day = dataset_window(scale.days)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE accounts_organization CASCADE")
        cursor.execute("DELETE FROM bench_dataset")
        cursor.execute(
            "INSERT INTO bench_dataset (scale, generator_version, accounts, days, first_day, last_day) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            [scale.name, GENERATOR_VERSION, scale.accounts, scale.days, first_day, last_day],
        )
    partitions_ensure(first=first_day)  # the history's months, before the history arrives
    return first_day, last_day


def organization_slug(number: int) -> str:
    return f"bench-{number:03d}"


def bench_accounts(scale: Scale) -> list[SocialAccount]:
    """The scale's organizations and accounts, created through the account services if missing."""
    accounts = []
    for org_number in range(scale.organizations):
        slug = organization_slug(org_number)
        org = Organization.objects.filter(slug=slug).first() or organization_create(slug=slug, name=f"基准品牌 {org_number}")
        existing = {a.external_id: a for a in org.accounts.all()}
        for index in range(org_number * ACCOUNTS_PER_ORG, min(scale.accounts, (org_number + 1) * ACCOUNTS_PER_ORG)):
            external_id = f"acct-{index:05d}"
            account = existing.get(external_id) or account_create(
                organization=org, platform=PLATFORMS[index % len(PLATFORMS)], external_id=external_id,
                name=f"基准账号 {index}",
            )
            accounts.append(account)
    return accounts


def dataset_generate(scale: Scale, *, log=print) -> Dataset:
    """Generate (or resume) the scale's data unless the cached copy is complete."""
    expected = expected_counts(scale.accounts, scale.days)
    marker = _marker(scale)
    if marker and marker[2]:
        counts = table_counts()
        if counts == expected:
            log(f"[{scale.name}] cached dataset: {counts.total:,} rows ({marker[0]}..{marker[1]})")
            return Dataset(scale.name, marker[0], marker[1], counts, 0.0, reused=True)
        marker = None
    first_day, last_day = marker[:2] if marker else _start_fresh(scale)
    accounts = bench_accounts(scale)
    done = set(
        SocialAccount.objects.filter(pk__in=[a.pk for a in accounts], daily_metrics__date=first_day)
        .values_list("pk", flat=True)
    )
    started, written = time.perf_counter(), 0
    for n, account in enumerate(accounts):
        if account.pk in done:  # a batch is all-or-nothing, so its first day proves it complete
            continue
        index = int(account.external_id.removeprefix("acct-"))
        batch = account_batch(index=index, platform=account.platform, first_day=first_day, days=scale.days)
        written += len(batch)
        metrics_write(account=account, batch=batch)
        if (n + 1) % 50 == 0:
            elapsed = time.perf_counter() - started
            log(f"[{scale.name}] {n + 1}/{len(accounts)} accounts, {written:,} rows, {written / elapsed:,.0f} rows/s")
    seconds = time.perf_counter() - started
    counts = table_counts()
    if counts != expected:
        raise RuntimeError(f"[{scale.name}] the database holds {counts}, expected {expected}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute(
            "UPDATE bench_dataset SET complete = true, rows = %s, seconds = %s WHERE scale = %s",
            [written, seconds, scale.name],
        )
    log(f"[{scale.name}] generated {written:,} rows in {seconds:.1f}s ({written / max(seconds, 1e-9):,.0f} rows/s)")
    return Dataset(scale.name, first_day, last_day, counts, seconds, reused=False)
