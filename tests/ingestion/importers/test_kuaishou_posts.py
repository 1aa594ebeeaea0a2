"""The Kuaishou creator-centre 作品数据 export (kind kuaishou_posts), keyed on 作品ID."""

import pytest

from accounts.models import Platform
from analytics.models import PostDailyMetric
from ingestion.importers import ImportFileError, file_import

from .conftest import AS_OF, fixture_bytes

pytestmark = pytest.mark.django_db
EXPORT = (
    "作品ID,作品描述,发布时间,播放量,完播率,平均播放时长,点赞数,评论数,分享数,收藏数,涨粉量\n"
    "3xqbgjg8kxd2z7q,秋天第一杯奶茶 #日常,2026-09-28 20:15:00,20480,31.2%,9.5秒,1024,56,12,8,33\n"
    "3xabcdefgh12345,,2026-09-30 08:00,1500,--,,30,1,0,0,-\n"
).encode("utf-8-sig")


def test_the_export_is_detected_and_keyed_on_the_work_id(make_account):
    account = make_account(Platform.KUAISHOU)
    result = file_import(account=account, file=EXPORT, file_name="作品数据.csv", as_of=AS_OF)
    assert (result.kind, result.rows["posts"]) == ("kuaishou_posts", 2)
    first = PostDailyMetric.objects.get(post__external_id="3xqbgjg8kxd2z7q")
    assert (first.views, first.likes, first.comments, first.shares, first.saves, first.followers_gained) == (
        20480,
        1024,
        56,
        12,
        8,
        33,
    )
    assert (first.completion_rate, first.avg_watch_seconds) == (pytest.approx(0.312), pytest.approx(9.5))


def test_a_douyin_export_is_still_a_douyin_export(make_account):
    """Douyin's 作品数据 has no id column, so auto-detection cannot take it for Kuaishou's."""
    account = make_account(Platform.DOUYIN)
    result = file_import(account=account, file=fixture_bytes("douyin_posts_utf8bom.csv"), file_name="d.csv", as_of=AS_OF)
    assert result.kind == "douyin_posts"


def test_the_export_is_refused_for_another_platform(make_account):
    with pytest.raises(ImportFileError, match="快手作品数据文件（快手）"):
        file_import(account=make_account(Platform.DOUYIN), file=EXPORT, file_name="作品数据.csv", as_of=AS_OF)
