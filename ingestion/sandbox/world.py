"""The simulated accounts behind the sandbox: pure functions of (seed, platform, account, date).

Every number is derived from a hash of its inputs, never from call order or wall-clock
time, so the same seed always yields the same data whatever is asked first. An account's
posts get a lifetime total when published and approach it along a fixed curve, so lifetime
counters only ever grow; account-level daily counters are the sum of that day's post
increments plus a long-tail background, so account and post data agree.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
import threading
from dataclasses import dataclass
from functools import lru_cache

# Sandbox accounts exist from this day on; asking for earlier days returns no data.
EPOCH = dt.date(2026, 1, 1)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# Monday..Sunday: weekends are busier on every consumer platform.
WEEKDAY_FACTOR = (0.92, 0.95, 1.0, 0.98, 1.06, 1.22, 1.18)
# Lifetime counters reach their final value this many days after publishing.
GROWTH_DAYS = 30


@dataclass(frozen=True)
class Profile:
    """How accounts of one platform behave: audience size, cadence and engagement rates."""

    followers: tuple[int, int]  # range of the starting follower count
    daily_gain: float  # organic new followers per day per 1,000 followers
    churn: float  # lost / gained
    posts_per_day: float
    reach: float  # views of a typical post, as a fraction of followers
    rates: dict  # counter -> fraction of views


PROFILES = {
    "wechat": Profile((18_000, 60_000), 1.1, 0.35, 0.8, 0.09,
                      {"likes": 0.018, "comments": 0.004, "shares": 0.03, "saves": 0.012, "recommends": 0.011}),
    "douyin": Profile((60_000, 220_000), 2.2, 0.22, 0.7, 0.55,
                      {"likes": 0.045, "comments": 0.006, "shares": 0.009, "saves": 0.011}),
    "bilibili": Profile((12_000, 80_000), 1.6, 0.18, 0.2, 0.6,
                        {"likes": 0.06, "comments": 0.008, "shares": 0.006, "saves": 0.025, "coins": 0.018,
                         "danmaku": 0.012}),
    "weibo": Profile((30_000, 150_000), 0.9, 0.3, 0.6, 0.25,
                     {"likes": 0.02, "comments": 0.005, "shares": 0.004}),
    "kuaishou": Profile((40_000, 180_000), 2.0, 0.25, 0.8, 0.5,
                        {"likes": 0.04, "comments": 0.007, "shares": 0.008, "saves": 0.006}),
    # 视频号: content data only through the 视频号助手 export; "recommends" is the 推荐 (thumbs-up) count.
    "wechat_channels": Profile((5_000, 30_000), 3.0, 0.2, 0.5, 0.8,
                               {"likes": 0.03, "comments": 0.006, "shares": 0.02, "recommends": 0.015}),
    # Organic notes only reach the product through the creator-centre exports (no API).
    "xiaohongshu": Profile((8_000, 40_000), 2.5, 0.2, 0.5, 0.4,
                           {"likes": 0.06, "comments": 0.008, "shares": 0.01, "saves": 0.035}),
}
COUNTERS = ("views", "likes", "comments", "shares", "saves", "coins", "danmaku", "recommends")

TITLE_TOPICS = ("新品上市", "秋冬穿搭", "探店打卡", "幕后花絮", "用户故事", "限时福利", "品牌联名", "使用教程",
                "直播预告", "年度盘点", "开箱测评", "门店活动")
TITLE_FORMS = ("｜第{}期", "：{}个细节全攻略", "，你pick哪一款？", "丨{}秒看懂", "！前{}名有礼", "·精选合集 vol.{}")


def rng(*parts) -> random.Random:
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def growth(age_days: int) -> float:
    """Fraction of a post's lifetime total reached `age_days` after its publish day."""
    if age_days < 0:
        return 0.0
    if age_days >= GROWTH_DAYS:
        return 1.0
    return 1.0 - 0.42 ** (age_days + 1)


