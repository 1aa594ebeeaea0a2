"""The comments page: cards, topics, filters by sentiment, topic and post; topic words need an analyst."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from comments import services
from comments.models import Comment, CommentPolicy, TopicWord
from comments.records import CommentRecord
from tests.factories import MembershipFactory, PostFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db
BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def setup():
    membership = MembershipFactory(role=Role.ANALYST)
    account = SocialAccountFactory(organization=membership.organization, platform="douyin")
    post = PostFactory(account=account, external_id="v1", title="秋季新品开箱")
    PostFactory(account=account, external_id="v2", title="直播回放")
    yesterday = timezone.now() - dt.timedelta(days=1)
    services.comments_write(
        account=account,
        comments=[
            CommentRecord("c1", "v1", "物流太慢了，差评", yesterday, author="小王"),
            CommentRecord("c2", "v1", "质量很好，非常满意", yesterday),
            CommentRecord("c3", "v2", "主播讲得真好，喜欢", yesterday),
        ],
    )
    services.comments_score(account=account)
    client = Client()
    client.force_login(membership.user, backend=BACKEND)
    return client, membership, post


def test_page_shows_sentiment_topics_and_filters(setup):
    client, _, post = setup
    page = client.get("/comments/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-kpi="negative_share" data-value="0.3333' in html
    assert 'data-topic="物流"' in html and "物流太慢了，差评" in html and "小王" in html
    negative = client.get("/comments/", {"label": "negative"}).content.decode()
    assert "物流太慢了，差评" in negative and "质量很好" not in negative
    by_topic = client.get("/comments/", {"topic": "质量"}).content.decode()
    assert "质量很好" in by_topic and "物流太慢" not in by_topic
    by_post = client.get("/comments/", {"post": post.pk}).content.decode()
    assert "「秋季新品开箱」的话题" in by_post and "主播讲得真好" not in by_post
    assert client.get("/comments/", {"post": 999999}).status_code == 200  # an unknown post: a message, not a 500


def test_an_analyst_adds_a_topic_word_a_viewer_cannot(setup):
    client, membership, _ = setup
    response = client.post("/comments/topics/", {"keyword": "直播间", "synonyms": "主播，直播"})
    assert response.status_code == 302
    word = TopicWord.objects.get(organization=membership.organization)
    assert (word.keyword, word.synonyms) == ("直播间", ["主播", "直播"])
    services.comments_score(account=membership.organization.accounts.get())
    assert 'data-topic="直播间"' in client.get("/comments/").content.decode()
    viewer = MembershipFactory(organization=membership.organization, role=Role.VIEWER)
    other = Client()
    other.force_login(viewer.user, backend=BACKEND)
    other.post(f"/comments/topics/{word.pk}/delete/")
    assert TopicWord.objects.filter(pk=word.pk).exists()
    client.post(f"/comments/topics/{word.pk}/delete/")
    assert not TopicWord.objects.filter(pk=word.pk).exists()


def test_only_an_owner_switches_author_names_off_on_the_page(setup):
    client, membership, _ = setup
    account = membership.organization.accounts.get()
    client.post(f"/comments/privacy/{account.pk}/", {})  # an analyst
    assert Comment.objects.filter(author="小王").exists()
    owner = MembershipFactory(organization=membership.organization, role=Role.OWNER)
    other = Client()
    other.force_login(owner.user, backend=BACKEND)
    assert 'data-names-kept="1"' in other.get("/comments/").content.decode()
    assert other.post(f"/comments/privacy/{account.pk}/", {}).status_code == 302
    assert not Comment.objects.exclude(author="").exists()
    assert 'data-names-kept="0"' in other.get("/comments/").content.decode()
    other.post(f"/comments/privacy/{account.pk}/", {"store_author_names": "on"})
    assert CommentPolicy.objects.get(account=account).store_author_names
