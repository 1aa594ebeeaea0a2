import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Platform
from ingestion.connectors.increases import counter_increases
from ingestion.records import PostDay, PostInfo
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 10)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_post_counts_from_zero_only_when_published_on_the_accounts_local_day():
    account = SocialAccountFactory(platform=Platform.BILIBILI, timezone="Asia/Shanghai")
    just_after_midnight = PostInfo(external_id="a", published_at=dt.datetime(2026, 3, 9, 16, 30, tzinfo=dt.UTC))
    assert just_after_midnight.published_at.astimezone(SHANGHAI).date() == DAY
    increases = counter_increases(account=account, day=DAY, post_days=[PostDay(post=just_after_midnight, date=DAY,
                                                                               views=7, likes=None)],
                                  metrics=("views", "likes"))
    assert increases == {"views": 7, "likes": None}

    just_before_midnight = PostInfo(external_id="b", published_at=dt.datetime(2026, 3, 9, 15, 30, tzinfo=dt.UTC))
    increases = counter_increases(account=account, day=DAY, post_days=[PostDay(post=just_before_midnight, date=DAY,
                                                                               views=7)], metrics=("views",))
    assert increases == {"views": None}


def test_no_posts_means_zero():
    account = SocialAccountFactory(platform=Platform.WEIBO)
    assert counter_increases(account=account, day=DAY, post_days=[], metrics=("likes",)) == {"likes": 0}