@dataclass(frozen=True)
class SimPost:
    external_id: str
    index: int  # running number within the account, from 1
    title: str
    published_at: dt.datetime  # aware, Asia/Shanghai
    viral: bool
    finals: dict  # counter -> lifetime total once fully grown
    completion_rate: float
    avg_watch_seconds: float

    @property
    def day(self) -> dt.date:
        return self.published_at.date()

    def totals(self, as_of: dt.date) -> dict:
        """Lifetime counters as of the end of `as_of` (zeros before publishing)."""
        share = growth((as_of - self.day).days)
        return {name: math.floor(final * share) for name, final in self.finals.items()}


@dataclass(frozen=True)
class SimDay:
    date: dt.date
    followers: int
    followers_gained: int
    followers_lost: int
    posts_published: int
    profile_visits: int
    counters: dict  # views, likes, ... for that day


class SimAccount:
    def __init__(self, seed: int, platform: str, key: str):
        self.seed, self.platform, self.key = seed, platform, key
        self.profile = PROFILES[platform]
        r = rng(seed, platform, key, "account")
        self.base_followers = r.randint(*self.profile.followers)
        self.trend = r.uniform(0.0004, 0.0012)  # daily relative audience growth
        self._lock = threading.Lock()  # the server answers on several threads
        self._posts: list[SimPost] = []
        self._by_day: dict[dt.date, list[SimPost]] = {}
        self._days: dict[dt.date, SimDay] = {}
        self._followers = self.base_followers
        self._next = EPOCH

    def _audience(self, day: dt.date) -> float:
        return self.base_followers * (1 + self.trend * (day - EPOCH).days)

    def _posts_on(self, day: dt.date) -> list[SimPost]:
        r = rng(self.seed, self.platform, self.key, "posts", day)
        rate = self.profile.posts_per_day * WEEKDAY_FACTOR[day.weekday()]
        count = int(rate) + (r.random() < rate - int(rate))
        posts = []
        for n in range(count):
            viral = r.random() < 0.05
            reach = self._audience(day) * self.profile.reach * r.lognormvariate(0, 0.45)
            reach *= WEEKDAY_FACTOR[day.weekday()] * (r.uniform(8, 25) if viral else 1)
            finals = {"views": int(reach)}
            for name, rate_ in self.profile.rates.items():
                finals[name] = int(reach * rate_ * r.uniform(0.6, 1.5) * (1.4 if viral else 1))
            minute = r.randint(8 * 60, 22 * 60)
            published = dt.datetime.combine(day, dt.time(minute // 60, minute % 60, r.randint(0, 59)), SHANGHAI)
            topic = TITLE_TOPICS[r.randrange(len(TITLE_TOPICS))]
            form = TITLE_FORMS[r.randrange(len(TITLE_FORMS))]
            posts.append(SimPost(
                external_id=self._post_id(day, n), index=0, title=topic + form.format(r.randint(1, 99)),
                published_at=published, viral=viral, finals=finals,
                completion_rate=round(r.uniform(0.18, 0.62), 4), avg_watch_seconds=round(r.uniform(8, 95), 1),
            ))
        return posts

    def _post_id(self, day: dt.date, n: int) -> str:
        digest = hashlib.sha256(f"{self.seed}|{self.platform}|{self.key}|{day}|{n}".encode()).hexdigest()
        number = int(digest[:15], 16)
        if self.platform == "bilibili":
            alphabet = "fZodR9XQDSUm21yCkr6zBqiveYah8bt4xsWpHnJE7jL5VG3guMTKNPAwcF"
            chars = []
            for _ in range(10):
                number, rem = divmod(number, len(alphabet))
                chars.append(alphabet[rem])
            return "BV1" + "".join(chars[:9])
        if self.platform == "wechat":
            return f"{2247480000 + number % 100000}_{n + 1}"
        if self.platform == "kuaishou":  # photo ids read like "3xq8k2m9vd5wz4e"
            alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
            chars = []
            for _ in range(13):
                number, rem = divmod(number, len(alphabet))
                chars.append(alphabet[rem])
            return "3x" + "".join(chars)
        if self.platform == "wechat_channels":  # the export's 视频ID: "export/…" followed by base64-ish text
            return "export/UzFfAgtgekIEAQAAAAAA" + digest[15:39]
        return str(4_000_000_000_000_000 + number % 10**15)

    def _extend(self, until: dt.date) -> None:
        """Simulates day by day up to `until`: followers and post numbers depend on the past."""
        while self._next <= until:
            day = self._next
            for post in self._posts_on(day):
                self._posts.append(SimPost(**{**post.__dict__, "index": len(self._posts) + 1}))
                self._by_day.setdefault(day, []).append(self._posts[-1])
            r = rng(self.seed, self.platform, self.key, "day", day)
            weekday = WEEKDAY_FACTOR[day.weekday()]
            counters = dict.fromkeys(("views", *self.profile.rates), 0)
            for age in range(GROWTH_DAYS + 1):
                for post in self._by_day.get(day - dt.timedelta(days=age), ()):
                    now, before = post.totals(day), post.totals(day - dt.timedelta(days=1))
                    for name in counters:
                        counters[name] += now[name] - before[name]
            # Older content keeps being found through search and recommendations.
            background = self._audience(day) * 0.004 * weekday * r.uniform(0.7, 1.3)
            for name in counters:
                counters[name] += int(background * (1.0 if name == "views" else self.profile.rates[name]))
            gained = int(self._audience(day) / 1000 * self.profile.daily_gain * weekday * r.uniform(0.6, 1.4)
                         + counters["views"] * 0.0015)
            lost = int(gained * self.profile.churn * r.uniform(0.5, 1.5))
            self._followers += gained - lost
            self._days[day] = SimDay(
                date=day, followers=self._followers, followers_gained=gained, followers_lost=lost,
                posts_published=len(self._by_day.get(day, ())), profile_visits=int(counters["views"] * 0.021),
                counters=counters,
            )
            self._next = day + dt.timedelta(days=1)

    def posts_until(self, day: dt.date) -> list[SimPost]:
        """Posts published on or before `day`, oldest first."""
        with self._lock:
            self._extend(day)
            return [p for p in self._posts if p.day <= day]

    def day(self, day: dt.date) -> SimDay | None:
        if day < EPOCH:
            return None
        with self._lock:
            self._extend(day)
            return self._days[day]


@lru_cache(maxsize=64)
def account(seed: int, platform: str, key: str) -> SimAccount:
    return SimAccount(seed, platform, key)


@dataclass(frozen=True)
class AdsDay:
    date: dt.date
    fee: float
    impression: int
    click: int
    like: int
    comment: int
    collect: int
    share: int
    follow: int
    goods_order: int
    rgmv: float  # revenue of the orders, CNY
    leads: int


def ads_day(seed: int, advertiser_id: str, day: dt.date) -> AdsDay | None:
    """A Xiaohongshu 聚光 advertiser's daily totals: a steady budget with bursts of campaigns."""
    if day < EPOCH:
        return None
    base = rng(seed, "xhs", advertiser_id, "account")
    budget = base.uniform(1500, 6000)
    r = rng(seed, "xhs", advertiser_id, "day", day)
    burst = 2.5 if (day - EPOCH).days % 45 < 7 else 1.0  # a week-long push every six weeks
    fee = round(budget * burst * WEEKDAY_FACTOR[day.weekday()] * r.uniform(0.75, 1.25), 2)
    impression = int(fee / r.uniform(28, 55) * 1000)  # CPM 28-55 CNY
    click = int(impression * r.uniform(0.018, 0.045))
    return AdsDay(
        date=day, fee=fee, impression=impression, click=click, like=int(click * r.uniform(0.2, 0.4)),
        comment=int(click * r.uniform(0.01, 0.04)), collect=int(click * r.uniform(0.08, 0.2)),
        share=int(click * r.uniform(0.01, 0.05)), follow=int(click * r.uniform(0.01, 0.03)),
        goods_order=(orders := int(click * r.uniform(0.004, 0.012))), rgmv=round(orders * r.uniform(90, 180), 2),
        leads=int(click * r.uniform(0.002, 0.008)),
    )
