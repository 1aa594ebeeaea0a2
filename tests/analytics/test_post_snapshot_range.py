"""Post.first/last_snapshot_on: kept by database triggers whoever writes the snapshots."""

from datetime import date

from analytics.models import Post, PostDailyMetric
from ingestion.records import Batch, PostDay, PostInfo
from ingestion.services import metrics_write
from tests.factories import PostDailyMetricFactory, PostFactory, SocialAccountFactory


def _range(post):
    post.refresh_from_db()
    return post.first_snapshot_on, post.last_snapshot_on


def test_orm_inserts_and_updates_widen_the_range(db):
    post = PostFactory()
    assert _range(post) == (None, None)
    PostDailyMetricFactory(post=post, date=date(2026, 10, 5))
    assert _range(post) == (date(2026, 10, 5), date(2026, 10, 5))
    PostDailyMetric.objects.bulk_create([PostDailyMetric(post=post, date=date(2026, 10, d)) for d in (3, 9)])
    assert _range(post) == (date(2026, 10, 3), date(2026, 10, 9))
    PostDailyMetric.objects.filter(post=post, date=date(2026, 10, 9)).update(date=date(2026, 11, 1))
    assert _range(post) == (date(2026, 10, 3), date(2026, 11, 1))


def test_ingest_sets_the_range_and_reingest_leaves_it(db):
    account = SocialAccountFactory()
    info = PostInfo(external_id="v1", title="视频")
    batch = Batch(post_days=[PostDay(post=info, date=date(2026, 10, d), views=d * 10) for d in (1, 2, 3)])
    metrics_write(account=account, batch=batch)
    post = Post.objects.get(account=account, external_id="v1")
    assert _range(post) == (date(2026, 10, 1), date(2026, 10, 3))
    assert metrics_write(account=account, batch=batch).changed == 0
    metrics_write(account=account, batch=Batch(post_days=[PostDay(post=info, date=date(2026, 10, 4), views=50)]))
    assert _range(post) == (date(2026, 10, 1), date(2026, 10, 4))


def test_other_posts_are_untouched(db):
    post, other = PostFactory(), PostFactory()
    PostDailyMetricFactory(post=post, date=date(2026, 10, 5))
    assert _range(other) == (None, None)
