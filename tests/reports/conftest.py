import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import AccountStatus, Platform
from analytics.models import AccountDailyMetric, CampaignDailyMetric, PostDailyMetric
from tests.factories import CampaignFactory, OrganizationFactory, PostFactory, SocialAccountFactory

OCTOBER = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
SEPTEMBER_FIRST = dt.date(2026, 8, 31)  # the previous window of October: the 31 days before it


@pytest.fixture
def report_org(db):
    """Two accounts with two months of days (Weibo reports no views on weekends and misses 3 days), posts
    (one titled like a formula), a campaign with spend and revenue."""
    org = OrganizationFactory(slug="acme", name="艾克美品牌")
    douyin = SocialAccountFactory(organization=org, platform=Platform.DOUYIN, name="抖音主号")
    weibo = SocialAccountFactory(
        organization=org,
        platform=Platform.WEIBO,
        name="微博官号",
        status=AccountStatus.NEEDS_REAUTH,
        status_detail="token expired",
    )
    rows = []
    day = SEPTEMBER_FIRST
    while day <= OCTOBER[1]:
        n = (day - SEPTEMBER_FIRST).days
        october = day >= OCTOBER[0]
        rows.append(
            AccountDailyMetric(
                account=douyin,
                date=day,
                views=1000 + 40 * n,
                likes=60 + n,
                comments=10,
                shares=5,
                saves=4,
                followers=50_000 + 30 * n,
                followers_gained=40,
                followers_lost=10,
            )
        )
        if not (october and day.day in (12, 13, 14)):
            rows.append(
                AccountDailyMetric(
                    account=weibo,
                    date=day,
                    views=None if day.weekday() >= 5 else 300 + n,
                    likes=20,
                    comments=3,
                    shares=2,
                    saves=None,
                    followers=8_000 - (5 * n if october else 0),
                )
            )
        day += dt.timedelta(days=1)
    AccountDailyMetric.objects.bulk_create(rows)
    posts = [
        ('=HYPERLINK("http://x","点我")', douyin, dt.datetime(2026, 10, 3, 20, 0, tzinfo=dt.UTC), 20_000, 900),
        ("秋季新品开箱", douyin, dt.datetime(2026, 10, 9, 12, 0, tzinfo=dt.UTC), 15_000, 1_500),
        ("国庆活动回顾", weibo, dt.datetime(2026, 10, 5, 2, 0, tzinfo=dt.UTC), 3_000, 60),
    ]
    for title, account, published, views, likes in posts:
        post = PostFactory(account=account, title=title, published_at=published)
        PostDailyMetric.objects.create(post=post, date=OCTOBER[1], views=views, likes=likes, comments=20, shares=10, saves=5)
    campaign = CampaignFactory(organization=org, name="双十一预热", platform=Platform.DOUYIN)
    CampaignDailyMetric.objects.bulk_create(
        [
            CampaignDailyMetric(
                campaign=campaign,
                account=douyin,
                date=OCTOBER[0] + dt.timedelta(days=i),
                spend=Decimal("500.00"),
                impressions=25_000,
                clicks=600,
                conversions=20,
                revenue=Decimal("2300.00"),
            )
            for i in range(10)
        ]
    )
    return org
