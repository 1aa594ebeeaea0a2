"""WeChat Channels (视频号): the follower count through the bound Official Account, and the
视频号助手 "下载表格" export the demo imports (Channels has no content API).

The finder endpoint takes the Official Account's access token (from `wechat.py`'s stable_token),
so the simulated Channels account is keyed by that account's appid.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from . import auth, world
from .protocol import Reply, Request

NAME = "wechat_channels"
PREFIXES = ("/channels/",)
TOKEN_PATHS = ()
API_BASES = {"WECHAT_API_BASE": ""}  # the Official Account's base: the same host serves /channels/
FINDER_PATH = "/channels/finderlive/get_finder_attr_by_appid"
ERRORS = {
    "token_expired": (42001, "access_token expired rid: sandbox"),
    "token_invalid": (40001, "invalid credential, access_token is invalid or not latest rid: sandbox"),
    "rate_limit": (45009, "reach max api daily quota limit rid: sandbox"),
    "busy": (-1, "system error rid: sandbox"),
    "bad_request": (40097, "invalid args rid: sandbox"),
    "not_found": (48001, "api unauthorized rid: sandbox"),
}
# The export's header (视频号助手 → 数据中心 → 单篇视频 → 下载表格), newer exports with the 企微/通讯录 columns.
EXPORT_HEADER = (
    "视频描述",
    "视频ID",
    "发布时间",
    "完播率",
    "平均播放时长",
    "播放量",
    "推荐",
    "喜欢",
    "评论量",
    "分享量",
    "关注量",
    "转发聊天和朋友圈",
    "设为铃声",
    "设为状态",
    "设为朋友圈封面",
    "转发企业微信",
    "企业微信播放量",
    "通讯录播放量",
    "通讯录推荐",
)


def error(kind: str, request: Request, message: str = "") -> Reply:
    code, text = ERRORS[kind]
    return Reply({"errcode": code, "errmsg": f"{text}: {message}" if message else text})


def handle(request: Request) -> Reply:
    appid = auth.access_key(request.query.get("access_token"))
    if appid is None:
        return error("token_invalid", request)
    if request.path != FINDER_PATH or request.method != "POST":
        return error("not_found", request, request.path)
    snapshot = world.account(request.state.seed, NAME, appid).day(request.state.yesterday())
    return Reply(
        {
            "errcode": 0,
            "errmsg": "ok",
            "finder_attr": {
                "nickname": f"视频号 {appid[-6:]}",
                "fans_count": snapshot.followers if snapshot else 0,
            },
        }
    )


def videos_export(appid: str, as_of: dt.date, seed: int) -> bytes:
    """The "下载表格" CSV (UTF-8 with BOM): every video up to `as_of`, lifetime counters as of that day."""
    account = world.account(seed, NAME, appid)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_HEADER)
    posts = account.posts_until(as_of)
    if not posts:
        return b""  # nothing published yet: 视频号助手 has no table to download
    for post in reversed(posts):
        t = post.totals(as_of)
        r = world.rng(seed, NAME, post.external_id)
        writer.writerow(
            [
                post.title,
                post.external_id,
                post.published_at.strftime("%Y/%m/%d %H:%M"),
                f"{post.completion_rate * 100:.2f}%",
                f"{post.avg_watch_seconds:.2f}秒",
                t["views"],
                t["recommends"],
                t["likes"],
                t["comments"],
                t["shares"],
                int(t["views"] * r.uniform(0.001, 0.004)),
                int(t["shares"] * 0.6),
                0,
                int(t["likes"] * 0.02),
                0,
                int(t["shares"] * 0.05),
                int(t["views"] * 0.03),
                int(t["views"] * 0.05),
                int(t["recommends"] * 0.1),
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def daily_csv(appid: str, start: dt.date, end: dt.date, seed: int) -> bytes:
    """The account's daily numbers in the project's daily template (视频号助手 shows them; the demo imports them)."""
    account = world.account(seed, NAME, appid)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "date",
            "followers_gained",
            "followers_lost",
            "views",
            "likes",
            "comments",
            "shares",
            "recommends",
            "posts_published",
        ]
    )
    day = start
    while day <= end:
        if (sim := account.day(day)) is not None:
            c = sim.counters
            writer.writerow(
                [
                    day.isoformat(),
                    sim.followers_gained,
                    sim.followers_lost,
                    c["views"],
                    c["likes"],
                    c["comments"],
                    c["shares"],
                    c["recommends"],
                    sim.posts_published,
                ]
            )
        day += dt.timedelta(days=1)
    return out.getvalue().encode("utf-8-sig")
