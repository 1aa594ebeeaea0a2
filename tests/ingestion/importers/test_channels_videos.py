"""The 视频号助手 数据中心 → 单篇视频 "下载表格" CSV (UTF-8 with BOM), older and newer column sets."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from accounts.models import Platform
from analytics.models import Post, PostDailyMetric
from ingestion.importers import ImportFileError, file_import

from .conftest import AS_OF

pytestmark = pytest.mark.django_db
CHINA = dt.timezone(dt.timedelta(hours=8))
# The documented header, with the documented example values (完播率 4.41%, 平均播放时长 14.73秒).
HEADER = (
    "视频描述,视频ID,发布时间,完播率,平均播放时长,播放量,推荐,喜欢,评论量,分享量,关注量,"
    "转发聊天和朋友圈,设为铃声,设为状态,设为朋友圈封面"
)
ROWS = [
    "秋冬新品开箱 #穿搭,export/UzFfAgtgekIEAQAAAAAAb4MA1,2026/09/28 20:15,4.41%,14.73秒,12034,88,456,23,67,12,40,0,3,1",
    ",export/UzFfAgtgekIEAQAAAAAAb4MA2,2026-09-30 09:02:11,12.5%,8.2秒,3021,--,120,5,9,-,6,0,0,0",
]
NEWER = ",转发企业微信,企业微信播放量,通讯录播放量,通讯录推荐"  # 企微/通讯录 columns of newer exports


def export(header=HEADER, rows=ROWS, extra="") -> bytes:
    suffix = ",1,2,3,4" if extra else ""
    return ("\n".join([header + extra, *[r + suffix for r in rows]]) + "\n").encode("utf-8-sig")


@pytest.fixture
def channels(make_account):
    return make_account(Platform.WECHAT_CHANNELS)


@pytest.mark.parametrize("extra", ["", NEWER], ids=["older", "newer"])
def test_the_export_is_detected_and_keyed_on_the_video_id(channels, extra):
    result = file_import(account=channels, file=export(extra=extra), file_name="单篇视频.csv", as_of=AS_OF)
    assert (result.kind, result.layout, result.rows["posts"], result.rows["post_days"]) == (
        "channels_videos",
        "channels_videos",
        2,
        2,
    )
    first = PostDailyMetric.objects.get(post__external_id="export/UzFfAgtgekIEAQAAAAAAb4MA1")
    assert (
        first.date,
        first.views,
        first.recommends,
        first.likes,
        first.comments,
        first.shares,
        first.followers_gained,
    ) == (AS_OF, 12034, 88, 456, 23, 67, 12)
    assert (first.completion_rate, first.avg_watch_seconds) == (pytest.approx(0.0441), pytest.approx(14.73))
    post = first.post
    assert (post.title, post.published_at) == ("秋冬新品开箱 #穿搭", dt.datetime(2026, 9, 28, 20, 15, tzinfo=CHINA))
    second = PostDailyMetric.objects.get(post__external_id="export/UzFfAgtgekIEAQAAAAAAb4MA2")
    assert (second.post.title, second.recommends, second.followers_gained, second.views) == ("", None, None, 3021)


def test_a_retitled_video_stays_one_post_and_reimporting_changes_nothing(channels):
    file_import(account=channels, file=export(), file_name="a.csv", as_of=AS_OF)
    renamed = [ROWS[0].replace("秋冬新品开箱 #穿搭", "秋冬新品开箱（更新）"), ROWS[1]]
    file_import(account=channels, file=export(rows=renamed), file_name="b.csv", as_of=AS_OF)
    assert Post.objects.filter(account=channels).count() == 2
    assert Post.objects.get(external_id="export/UzFfAgtgekIEAQAAAAAAb4MA1").title == "秋冬新品开箱（更新）"
    again = file_import(account=channels, file=export(rows=renamed), file_name="b.csv", as_of=AS_OF)
    assert again.changed == 0


def test_a_row_without_a_video_id_or_a_bad_cell_is_named_and_nothing_is_written(channels):
    bad = [ROWS[0].replace("export/UzFfAgtgekIEAQAAAAAAb4MA1", ""), ROWS[1].replace("3021", "三千")]
    with pytest.raises(ImportFileError) as raised:
        file_import(account=channels, file=export(rows=bad), file_name="坏.csv", as_of=AS_OF)
    problems = {(p.row, p.column) for p in raised.value.problems}
    assert problems == {(2, "视频id"), (3, "播放量")}
    assert not Post.objects.filter(account=channels).exists()


def test_the_export_is_refused_for_another_platform(make_account):
    official_account = make_account(Platform.WECHAT)
    with pytest.raises(ImportFileError, match="视频号单篇视频数据文件（视频号）"):
        file_import(account=official_account, file=export(), file_name="单篇视频.csv", as_of=AS_OF)


def test_import_file_command_takes_the_kind(channels, tmp_path):
    path = tmp_path / "视频号.csv"
    path.write_bytes(export(extra=NEWER))
    out = io.StringIO()
    call_command("import_file", "--account", str(channels.pk), "--kind", "channels_videos", str(path), stdout=out)
    assert "channels_videos" in out.getvalue()
    assert PostDailyMetric.objects.filter(post__account=channels).count() == 2
