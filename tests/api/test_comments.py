"""Comments API: list with sentiment, topics with negative share, sentiment KPIs with coverage, tenancy."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
from comments import services
from comments.records import CommentRecord
from tests.factories import OrganizationFactory, PostFactory, SocialAccountFactory

from .conftest import key_client, session_client

pytestmark = pytest.mark.django_db


def at(day: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 10, day, 12), timezone.get_default_timezone())


@pytest.fixture
def world():
    org = OrganizationFactory()
    douyin = SocialAccountFactory(organization=org, platform="douyin")
    weibo = SocialAccountFactory(organization=org, platform="weibo")
    v1 = PostFactory(account=douyin, external_id="v1", title="开箱")
    PostFactory(account=weibo, external_id="w1", title="微博")
    services.comments_write(
        account=douyin,
        comments=[
            CommentRecord("d1", "v1", "物流太慢了，差评", at(1), author="甲"),
            CommentRecord("d2", "v1", "质量很好，非常满意", at(1)),
            CommentRecord("d3", "v1", "快递很快，很满意", at(2)),
            CommentRecord("d4", "v1", "客服态度太差了，再也不买了", at(9)),
        ],
    )
    services.comments_write(account=weibo, comments=[CommentRecord("w1c", "w1", "价格太贵了，不值", at(3))])
    services.comments_score(account=douyin)
    services.comments_score(account=weibo)
    services.comments_write(account=weibo, comments=[CommentRecord("w2c", "w1", "还没打分的评论", at(3))])
    return {"org": org, "douyin": douyin, "weibo": weibo, "v1": v1}


def test_comments_list_filters_and_shows_sentiment(world):
    client = key_client(world["org"])
    body = client.get(
        "/api/v1/comments/", {"account": world["douyin"].pk, "start": "2026-10-01", "end": "2026-10-02"}
    ).json()
    assert body["count"] == 3
    first = body["results"][0]
    assert (first["text"], first["date"], first["post"], first["label"]) == (
        "快递很快，很满意",
        "2026-10-02",
        world["v1"].pk,
        "positive",
    )
    assert 0.6 <= first["sentiment"] <= 1
    negatives = client.get("/api/v1/comments/", {"label": "negative", "topic": "物流"}).json()["results"]
    assert [c["text"] for c in negatives] == ["物流太慢了，差评"]
    assert client.get("/api/v1/comments/", {"post": world["v1"].pk, "format": "csv"}).status_code == 200


def test_topics_most_frequent_first_with_negative_share(world):
    body = key_client(world["org"]).get("/api/v1/comment-topics/", {"account": world["douyin"].pk}).json()
    assert body["results"][0] == {"keyword": "物流", "count": 2, "negative_share": 0.5}
    assert {"keyword": "客服", "count": 1, "negative_share": 1.0} in body["results"]


def test_sentiment_kpis_with_coverage_per_platform(world):
    body = (
        key_client(world["org"])
        .get("/api/v1/comment-sentiment/", {"start": "2026-10-01", "end": "2026-10-31", "group_by": "platform"})
        .json()
    )
    rows = {r["platform"]: r for r in body["results"]}
    douyin, weibo = rows["douyin"], rows["weibo"]
    assert (douyin["kpis"]["positive"], douyin["kpis"]["negative"]) == (2, 2)
    assert (douyin["kpis"]["positive_share"], douyin["kpis"]["negative_share"], douyin["kpis"]["nsr"]) == (0.5, 0.5, 0.0)
    assert douyin["coverage"]["nsr"] == 1.0
    assert weibo["kpis"]["comments"] == 2 and weibo["kpis"]["negative_share"] == 1.0 and weibo["kpis"]["nsr"] == -1.0
    assert weibo["coverage"]["negative_share"] == 0.5  # one of its two comments is scored
    weekly = (
        key_client(world["org"])
        .get(
            "/api/v1/comment-sentiment/",
            {"start": "2026-10-01", "end": "2026-10-31", "granularity": "week", "group_by": "post"},
        )
        .json()["results"]
    )
    assert [r["period"] for r in weekly][:1] == ["2026-10-01"]  # the first bucket starts inside the window


def test_other_organisations_ids_are_unknown(world):
    other = key_client(OrganizationFactory())
    assert other.get("/api/v1/comments/", {"account": world["douyin"].pk}).status_code == 404
    assert other.get("/api/v1/comment-topics/", {"post": world["v1"].pk}).status_code == 404
    assert other.get("/api/v1/comments/").json()["count"] == 0


def test_topic_words_and_the_author_name_switch(world):
    org = world["org"]
    viewer = session_client(org, Role.VIEWER)
    assert viewer.post("/api/v1/comment-topic-words/", {"keyword": "直播间"}, format="json").status_code == 403
    analyst = session_client(org, Role.ANALYST)
    created = analyst.post("/api/v1/comment-topic-words/", {"keyword": "直播间", "synonyms": ["主播"]}, format="json")
    assert created.status_code == 201 and created.json()["keyword"] == "直播间"
    url = f"/api/v1/accounts/{world['douyin'].pk}/comment-policy/"
    assert analyst.put(url, {"store_author_names": False}, format="json").status_code == 403
    owner = session_client(org, Role.OWNER)
    assert owner.get(url).json() == {"store_author_names": True}
    assert owner.put(url, {"store_author_names": False}, format="json").json() == {"store_author_names": False}
    authors = {c["author"] for c in owner.get("/api/v1/comments/", {"account": world["douyin"].pk}).json()["results"]}
    assert authors == {""}
    assert owner.put(url, {"store_author_names": "maybe"}, format="json").status_code == 400
