"""A small, deterministic demo workspace written through the real ingestion path (metrics_write)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import Platform
from ingestion.records import AccountDay, Batch, CampaignDay, PostDay, PostInfo
from ingestion.services import metrics_write
from tests.factories import MembershipFactory, OrganizationFactory, SocialAccountFactory, UserFactory

PASSWORD = "pw-123456-secret"
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAYS = 120
# Two accounts are connected through the platform APIs (fake tokens); the others are fed by export files.
CREDENTIALS = {
    Platform.DOUYIN: {"client_key": "demo", "client_secret": "demo", "open_id": "demo", "access_token": "demo",
                      "refresh_token": "demo"},
    Platform.BILIBILI: {"client_id": "demo", "client_secret": "demo", "access_token": "demo", "refresh_token": "demo"},
}
PLATFORM_NAMES = {
    Platform.WECHAT: "品牌公众号", Platform.DOUYIN: "官方抖音号", Platform.XIAOHONGSHU: "小红书旗舰号",
    Platform.WEIBO: "官方微博", Platform.BILIBILI: "B站官方账号",
}


def _account_days(rng: random.Random, platform: str, start: dt.date) -> list[AccountDay]:
    followers = rng.randint(20_000, 90_000)
    days = []
    for offset in range(DAYS):
        gained, lost = rng.randint(40, 400), rng.randint(5, 80)
        followers += gained - lost
        views = rng.randint(3_000, 40_000)
        days.append(AccountDay(
            date=start + dt.timedelta(days=offset), followers=followers, followers_gained=gained, followers_lost=lost,
            impressions=views * 3, views=views, likes=views // rng.randint(12, 30),
            comments=views // rng.randint(90, 200), shares=views // rng.randint(80, 160),
            saves=views // rng.randint(60, 140), posts_published=rng.randint(0, 3),
            coins=views // 50 if platform == Platform.BILIBILI else None,
            danmaku=views // 40 if platform == Platform.BILIBILI else None,
            recommends=views // 70 if platform == Platform.WECHAT else None,
        ))
    return days


def _posts(rng: random.Random, platform: str, start: dt.date, today: dt.date) -> list[PostDay]:
    post_days = []
    for number in range(24):
        published = dt.datetime.combine(start + dt.timedelta(days=rng.randint(0, DAYS - 1)),
                                        dt.time(rng.choice([8, 12, 18, 20, 21]), rng.randint(0, 59)), SHANGHAI)
        info = PostInfo(external_id=f"{platform}-{number}", kind="video",
                        title=f"{PLATFORM_NAMES[platform]}作品 {number + 1}",
                        url=f"http://127.0.0.1/posts/{platform}/{number}", published_at=published)
        views = rng.randint(800, 60_000)
        post_days.append(PostDay(
            post=info, date=today - dt.timedelta(days=1), views=views, likes=views // rng.randint(8, 40),
            comments=views // rng.randint(60, 300), shares=views // rng.randint(50, 200),
            saves=views // rng.randint(40, 150),
            completion_rate=round(rng.uniform(0.15, 0.6), 3) if platform in (Platform.DOUYIN, Platform.BILIBILI) else None,
        ))
    return post_days


def _campaign_days(rng: random.Random, platform: str, start: dt.date) -> list[CampaignDay]:
    days = []
    for name in (f"{PLATFORM_NAMES[platform]}·双十一预热", f"{PLATFORM_NAMES[platform]}·新品种草"):
        for offset in range(0, DAYS, 2):
            spend = Decimal(rng.randint(300, 3000))
            clicks = rng.randint(200, 2000)
            days.append(CampaignDay(
                campaign=name, date=start + dt.timedelta(days=offset), spend=spend,
                impressions=clicks * rng.randint(20, 60),
                clicks=clicks, engagements=clicks + rng.randint(0, 500), conversions=rng.randint(5, 60),
                revenue=(spend * Decimal(rng.uniform(0.6, 4.5))).quantize(Decimal("0.01")),
                followers_gained=rng.randint(0, 90),
            ))
    return days


def demo_workspace(*, seed: int = 7, username: str = "marketer"):
    """An organization with one account per platform and ~4 months of organic, post and paid data.

    Returns (user, organization, accounts). The user is the owner of the organization and a viewer
    of a second, empty one, so the organization switcher has something to switch to.
    """
    rng = random.Random(seed)
    today = timezone.localdate()
    start = today - dt.timedelta(days=DAYS)
    organization = OrganizationFactory(slug=f"demo-{seed}", name="星河美妆")
    user = UserFactory(username=username)
    user.save()  # the factory sets the password after its save (skip_postgeneration_save)
    MembershipFactory(user=user, organization=organization)
    MembershipFactory(user=user, organization=OrganizationFactory(slug=f"other-{seed}", name="晨光食品"))
    accounts = []
    for platform, name in PLATFORM_NAMES.items():
        account = SocialAccountFactory(organization=organization, platform=platform, name=name,
                                       credentials=CREDENTIALS.get(platform, {}))
        metrics_write(account=account, batch=Batch(
            account_days=_account_days(rng, platform, start), post_days=_posts(rng, platform, start, today),
            campaign_days=_campaign_days(rng, platform, start),
        ))
        accounts.append(account)
    return user, organization, accounts
