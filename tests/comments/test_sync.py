"""Comments through the platforms' comment APIs (Douyin item/comment/list, Weibo comments/show, WeChat
comment/list) on the sandbox."""

import datetime as dt

import pytest
from django.core.management import call_command

from comments.models import Comment
from comments.services import comments_score, comments_sync
from ingestion.models import IngestionRun, RunStatus
from ingestion.sandbox import Sandbox, demo_credentials
from ingestion.sandbox.world import SHANGHAI
from ingestion.services import account_sync
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db
IDS = {"douyin": "_000testDouyin", "weibo": "5800000042", "wechat": "wxTEST0001", "xiaohongshu": "60400042"}


@pytest.fixture
def live(settings):
    with Sandbox(seed=11) as sandbox:
        for name, url in sandbox.api_bases().items():
            setattr(settings, name, url)
        settings.PLATFORM_RETRY_WAIT = 0.01
        yield sandbox


def synced_account(platform):
    account = SocialAccountFactory(
        platform=platform, external_id=IDS[platform], credentials=demo_credentials(platform, IDS[platform])
    )
    yesterday = dt.datetime.now(SHANGHAI).date() - dt.timedelta(days=1)
    start = yesterday - dt.timedelta(days=6)  # WeChat reads articles by publish day: a week has some
    assert account_sync(account=account, start=start, end=yesterday).status == RunStatus.SUCCEEDED
    return account


@pytest.mark.parametrize("platform", ["douyin", "weibo", "wechat"])
def test_recent_posts_comments_are_read_once_bounded_and_scored(live, settings, platform):
    account = synced_account(platform)
    result = comments_sync(account=account)
    assert result.received > 0 and result.changed == result.received and result.posts_created == 0
    stored = Comment.objects.filter(account=account)
    assert stored.count() == result.received
    assert all(c.post.account_id == account.pk for c in stored.select_related("post"))
    assert not IngestionRun.objects.filter(account=account, kind="comments").exists()  # runs are metric windows
    assert comments_sync(account=account).changed == 0  # idempotent on the platform's comment id
    assert comments_score(account=account) == result.received
    assert set(stored.values_list("label", flat=True)) <= {"positive", "neutral", "negative"}
    if platform == "weibo":
        assert stored.exclude(author="").exists() and stored.exclude(reply_to="").exists()
    else:
        assert set(stored.values_list("author", flat=True)) == {""}  # Douyin and WeChat send ids, not names
    settings.COMMENTS_SYNC_MAX_PER_ACCOUNT = 7
    Comment.objects.all().delete()
    assert comments_sync(account=account).received == 7


def test_a_platform_without_a_comment_api_says_so(live):
    account = SocialAccountFactory(platform="xiaohongshu")
    assert comments_sync(account=account) is None
    with pytest.raises(Exception, match="no comment API"):
        call_command("sync_comments", account=account.pk)
