"""Comment writes: idempotent on the comment id, the author-name switch, scoring in batches, topic words."""

import datetime as dt

import pytest
from django.utils import timezone

from comments import services
from comments.models import Comment
from comments.records import CommentRecord
from tests.factories import PostFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db

AT = timezone.make_aware(dt.datetime(2026, 10, 1, 23, 30), timezone.get_default_timezone())


def record(external_id, text, *, post="v1", author="小王", likes=None, at=AT, reply_to=""):
    return CommentRecord(
        external_id=external_id, post=post, text=text, commented_at=at, author=author, likes=likes, reply_to=reply_to
    )


@pytest.fixture
def account():
    account = SocialAccountFactory(platform="douyin")
    PostFactory(account=account, external_id="v1", title="新品开箱")
    return account


def test_same_comments_twice_change_nothing_and_new_likes_keep_the_score(account):
    same = [record("c1", "质量很好"), record("c2", "物流太慢")]
    first = services.comments_write(account=account, comments=same)
    assert (first.received, first.changed, first.posts_created) == (2, 2, 0)
    assert services.comments_write(account=account, comments=same).changed == 0
    assert services.comments_score(account=account) == 2
    services.comments_write(account=account, comments=[record("c1", "质量很好", likes=9), record("c2", "物流太慢，差评")])
    c1, c2 = Comment.objects.filter(account=account).order_by("external_id")
    assert (c1.likes, c1.label, c1.scored_at is not None) == (9, "positive", True)
    assert (c2.text, c2.label, c2.scored_at, c2.topics) == ("物流太慢，差评", "", None, [])  # text changed: scored again
    assert c1.date == dt.date(2026, 10, 1) and c1.post.external_id == "v1"


def test_a_post_named_by_title_or_unknown(account):
    result = services.comments_write(
        account=account,
        comments=[
            record("c1", "好看", post="新品开箱"),
            record("c2", "好看", post="没见过的视频"),
        ],
    )
    assert result.posts_created == 1
    c1, c2 = Comment.objects.filter(account=account).order_by("external_id").select_related("post")
    assert c1.post.external_id == "v1"
    assert c2.post.title == "没见过的视频" and c2.post.external_id.startswith("comments:")


def test_no_author_names_when_the_account_says_so(account):
    services.comments_write(account=account, comments=[record("c1", "不错", author="张三")])
    services.comment_policy_set(account=account, store_author_names=False)
    assert Comment.objects.get(external_id="c1").author == ""  # the stored name is erased too
    services.comments_write(account=account, comments=[record("c2", "还行", author="李四")])
    assert set(Comment.objects.values_list("author", flat=True)) == {""}


def test_scoring_in_batches_fills_sentiment_label_and_topics(account, monkeypatch):
    monkeypatch.setattr(services, "SCORE_BATCH", 3)
    texts = ["快递很快，很满意", "客服态度太差了", "质量不好，申请退货", "还可以吧", "包装破损", "非常喜欢，推荐"] * 2
    services.comments_write(account=account, comments=[record(f"c{i}", t) for i, t in enumerate(texts)])
    assert services.comments_score(account=account, limit=4) == 4
    assert Comment.objects.filter(scored_at__isnull=True).count() == 8
    assert services.comments_score(account=account) == 8
    assert services.comments_score(account=account) == 0
    scored = {c.text: c for c in Comment.objects.all()}
    assert scored["客服态度太差了"].label == "negative" and scored["客服态度太差了"].topics == ["客服"]
    assert scored["质量不好，申请退货"].topics == ["质量", "退货"]
    assert scored["快递很快，很满意"].label == "positive" and scored["快递很快，很满意"].topics == ["物流"]
    assert all(0 <= c.sentiment <= 1 for c in scored.values())


def test_an_organisation_topic_word_is_found_after_rescoring(account):
    services.comments_write(account=account, comments=[record("c1", "直播间抽奖太假了"), record("c2", "主播好美")])
    services.comments_score(account=account)
    assert list(Comment.objects.values_list("topics", flat=True)) == [[], []]
    services.topic_word_add(organization=account.organization, keyword="直播间", synonyms=["主播", " "])
    assert Comment.objects.filter(scored_at__isnull=True).count() == 2
    services.comments_score(account=account)
    assert sorted(Comment.objects.values_list("topics", flat=True)) == [["直播间"], ["直播间"]]
