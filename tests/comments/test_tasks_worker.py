"""Scoring off the request path: a write queues score_comments on commit, a real Celery worker scores."""

import time

import pytest
from django.utils import timezone

from comments.models import Comment
from comments.records import CommentRecord
from comments.services import comments_write
from socialmetrics.celery import app
from tests.factories import PostFactory, SocialAccountFactory
from tests.ingestion.test_tasks_worker import worker_queue  # noqa: F401  (the real worker fixture)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_written_comments_are_scored_by_the_worker(worker_queue, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.conf, "task_default_queue", worker_queue)  # where the on-commit delay() sends
    account = SocialAccountFactory(platform="douyin")
    PostFactory(account=account, external_id="v1")
    texts = ["物流太慢了，差评", "质量很好，非常满意", "颜色好看，推荐购买"]
    now = timezone.now()
    comments_write(account=account, comments=[CommentRecord(f"c{i}", "v1", t, now) for i, t in enumerate(texts)])
    deadline = time.monotonic() + 60
    while Comment.objects.filter(account=account, scored_at__isnull=True).exists():
        assert time.monotonic() < deadline, "comments not scored by the worker after 60 s"
        time.sleep(0.3)
    labels = dict(Comment.objects.filter(account=account).values_list("text", "label"))
    assert labels == {"物流太慢了，差评": "negative", "质量很好，非常满意": "positive", "颜色好看，推荐购买": "positive"}
