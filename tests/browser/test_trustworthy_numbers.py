"""The six cases of issue 11 in the browser, each number checked against a hand computation.

1. Weibo: 3 days of views beside 30 days of interactions → 千阅互动率 over the 3 paired days, "基于 3/30 天".
2. Xiaohongshu: the 聚光 campaign tracks no revenue → ROAS/ROI over the tracked campaign, "覆盖 60% 花费".
3. "本月" ends yesterday → net followers is a number and the comparison is as long as the window.
4. WeChat 阅读率 is the average daily rate (15 %), not Σ views / mean followers (450 %).
5. Content lists the posts published in the window; the heatmap leaves out date-only WeChat articles;
   the activity view shows an older post that grew, with its growth; a post has its own page.
6. Douyin 完播率 from video snapshots, view-weighted.
"""

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from accounts.calendar import local_today as platform_today
from accounts.models import Platform
from dashboards.forms import Preset, preset_window
from ingestion.records import AccountDay, Batch, CampaignDay, PostDay, PostInfo
from ingestion.services import Provenance, metrics_write
from tests.browser.test_dashboards import card_values, login, wait_charts
from tests.factories import MembershipFactory, OrganizationFactory, SocialAccountFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHANGHAI = ZoneInfo("Asia/Shanghai")
API = Provenance(source="api")


@pytest.fixture
def scenario(transactional_db):
    today = platform_today()
    start, end = preset_window(Preset.LAST_30, today)  # the 30 complete days up to yesterday
    days = [start + dt.timedelta(days=n) for n in range(30)]
    organization = OrganizationFactory(slug="trust", name="可信品牌")
    user = UserFactory(username="trusting")
    user.save()
    MembershipFactory(user=user, organization=organization)

    def account(platform, name):
        return SocialAccountFactory(organization=organization, platform=platform, name=name)

    weibo = account(Platform.WEIBO, "官方微博")
    # Interactions every day (100), views on 3 days only (1,000 in all); followers from the day before on.
    metrics_write(account=weibo, by=API, batch=Batch(account_days=[
        AccountDay(date=start - dt.timedelta(days=1), followers=9_990),
        *(AccountDay(date=day, followers=10_000 + 10 * n, likes=100, views=[300, 300, 400][n] if n < 3 else None)
          for n, day in enumerate(days)),
    ]))

    xhs = account(Platform.XIAOHONGSHU, "小红书旗舰号")
    metrics_write(account=xhs, by=API, batch=Batch(campaign_days=[
        *(CampaignDay(campaign="KOL 种草", date=day, spend=Decimal(600), revenue=Decimal(1800), clicks=100)
          for day in days),
        *(CampaignDay(campaign="聚光 信息流", date=day, spend=Decimal(400), clicks=80) for day in days),
    ]))

    wechat = account(Platform.WECHAT, "品牌公众号")
    # From the 1st of last month: "本月" (1st .. yesterday) and its previous window have every day.
    first = (end.replace(day=1) - dt.timedelta(days=1)).replace(day=1) - dt.timedelta(days=1)
    wechat_days = [first + dt.timedelta(days=n) for n in range((end - first).days + 1)]
    articles = [PostInfo(external_id=f"msg-{n}", kind="article", title=f"公众号文章 {n + 1}",
                         published_at=dt.datetime.combine(days[5 * n], dt.time(0), SHANGHAI),
                         published_time_known=False) for n in range(4)]
    metrics_write(account=wechat, by=API, batch=Batch(
        account_days=[AccountDay(date=day, followers=20_000 + n, followers_gained=30, followers_lost=29, views=3_000,
                                 likes=60) for n, day in enumerate(wechat_days)],
        posts=articles,
        post_days=[PostDay(post=a, date=end, views=5_000, likes=100) for a in articles],
    ))

    douyin = account(Platform.DOUYIN, "官方抖音号")
    videos = [PostInfo(external_id=f"v{n}", kind="video", title=f"抖音视频 {n + 1}", url=f"http://127.0.0.1/v/{n}",
                       published_at=dt.datetime.combine(days[3 + 6 * n], dt.time(20, 30), SHANGHAI))
              for n in range(4)]
    old = PostInfo(external_id="old", kind="video", title="两个月前的爆款", url="http://127.0.0.1/v/old",
                   published_at=dt.datetime.combine(start - dt.timedelta(days=60), dt.time(12), SHANGHAI))
    snapshots = [PostDay(post=v, date=end, views=1_000 * (n + 1), likes=50 * (n + 1), completion_rate=0.2 + 0.1 * n)
                 for n, v in enumerate(videos)]
    snapshots += [PostDay(post=old, date=start - dt.timedelta(days=3), views=90_000, likes=4_000, completion_rate=0.5),
                  PostDay(post=old, date=end - dt.timedelta(days=1), views=120_000, likes=5_000, completion_rate=0.45)]
    metrics_write(account=douyin, by=API, batch=Batch(
        account_days=[AccountDay(date=day, followers=50_000, views=8_000, likes=400) for day in days],
        posts=[*videos, old], post_days=snapshots,
    ))
    return user, {"start": start, "end": end, "today": today, "videos": videos, "articles": articles}


def badge_text(page, kpi: str) -> str:
    badge = page.locator(f".kpi[data-kpi={kpi}] .coverage-badge")
    return badge.inner_text() if badge.count() else ""


