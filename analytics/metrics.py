"""The raw metrics of KPIS.md, declared once (pure: no Django import).

Every stored daily counter is one `RawMetric` here; the models' fields and column tuples
(analytics/models.py), the record types (ingestion/records.py), the KPI sums (analytics/kpis.py)
and the dashboards' labels derive from this list. A new raw metric is one line here plus a
migration (and its readers in the connectors/importers that report it).
"""

from __future__ import annotations

from dataclasses import dataclass

ALL_PLATFORMS = None


@dataclass(frozen=True)
class RawMetric:
    name: str  # the column, the record field and the KPI name
    zh: str  # label (Chinese first; the model's verbose name)
    en: str
    # "sum": a day's count, summed over a period; "level": a running total (the period's last value).
    kind: str
    account: bool = True  # stored per account and day (AccountDailyMetric / AccountDay)
    post: bool = False  # stored per post as lifetime totals (PostDailyMetric / PostDay)
    platforms: tuple[str, ...] | None = ALL_PLATFORMS  # the platforms that report it
    post_zh: str = ""  # the post table's label, where it reads differently


# In KPIS.md's order (the KPI response lists the raw sums in it).
RAW_METRICS: tuple[RawMetric, ...] = (
    RawMetric("views", "阅读/播放", "Views", "sum", post=True),
    RawMetric("impressions", "曝光", "Impressions", "sum", post=True),
    RawMetric("likes", "点赞", "Likes", "sum", post=True),
    RawMetric("comments", "评论", "Comments", "sum", post=True),
    RawMetric("shares", "分享", "Shares", "sum", post=True),
    RawMetric("saves", "收藏", "Saves", "sum", post=True),
    RawMetric("followers", "累计粉丝", "Followers", "level"),
    RawMetric("followers_gained", "新增粉丝", "Followers gained", "sum", post=True, post_zh="涨粉"),
    RawMetric("followers_lost", "取关", "Unfollows", "sum"),
    RawMetric("posts_published", "发布", "Posts published", "sum"),
    RawMetric("profile_visits", "主页访问", "Profile visits", "sum", post=True),
    RawMetric("coins", "投币", "Coins", "sum", post=True, platforms=("bilibili",)),
    RawMetric("danmaku", "弹幕", "Danmaku", "sum", post=True, platforms=("bilibili",)),
    RawMetric("recommends", "在看", "Recommends (在看)", "sum", post=True, platforms=("wechat",)),
)
BY_NAME = {m.name: m for m in RAW_METRICS}

ACCOUNT_METRICS = tuple(m.name for m in RAW_METRICS if m.account)
POST_COUNTERS = tuple(m.name for m in RAW_METRICS if m.post)
# Summed over the days of a period (the level, followers, is read at the period's end instead).
ORGANIC_SUMS = tuple(m.name for m in RAW_METRICS if m.account and m.kind == "sum")
