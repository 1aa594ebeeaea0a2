"""Every documented export format, imported from a realistic sample file, lands as stored values."""

import datetime as dt
from decimal import Decimal

import pytest

from analytics.models import AccountDailyMetric, CampaignDailyMetric, Post, PostDailyMetric
from ingestion.importers import file_import
from ingestion.models import IngestionRun, RunSource, RunStatus

from .conftest import AS_OF, fixture_bytes

pytestmark = pytest.mark.django_db


def run_import(account, name, **kwargs):
    return file_import(account=account, file=fixture_bytes(name), file_name=name, as_of=AS_OF, **kwargs)


def snapshot(account):
    """Everything stored for the account, minus the timestamps."""
    return (
        list(AccountDailyMetric.objects.filter(account=account).order_by("date")
             .values_list("date", "followers", "followers_gained", "followers_lost", "impressions", "views",
                          "likes", "comments", "shares", "saves", "profile_visits", "recommends")),
        list(Post.objects.filter(account=account).order_by("external_id").values_list(
            "external_id", "kind", "title", "published_at")),
        list(PostDailyMetric.objects.filter(post__account=account).order_by("post__external_id", "date").values_list(
            "post__external_id", "date", "views", "likes", "comments", "shares", "saves", "coins", "danmaku",
            "followers_gained", "profile_visits", "impressions", "completion_rate", "avg_watch_seconds")),
        list(CampaignDailyMetric.objects.filter(account=account).order_by("campaign__name", "date").values_list(
            "campaign__name", "date", "spend", "impressions", "clicks", "engagements", "conversions", "revenue",
            "followers_gained")),
    )


def day(account, date):
    return AccountDailyMetric.objects.get(account=account, date=date)


def post_day(account, title):
    return PostDailyMetric.objects.get(post__account=account, post__title=title, date=AS_OF)


@pytest.mark.parametrize("name", ["douyin_posts_utf8bom.csv", "douyin_posts_gb18030.csv"])
def test_douyin_posts(make_account, name):
    account = make_account("douyin")
    result = run_import(account, name)
    assert (result.kind, result.date_start, result.date_end) == ("douyin_posts", AS_OF, AS_OF)
    vlog = post_day(account, "国庆出游vlog｜带你逛遍西湖")
    assert (vlog.views, vlog.likes, vlog.shares, vlog.comments, vlog.saves) == (12000, 1234, 56, 78, 90)
    assert (vlog.profile_visits, vlog.followers_gained) == (345, 67)
    assert vlog.completion_rate == pytest.approx(0.235)
    assert vlog.avg_watch_seconds == pytest.approx(12.6)
    assert vlog.post.kind == "视频"
    assert vlog.post.published_at == dt.datetime(2026, 9, 28, 10, 30, tzinfo=dt.UTC)
    lipstick = post_day(account, "新品开箱：秋冬口红试色")
    assert (lipstick.views, lipstick.comments, lipstick.completion_rate, lipstick.profile_visits) == (8765, None, None, None)


def test_douyin_posts_are_the_same_posts_in_both_encodings(make_account):
    account = make_account("douyin")
    run_import(account, "douyin_posts_gb18030.csv")
    result = run_import(account, "douyin_posts_utf8bom.csv")
    assert Post.objects.filter(account=account).count() == 3
    assert result.rows == {"account_days": 0, "posts": 3, "post_days": 3, "campaign_days": 0}
    moon = post_day(account, "中秋快乐🥮")
    assert (moon.views, moon.completion_rate, moon.avg_watch_seconds, moon.followers_gained) == (500, 0.5, 62.0, 0)


def test_xhs_notes_skips_the_note_row(make_account):
    account = make_account("xiaohongshu")
    result = run_import(account, "xhs_notes.xlsx")
    assert (result.kind, result.layout, result.rows["post_days"]) == ("xhs_notes", "xhs_notes", 2)
    tea = post_day(account, "秋天第一杯奶茶☕️测评")
    assert (tea.impressions, tea.views, tea.likes, tea.followers_gained, tea.danmaku) == (25000, 3200, 410, 15, None)
    expo = post_day(account, "上海周末去哪儿｜小众展览合集")
    assert (expo.impressions, expo.views, expo.saves, expo.avg_watch_seconds, expo.danmaku) == (34000, 5678, 400, 18, 7)


def test_xhs_trend_workbook(make_account):
    account = make_account("xiaohongshu")
    result = run_import(account, "xhs_trend.xlsx")
    assert (result.layout, result.date_start, result.date_end) == ("xhs_trend", dt.date(2026, 9, 1), dt.date(2026, 9, 3))
    second = day(account, dt.date(2026, 9, 2))
    assert (second.impressions, second.views, second.comments, second.followers_gained) == (15000, 4100, None, 20)
    assert day(account, dt.date(2026, 9, 3)).profile_visits is None