def test_the_six_cases_of_issue_11_show_right_numbers(live_server, page, screenshot, scenario):
    user, s = scenario
    login(page, live_server, user.username)

    # 1. Weibo: 300 interactions over 1,000 views on the 3 paired days = 300 per mille, not 3,000 per mille.
    page.goto(f"{live_server.url}/platforms/?platform=weibo")
    wait_charts(page)
    values = card_values(page)
    assert list(values)[:2] == ["interactions_per_mille", "engagement_rate_by_followers"]  # leads with its KPIs
    assert float(values["interactions_per_mille"]) == pytest.approx(300.0)
    assert badge_text(page, "interactions_per_mille") == "基于 3/30 天"
    tooltip = page.locator(".kpi[data-kpi=interactions_per_mille] .coverage-badge").get_attribute("title")
    assert "3 行" in tooltip
    assert "27 行缺少一侧" in tooltip
    followers = [10_000 + 10 * n for n in range(30)]
    assert float(values["engagement_rate_by_followers"]) == pytest.approx(3_000 / (sum(followers) / 30))
    assert float(values["engagement_rate"]) == pytest.approx(0.3)
    assert badge_text(page, "engagement_rate")
    screenshot("issue11_1_weibo_paired_rows")

    # 2. Xiaohongshu ROI over the campaign that tracks revenue: (54,000 − 18,000) / 18,000 = 200 %.
    page.goto(f"{live_server.url}/campaigns/?platform=xiaohongshu")
    wait_charts(page)
    values = card_values(page)
    assert float(values["roi"]) == pytest.approx(2.0)
    assert float(values["spend"]) == pytest.approx(30_000)
    assert badge_text(page, "roi") == "覆盖 60% 花费"
    assert page.locator(".kpi[data-kpi=spend] .kpi-value").inner_text() == "¥3万"  # 万 in the Chinese UI
    assert page.locator(".kpi[data-kpi=spend] .kpi-value").get_attribute("title") == "¥30,000.00"
    row = page.locator("[data-table=campaigns] tbody tr:has-text('聚光')")
    assert row.locator("td.rate").last.inner_text().strip().startswith("—")  # no revenue: no ROI, not −100 %
    screenshot("issue11_2_xhs_roi_tracked_spend")

    # 3. 本月 = the 1st of yesterday's month up to yesterday: net followers is a number.
    page.goto(f"{live_server.url}/?preset=month&platform=wechat")
    wait_charts(page)
    month_start = s["end"].replace(day=1)
    month_days = (s["end"] - month_start).days + 1
    assert f"{month_start:%Y-%m-%d} — {s['end']:%Y-%m-%d}" in page.locator(".range-label").inner_text()
    assert float(card_values(page)["net_followers"]) == month_days * (30 - 29)
    assert "较上期" in page.locator(".kpi[data-kpi=net_followers]").inner_text()
    screenshot("issue11_3_this_month_ends_yesterday")

    # 4. WeChat 阅读率: Σ 3,000 / Σ ~20,000 per day ≈ 15 %, a daily rate.
    page.goto(f"{live_server.url}/platforms/?platform=wechat")
    wait_charts(page)
    values = card_values(page)
    assert list(values)[0] == "read_rate"
    read_rate = float(values["read_rate"])
    assert 0.149 < read_rate < 0.1501
    assert page.locator(".kpi[data-kpi=read_rate] .kpi-value").inner_text() == f"{read_rate * 100:.2f}%"
    screenshot("issue11_4_wechat_read_rate")

    # 5. Content: the 8 posts published in the window (not the old one); heatmap from the 4 timed videos.
    page.goto(f"{live_server.url}/content/")
    wait_charts(page)
    titles = page.locator("[data-table=posts] tbody td:first-child").all_inner_texts()
    assert sorted(titles) == sorted([*(v.title for v in s["videos"]), *(a.title for a in s["articles"])])
    heatmap_posts = page.evaluate(
        "() => JSON.parse(document.getElementById('figure-heatmap').textContent).data[0].customdata.flat()"
        ".reduce((a, b) => a + b, 0)")
    assert heatmap_posts == 4  # the WeChat articles' date-only publish time is not 00:00
    assert "4 篇作品只有发布日期" in page.content()
    screenshot("issue11_5_content_published_in_window")
    page.click(".view-switch a:has-text('本期有增长')")
    page.wait_for_url(re.compile(r"view=activity"))
    row = page.locator("[data-table=posts] tbody tr:has-text('两个月前的爆款')")
    assert row.locator("td").nth(4).get_attribute("data-value") == "30000.0"  # 120,000 − 90,000 views
    screenshot("issue11_5_content_activity")
    row.locator("td:first-child a").click()
    page.wait_for_url(re.compile(r"/content/posts/\d+/"))
    wait_charts(page)
    assert float(card_values(page)["views"]) == 120_000
    assert page.locator("[data-table=snapshots] tbody tr").count() == 2
    assert page.locator("a:has-text('在平台上查看')").get_attribute("href") == "http://127.0.0.1/v/old"
    screenshot("issue11_5_post_detail")

    # 6. Douyin 完播率 from video snapshots, view-weighted: posts with a snapshot in the window.
    page.goto(f"{live_server.url}/platforms/?platform=douyin")
    wait_charts(page)
    values = card_values(page)
    assert list(values)[0] == "completion_rate"
    weighted = sum(1_000 * (n + 1) * (0.2 + 0.1 * n) for n in range(4)) + 120_000 * 0.45
    assert float(values["completion_rate"]) == pytest.approx(weighted / (10_000 + 120_000))
    screenshot("issue11_6_douyin_completion_rate")

    page.click(".kpi[data-kpi=completion_rate] .glossary-link")
    page.wait_for_url(re.compile(r"/glossary/"))
    assert page.locator("#kpi-completion_rate").is_visible()
    screenshot("issue11_glossary", full_page=False)
    assert page.watch.console_errors == []
    assert page.watch.foreign_requests() == []
