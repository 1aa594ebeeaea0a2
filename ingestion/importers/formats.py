"""The accepted file layouts: which header names map to which record fields.

A layout is recognised by its header row (scanned within the first rows, so preamble rows
above it are skipped). `KINDS` are the public kind names (CONTRACT.md); a kind may accept
several layouts, e.g. `xhs_notes` takes both the 笔记列表明细表 and the 近30日 trend workbook.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from accounts.models import Platform

from . import values


@dataclass(frozen=True)
class Column:
    field: str  # a record field, or one of the key fields "date", "title", "published_at", "kind", "campaign", ...
    headers: tuple[str, ...]
    parse: Callable = values.counter
    required: bool = False  # part of the header signature; a row must have a value too if `key`
    key: bool = False


@dataclass(frozen=True)
class Layout:
    kind: str
    name: str
    label: str  # Chinese name used in messages
    records: str  # "account_days" | "post_days" | "campaign_days" | "comments"
    columns: tuple[Column, ...]
    platform: str | None = None  # None: the project's generic templates, any platform
    strict: bool = False  # our own templates: an unknown column is an error (likely a typo), not ignored
    id_prefix: str = ""

    @property
    def required_headers(self) -> list[tuple[str, ...]]:
        return [c.headers for c in self.columns if c.required]


def C(field, *headers, parse=values.counter, required=False, key=False) -> Column:  # noqa: N802
    return Column(field, tuple(normalize_header(h) for h in headers), parse, required, key)


_UNIT_SUFFIX = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]$")


def normalize_header(cell) -> str:
    text = unicodedata.normalize("NFKC", "" if cell is None else str(cell)).strip().lstrip("*").strip()
    return _UNIT_SUFFIX.sub("", text).replace(" ", "").lower()


LAYOUTS: tuple[Layout, ...] = (
    Layout(
        kind="douyin_posts", name="douyin_posts", label="抖音作品数据", records="post_days",
        platform=Platform.DOUYIN, id_prefix="dy",
        columns=(
            C("title", "作品名称", parse=values.text, required=True, key=True),
            C("published_at", "发布时间", parse=values.local_datetime, required=True, key=True),
            C("kind", "体裁", parse=values.text),
            C("views", "播放量"),
            C("completion_rate", "完播率", parse=values.rate),
            C("avg_watch_seconds", "平均播放时长", parse=values.seconds),
            C("likes", "点赞量"),
            C("shares", "分享量"),
            C("comments", "评论量"),
            C("saves", "收藏量"),
            C("profile_visits", "主页访问量"),
            C("followers_gained", "粉丝增量"),
            # Reported but not stored; still validated so a shifted column is caught.
            C("", "5s完播率", parse=values.rate),
            C("", "封面点击率", parse=values.rate),
            C("", "2s跳出率", parse=values.rate),
        ),
    ),
    Layout(
        kind="xhs_notes", name="xhs_notes", label="小红书笔记列表明细表", records="post_days",
        platform=Platform.XIAOHONGSHU, id_prefix="xhs",
        columns=(
            C("title", "笔记标题", parse=values.text, required=True, key=True),
            C("published_at", "首次发布时间", parse=values.local_datetime, required=True, key=True),
            C("kind", "体裁", parse=values.text),
            C("impressions", "曝光"),
            C("views", "观看"),
            C("", "封面点击率", parse=values.rate),
            C("likes", "点赞"),
            C("comments", "评论"),
            C("saves", "收藏"),
            C("followers_gained", "涨粉"),
            C("shares", "分享"),
            C("avg_watch_seconds", "人均观看时长", parse=values.seconds),
            C("danmaku", "弹幕"),
        ),
    ),
    Layout(
        # 近30日 数据趋势 workbook (账号概览 → 导出): one row per day.
        kind="xhs_notes", name="xhs_trend", label="小红书近30日数据趋势", records="account_days",
        platform=Platform.XIAOHONGSHU,
        columns=(
            C("date", "日期", "时间", parse=values.day, required=True, key=True),
            C("impressions", "曝光", "曝光数", "曝光量", required=True),
            C("views", "观看", "观看数", "观看量", required=True),
            C("likes", "点赞", "点赞数"),
            C("comments", "评论", "评论数"),
            C("saves", "收藏", "收藏数"),
            C("shares", "分享", "分享数"),
            C("followers_gained", "涨粉", "新增关注", "涨粉数"),
            C("followers_lost", "取消关注", "取关", "取关数"),
            C("followers", "总粉丝数", "粉丝数", "累计粉丝数"),
            C("profile_visits", "主页访客", "主页访客数", "主页访问"),
        ),
    ),
    Layout(
        kind="wechat_users", name="wechat_users", label="微信公众号用户分析", records="account_days",
        platform=Platform.WECHAT,
        columns=(
            C("date", "时间", "日期", parse=values.day, required=True, key=True),
            C("followers_gained", "新关注人数", required=True),
            C("followers_lost", "取消关注人数"),
            C("", "净增关注人数", parse=values.signed_counter),
            C("followers", "累积关注人数", "累计关注人数"),
        ),
    ),
    Layout(
        # 图文分析 → 全部图文 trend export: one row per day.
        kind="wechat_users", name="wechat_articles", label="微信公众号图文分析", records="account_days",
        platform=Platform.WECHAT,
        columns=(
            C("date", "时间", "日期", parse=values.day, required=True, key=True),
            C("views", "图文总阅读次数", "图文页阅读次数", "阅读次数", required=True),
            C("", "图文总阅读人数", "图文页阅读人数", "阅读人数"),
            C("", "原文页阅读人数"),
            C("", "原文页阅读次数"),
            C("", "分享转发人数", "分享人数"),
            C("shares", "分享转发次数", "分享次数"),
            C("saves", "微信收藏人数", "收藏人数"),
            C("likes", "点赞人数", "点赞次数"),
            C("recommends", "在看人数", "在看次数"),
        ),
    ),
    Layout(
        kind="bilibili_posts", name="bilibili_posts", label="B站稿件数据", records="post_days",
        platform=Platform.BILIBILI, id_prefix="bili",
        columns=(
            C("title", "视频标题", "稿件标题", parse=values.text, required=True, key=True),
            C("published_at", "发布时间", parse=values.local_datetime, required=True, key=True),
            C("external_id", "bv号", "bvid", "稿件bv号", parse=values.short_text(255)),
            C("views", "播放量"),
            C("avg_watch_seconds", "平均播放时长", parse=values.seconds),
            C("likes", "点赞量"),
            C("comments", "评论量"),
            C("danmaku", "弹幕量"),
            C("saves", "收藏量"),
            C("coins", "投币量"),
            C("shares", "转发量", "分享量"),
            C("followers_gained", "涨粉量"),
        ),
    ),
    Layout(
        # 视频号助手 → 数据中心 → 单篇视频 → 下载表格 (UTF-8 with BOM); newer exports add 企业微信 and
        # 通讯录 columns, which are not stored (unknown columns are ignored). Keyed on 视频ID.
        kind="channels_videos", name="channels_videos", label="视频号单篇视频数据", records="post_days",
        platform=Platform.WECHAT_CHANNELS,
        columns=(
            C("external_id", "视频ID", parse=values.short_text(255), required=True, key=True),
            C("title", "视频描述", parse=values.text, required=True),
            C("published_at", "发布时间", parse=values.local_datetime, required=True),
            C("completion_rate", "完播率", parse=values.rate),
            C("avg_watch_seconds", "平均播放时长", parse=values.seconds),
            C("views", "播放量", required=True),
            C("recommends", "推荐"),
            C("likes", "喜欢"),
            C("comments", "评论量"),
            C("shares", "分享量"),
            C("followers_gained", "关注量"),
            # Reported but not stored; still validated so a shifted column is caught.
            C("", "转发聊天和朋友圈"),
            C("", "设为铃声"),
            C("", "设为状态"),
            C("", "设为朋友圈封面"),
        ),
    ),
    Layout(
        # 快手创作者服务平台 → 数据中心 → 作品数据 → 导出. No published sample of this file was found: the
        # header names accepted here are the ones the creator centre shows on screen, with the usual
        # 量/数 variants. 作品ID is required, which also keeps a Douyin export (no id) from matching.
        kind="kuaishou_posts", name="kuaishou_posts", label="快手作品数据", records="post_days",
        platform=Platform.KUAISHOU,
        columns=(
            C("external_id", "作品ID", "作品id", "视频ID", parse=values.short_text(255), required=True, key=True),
            C("title", "作品名称", "作品标题", "作品描述", parse=values.text, required=True),
            C("published_at", "发布时间", parse=values.local_datetime, required=True),
            C("views", "播放量", "播放数", required=True),
            C("completion_rate", "完播率", parse=values.rate),
            C("avg_watch_seconds", "平均播放时长", parse=values.seconds),
            C("likes", "点赞量", "点赞数"),
            C("comments", "评论量", "评论数"),
            C("shares", "分享量", "分享数"),
            C("saves", "收藏量", "收藏数"),
            C("followers_gained", "涨粉量", "涨粉数", "新增粉丝"),
        ),
    ),
    Layout(
        kind="daily_csv", name="daily_csv", label="每日数据模板", records="account_days", strict=True,
        columns=(
            C("date", "date", parse=values.day, required=True, key=True),
            *(C(m, m) for m in (
                "followers", "followers_gained", "followers_lost", "impressions", "views", "likes",
                "comments", "shares", "saves", "posts_published", "profile_visits", "coins", "danmaku",
                "recommends",
            )),
        ),
    ),
    Layout(
        kind="campaign_csv", name="campaign_csv", label="投放数据模板", records="campaign_days", strict=True,
        columns=(
            C("date", "date", parse=values.day, required=True, key=True),
            C("campaign", "campaign", parse=values.short_text(200), required=True, key=True),
            C("spend", "spend", parse=values.money),
            C("impressions", "impressions"),
            C("clicks", "clicks"),
            C("engagements", "engagements"),
            C("conversions", "conversions"),
            C("revenue", "revenue", parse=values.money),
            C("followers_gained", "followers_gained"),
        ),
    ),
)

# Comments of any platform (CONTRACT.md template `date, post, author, text`): `post` is the post's
# platform id or its title; `comment_id`, `likes` and `reply_to` are optional. Stored through
# comments.services, not the metrics tables.
LAYOUTS += (
    Layout(
        kind="comments_csv", name="comments_csv", label="评论数据模板", records="comments", strict=True,
        columns=(
            C("commented_at", "date", "评论时间", parse=values.local_datetime, required=True, key=True),
            C("post", "post", "作品", parse=values.short_text(255), required=True, key=True),
            C("author", "author", "评论者", parse=values.short_text(200), required=True),
            C("text", "text", "评论内容", parse=values.text, required=True, key=True),
            C("external_id", "comment_id", "评论ID", parse=values.short_text(128)),
            C("likes", "likes", "点赞"),
            C("reply_to", "reply_to", "回复评论ID", parse=values.short_text(128)),
        ),
    ),
)

KINDS: tuple[str, ...] = tuple(dict.fromkeys(layout.kind for layout in LAYOUTS))
HEADER_SEARCH_ROWS = 30


@dataclass(frozen=True)
class Match:
    layout: Layout
    header_row: int  # spreadsheet row number
    positions: dict[Column, int]  # column → cell index
    unknown: list[str]  # header cells no column of the layout claims


def _match(layout: Layout, cells: list[str]) -> Match | None:
    positions: dict[Column, int] = {}
    for column in layout.columns:
        index = next((i for i, cell in enumerate(cells) if cell and cell in column.headers), None)
        if index is not None:
            positions[column] = index
        elif column.required:
            return None
    if len(positions) < 2:
        return None
    claimed = set(positions.values())
    unknown = [cells[i] for i in range(len(cells)) if cells[i] and i not in claimed]
    return Match(layout, 0, positions, unknown)


def find_header(rows, kind: str) -> Match | None:
    """The first row (within the first rows) that is the header of an accepted layout."""
    candidates = [layout for layout in LAYOUTS if kind in ("auto", layout.kind)]
    for number, cells in rows[:HEADER_SEARCH_ROWS]:
        normalized = [normalize_header(c) for c in cells]
        matches = [m for layout in candidates if (m := _match(layout, normalized))]
        if matches:
            best = max(matches, key=lambda m: len(m.positions))  # campaign_csv over daily_csv, etc.
            return Match(best.layout, number, best.positions, best.unknown)
    return None


def describe(kind: str) -> str:
    """What header the user should have, for the "header not found" message."""
    layouts = [layout for layout in LAYOUTS if kind in ("auto", layout.kind)]
    return "；".join(
        f"{layout.label}（{layout.kind}）：" + "、".join(h[0] for h in layout.required_headers) for layout in layouts
    )