@pytest.mark.parametrize("name", ["wechat_users_html.xls", "wechat_users_html_gbk.xls"])
def test_wechat_users_html_xls(make_account, name):
    account = make_account("wechat")
    result = run_import(account, name)
    assert (result.kind, result.rows["account_days"]) == ("wechat_users", 3)
    first = day(account, dt.date(2026, 9, 1))
    assert (first.followers_gained, first.followers_lost, first.followers) == (35, 4, 10031)
    third = day(account, dt.date(2026, 9, 3))
    assert (third.followers_gained, third.followers_lost, third.followers) == (40, None, 10083)


def test_wechat_users_legacy_binary_xls(make_account):
    account = make_account("wechat")
    run_import(account, "wechat_users_legacy.xls")
    third = day(account, dt.date(2026, 9, 3))
    assert (third.followers_gained, third.followers_lost, third.followers) == (38, 3, 10105)


def test_wechat_articles_trend_xls_merges_with_user_analysis(make_account):
    account = make_account("wechat")
    run_import(account, "wechat_users_html.xls")
    result = run_import(account, "wechat_articles.xls")
    assert result.layout == "wechat_articles"
    first = day(account, dt.date(2026, 9, 1))
    # Both files describe the same day; neither erases what the other reported.
    assert (first.views, first.shares, first.saves, first.followers) == (1024, 41, 9, 10031)


def test_bilibili_posts_keyed_by_bv(make_account):
    account = make_account("bilibili")
    run_import(account, "bilibili_posts.csv")
    camera = PostDailyMetric.objects.get(post__account=account, post__external_id="BV1xx411c7mD")
    assert (camera.views, camera.likes, camera.danmaku, camera.coins, camera.shares) == (23456, 1890, 412, 980, 120)
    assert (camera.followers_gained, camera.avg_watch_seconds) == (310, 205)
    night = PostDailyMetric.objects.get(post__account=account, post__external_id="BV1yy411c8nE")
    assert (night.views, night.coins) == (10500, None)


def test_daily_csv_template(make_account):
    account = make_account("weibo")
    result = run_import(account, "daily.csv")
    assert (result.kind, result.date_start, result.date_end) == ("daily_csv", dt.date(2026, 10, 1), dt.date(2026, 10, 3))
    second = day(account, dt.date(2026, 10, 2))
    assert (second.followers, second.impressions, second.likes, second.views) == (12150, None, None, 24100)


def test_campaign_csv(make_account):
    account = make_account("douyin")
    result = run_import(account, "campaign_gb18030.csv")
    assert result.rows["campaign_days"] == 3
    feed = CampaignDailyMetric.objects.get(account=account, campaign__name="国庆大促·信息流", date=dt.date(2026, 10, 2))
    assert (feed.spend, feed.revenue, feed.clicks) == (Decimal("1234.57"), Decimal("4800.00"), 2210)
    assert feed.followers_gained is None
    kol = CampaignDailyMetric.objects.get(campaign__name="达人合作-小美")
    assert (kol.spend, kol.conversions, kol.revenue, kol.followers_gained) == (Decimal("3000.00"), None, None, 540)
    assert kol.campaign.organization_id == account.organization_id
    assert kol.campaign.platform == "douyin"


@pytest.mark.parametrize(("name", "platform"), [
    ("douyin_posts_utf8bom.csv", "douyin"), ("xhs_notes.xlsx", "xiaohongshu"), ("xhs_trend.xlsx", "xiaohongshu"),
    ("wechat_users_legacy.xls", "wechat"), ("wechat_articles.xls", "wechat"), ("bilibili_posts.csv", "bilibili"),
    ("daily.csv", "weibo"), ("campaign_gb18030.csv", "weibo"),
])
def test_importing_twice_changes_nothing(make_account, name, platform):
    account = make_account(platform)
    first = run_import(account, name)
    before = snapshot(account)
    again = run_import(account, name)
    assert snapshot(account) == before
    assert first.changed > 0
    assert again.changed == 0
    assert again.rows == first.rows


def test_success_is_recorded_as_a_file_run(make_account):
    account = make_account("wechat")
    result = run_import(account, "wechat_users_html.xls")
    run = IngestionRun.objects.get(pk=result.run_id)
    assert (run.source, run.status, run.kind) == (RunSource.FILE, RunStatus.SUCCEEDED, "wechat_users")
    assert run.file_name == "wechat_users_html.xls"
    assert (run.window_start, run.window_end, run.rows_written) == (dt.date(2026, 9, 1), dt.date(2026, 9, 3), 3)


def test_explicit_kind_must_match_the_header(make_account):
    from ingestion.importers import ImportFileError

    account = make_account("douyin")
    with pytest.raises(ImportFileError, match="campaign_csv"):
        run_import(account, "douyin_posts_utf8bom.csv", kind="campaign_csv")
    assert run_import(account, "douyin_posts_utf8bom.csv", kind="douyin_posts").kind == "douyin_posts"


def test_as_of_defaults_to_today_in_shanghai(make_account):
    from django.utils import timezone

    account = make_account("bilibili")
    result = file_import(account=account, file=fixture_bytes("bilibili_posts.csv"), file_name="b.csv")
    assert result.date_start == timezone.localdate()
