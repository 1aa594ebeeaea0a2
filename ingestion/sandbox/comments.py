"""Simulated comments under a simulated post: the same every time for a seed, a post and a day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import world

MAX_PER_POST = 60  # the sandbox keeps comment pages short; counters still say how many there "are"
_POSITIVE = [
    "质量很好，非常满意",
    "颜色好看，推荐购买！",
    "物流很快，包装也用心",
    "客服态度特别好",
    "已经回购第三次了",
    "性价比很高，值得",
    "讲得很清楚，感谢分享",
    "太喜欢了，期待下一期",
]
_NEGATIVE = [
    "物流太慢了，等了一周",
    "客服一直不回复，差评",
    "质量太差，穿一次就起球",
    "价格太贵了，不值",
    "包装破损，申请退货了",
    "和图片不一样，色差严重",
    "用了没效果，失望",
]
_NEUTRAL = ["请问有大码吗", "什么时候补货", "这个多少钱", "已关注"]
_NAMES = ["小王", "阿花", "老张", "小李同学", "momo", "吃不胖的猫", "路人甲", "Lily"]


@dataclass(frozen=True)
class SimComment:
    comment_id: str
    text: str
    author: str
    user_id: str
    created_at: dt.datetime
    likes: int
    reply_to: str  # the comment answered, "" for a top-level comment


def comments_for(seed: str, platform: str, post: world.SimPost, as_of: dt.date) -> list[SimComment]:
    """The post's comments posted by the end of `as_of`, oldest first."""
    count = min(post.totals(as_of).get("comments", 0), MAX_PER_POST)
    r = world.rng(seed, platform, "comments", post.external_id)
    comments: list[SimComment] = []
    for index in range(count):
        mood = r.random()
        pool = _NEGATIVE if mood < (0.45 if post.viral else 0.25) else _NEUTRAL if mood < 0.35 else _POSITIVE
        created = post.published_at + dt.timedelta(minutes=30 + index * 47 + r.randint(0, 40))
        reply_to = comments[r.randrange(len(comments))].comment_id if comments and r.random() < 0.15 else ""
        comments.append(
            SimComment(
                comment_id=f"{post.external_id}{index + 1:04d}",
                text=r.choice(pool),
                author=r.choice(_NAMES),
                user_id=f"u{r.randint(10**6, 10**7)}",
                created_at=created,
                likes=r.randint(0, 30),
                reply_to=reply_to,
            )
        )
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), world.SHANGHAI)
    return [c for c in comments if c.created_at < end]
