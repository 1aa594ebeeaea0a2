"""The one write path (`metrics_write` / `batch_ingest`): idempotent, NULL-safe, all or nothing."""

import datetime as dt
from decimal import Decimal

import pytest

from analytics.models import AccountDailyMetric, Campaign, CampaignDailyMetric, Post, PostDailyMetric
from ingestion.models import IngestionRun, RunSource, RunStatus
from ingestion.records import AccountDay, Batch, CampaignDay, PostDay, PostInfo
from ingestion.services import batch_ingest, metrics_write
from tests.factories import SocialAccountFactory

D1, D2, D3 = dt.date(2026, 10, 1), dt.date(2026, 10, 2), dt.date(2026, 10, 3)


@pytest.fixture
def account(db):
    return SocialAccountFactory()


def window_batch() -> Batch:
    post = PostInfo(external_id="v1", kind="video", title="国庆出游", url="https://example.com/v1",
                    published_at=dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC))
    return Batch(
        account_days=[AccountDay(date=d, followers=1000 + i, views=200 * (i + 1), likes=10 + i) for i, d in
                      enumerate((D1, D2, D3))],
        posts=[post],
        post_days=[PostDay(post=post, date=d, views=50 * (i + 1), completion_rate=0.25) for i, d in enumerate((D1, D2))],
        campaign_days=[CampaignDay(campaign="双11预热", date=D1, spend=Decimal("123.45"), clicks=17)],
    )


def snapshot(account):
    """Every stored row of the account, as plain values (including the update timestamps)."""
    return (
        list(AccountDailyMetric.objects.filter(account=account).order_by("date").values()),
        list(Post.objects.filter(account=account).values()),
        list(PostDailyMetric.objects.filter(post__account=account).order_by("date").values()),
        list(CampaignDailyMetric.objects.filter(account=account).order_by("date").values()),
    )


def test_writing_the_same_window_twice_leaves_identical_rows(account):
    first = metrics_write(account=account, batch=window_batch())
    before = snapshot(account)

    second = metrics_write(account=account, batch=window_batch())

    assert snapshot(account) == before
    assert (first.received, second.received) == (7, 7)
    assert first.changed == 7
    assert second.changed == 0
    assert [r["followers"] for r in before[0]] == [1000, 1001, 1002]
    assert before[3][0]["spend"] == Decimal("123.45")


def test_a_missing_value_never_overwrites_a_stored_one(account):
    metrics_write(account=account, batch=window_batch())
    post = PostInfo(external_id="v1")  # no kind/title/url: a source that only knows the id
    later = Batch(
        account_days=[AccountDay(date=D1, followers=None, views=999)],
        post_days=[PostDay(post=post, date=D1, views=None, likes=8)],
    )

    metrics_write(account=account, batch=later)

    day = AccountDailyMetric.objects.get(account=account, date=D1)
    assert (day.followers, day.views, day.likes) == (1000, 999, 10)
    stored_post = Post.objects.get(account=account)
    assert (stored_post.kind, stored_post.title, stored_post.url) == ("video", "国庆出游", "https://example.com/v1")
    post_day = PostDailyMetric.objects.get(post=stored_post, date=D1)
    assert (post_day.views, post_day.likes, post_day.completion_rate) == (50, 8, 0.25)


def test_a_failure_in_the_middle_of_a_window_leaves_the_previous_data_intact(account):
    metrics_write(account=account, batch=window_batch())
    before = snapshot(account)
    broken = window_batch()
    broken.account_days = [AccountDay(date=d, followers=1, views=1) for d in (D1, D2, D3)]
    # Account days are written first; this spend does not fit numeric(16, 2) and fails the campaign step.
    broken.campaign_days = [CampaignDay(campaign="新活动", date=D2, spend=Decimal("1e20"))]

    with pytest.raises(Exception, match="numeric field overflow"):
        metrics_write(account=account, batch=broken)

    assert snapshot(account) == before
    assert not Campaign.objects.filter(name="新活动").exists()


def test_duplicates_inside_one_batch_merge_into_one_row(account):
    post = PostInfo(external_id="v9", title="第一版标题")
    batch = Batch(
        account_days=[
            AccountDay(date=D1, followers=10, views=None),
            AccountDay(date=D1, followers=None, views=90, likes=3),
            AccountDay(date=D1, followers=12),
        ],
        post_days=[PostDay(post=post, date=D1, views=5), PostDay(post=PostInfo(external_id="v9"), date=D1, likes=2)],
    )

    result = metrics_write(account=account, batch=batch)

    day = AccountDailyMetric.objects.get(account=account)
    assert (day.followers, day.views, day.likes) == (12, 90, 3)
    post_day = PostDailyMetric.objects.get(post__account=account)
    assert (post_day.views, post_day.likes, post_day.post.title) == (5, 2, "第一版标题")
    assert result.received == 2


def test_batch_ingest_records_the_rows_on_its_run(account):
    run = IngestionRun.objects.create(account=account, source=RunSource.FILE, status=RunStatus.RUNNING)

    batch_ingest(run=run, batch=window_batch())

    run.refresh_from_db()
    assert (run.status, run.rows_written) == (RunStatus.SUCCEEDED, 7)
    account.refresh_from_db()
    assert account.last_synced_at is None  # a file import does not mean the platform was reached
