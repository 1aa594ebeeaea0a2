"""The demo workspace has comments: read from the sandbox's comment APIs (Douyin, Weibo, WeChat), scored."""

import pytest

from comments.models import Comment
from tests.ingestion.sandbox.test_seed_demo import REAL_HOSTS, seed

pytestmark = pytest.mark.django_db


def test_seed_demo_reads_and_scores_comments_once(settings):
    for name, url in REAL_HOSTS.items():
        setattr(settings, name, url)
    lines = seed("--days", "3")
    assert any(line.strip().startswith("comments: ") for line in lines)
    demo = Comment.objects.filter(account__organization__slug="demo")
    assert set(demo.values_list("account__platform", flat=True)) >= {"douyin", "weibo"}
    assert not demo.filter(scored_at=None).exists()
    assert demo.filter(label="negative").exists() and demo.filter(label="positive").exists()
    count = demo.count()
    assert not any(line.strip().startswith("comments: ") for line in seed("--days", "3"))  # nothing read twice
    assert demo.count() == count
