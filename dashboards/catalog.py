"""Labels and formats of the KPIs the dashboards show (definitions are in KPIS.md)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from accounts.platforms import PLATFORMS


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    kind: str  # count | money | rate | ratio | number
    lower_is_better: bool = False
    short: str = ""  # column header in wide tables, where the industry abbreviation reads best


METRICS = {
    m.name: m
    for m in (
        Metric("views", _("阅读/播放"), "count"),
        Metric("impressions", _("曝光"), "count"),
        Metric("interactions", _("互动"), "count"),
        Metric("engagement_rate", _("互动率"), "rate"),
        Metric("engagement_rate_by_followers", _("粉丝互动率"), "rate"),
        Metric("followers", _("粉丝数"), "count"),
        Metric("net_followers", _("净增粉丝"), "count"),
        Metric("follower_growth_rate", _("粉丝增长率"), "rate"),
        Metric("followers_gained", _("新增粉丝"), "count"),
        Metric("followers_lost", _("取关"), "count", lower_is_better=True),
        Metric("likes", _("点赞"), "count"),
        Metric("comments", _("评论"), "count"),
        Metric("shares", _("分享"), "count"),
        Metric("saves", _("收藏"), "count"),
        Metric("coins", _("投币"), "count"),
        Metric("danmaku", _("弹幕"), "count"),
        Metric("recommends", _("在看"), "count"),
        Metric("read_rate", _("阅读率"), "rate"),
        Metric("completion_rate", _("完播率"), "rate"),
        Metric("ces", _("CES 互动分"), "count"),
        Metric("bilibili_interactions", _("B站互动"), "count"),
        Metric("spend", _("花费"), "money", lower_is_better=True),
        Metric("revenue", _("收入"), "money"),
        Metric("paid_impressions", _("广告曝光"), "count"),
        Metric("clicks", _("点击"), "count"),
        Metric("conversions", _("转化"), "count"),
        Metric("ctr", _("点击率"), "rate", short="CTR"),
        Metric("cvr", _("转化率"), "rate", short="CVR"),
        Metric("cpm", _("千次曝光成本"), "money", lower_is_better=True, short="CPM"),
        Metric("cpc", _("单次点击成本"), "money", lower_is_better=True, short="CPC"),
        Metric("cpe", _("单次互动成本"), "money", lower_is_better=True, short="CPE"),
        Metric("cpa", _("转化成本"), "money", lower_is_better=True, short="CPA"),
        Metric("cpf", _("涨粉成本"), "money", lower_is_better=True),
        Metric("roas", _("ROAS"), "ratio"),
        Metric("roi", _("ROI"), "rate"),
        Metric("posts_published", _("发布数"), "count"),
        Metric("interactions_per_mille", _("千阅互动率"), "ratio"),
        Metric("engagements", _("投放互动"), "count"),
        Metric("paid_followers_gained", _("投放涨粉"), "count"),
    )
}

OVERVIEW_CARDS = (
    "views", "interactions", "engagement_rate", "net_followers", "spend", "conversions", "cpa", "roi",
)

# The platform-native KPIs shown on the drill-down, next to the common ones.
PLATFORM_NATIVE = {spec.code: spec.native_kpis for spec in PLATFORMS}
DRILLDOWN_COMMON = ("followers", "net_followers", "views", "interactions", "engagement_rate")

CAMPAIGN_COLUMNS = ("spend", "paid_impressions", "clicks", "conversions", "revenue",
                    "cpm", "cpc", "ctr", "cvr", "cpa", "roas", "roi")
