"""The one list of platforms every part of the product reads.

A platform is a `PlatformSpec` here, plus a connector module `ingestion/connectors/<module>.py`
and a sandbox module `ingestion/sandbox/<module>.py` (and, for back-office exports, layouts in
`ingestion/importers/formats.py`). The model choices, the credentials check, the dashboards'
labels and colours, the demo workspace, the sandbox routing and the settings' base URLs all
come from this list; `tests/test_platform_registry.py` fails when a platform lacks a part.

No Django model or app import here: `accounts.models` builds its choices from this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PlatformSpec:
    code: str  # stored in SocialAccount.platform, used in URLs, the API and CSS classes (`p-<code>`)
    label: str  # Chinese first (the English is in locale/)
    color: str  # one colour everywhere: cards, charts, badges (static/css/app.css has the same)
    credential_keys: tuple[str, ...]  # CONTRACT.md, "Platform credentials"
    api_base_setting: str  # the setting (and environment variable) holding the API's base URL
    module: str  # ingestion/connectors/<module>.py and ingestion/sandbox/<module>.py
    # The API reports current totals only (no history): nightly snapshots are the history,
    # so the demo replays past nights rather than backfilling a window.
    snapshot: bool
    native_kpis: tuple[str, ...]  # the platform's own KPIs on the drill-down, beside the common ones
    demo_external_id: str  # the demo account the sandbox simulates
    demo_name: str


PLATFORMS: tuple[PlatformSpec, ...] = (
    PlatformSpec(
        "wechat",
        _("微信公众号"),
        "#07C160",
        ("appid", "secret"),
        "WECHAT_API_BASE",
        "wechat",
        snapshot=False,
        native_kpis=("read_rate", "recommends", "shares"),
        demo_external_id="wx5a8c6e2d9f0b1a37",
        demo_name="演示品牌 · 公众号",
    ),
    PlatformSpec(
        "douyin",
        _("抖音"),
        "#161823",
        ("client_key", "client_secret", "open_id", "access_token", "refresh_token"),
        "DOUYIN_API_BASE",
        "douyin",
        snapshot=True,
        native_kpis=("completion_rate", "likes", "shares"),
        demo_external_id="_000demoBrandDouyin",
        demo_name="演示品牌 · 抖音",
    ),
    PlatformSpec(
        "xiaohongshu",
        _("小红书"),
        "#FF2442",
        ("advertiser_id", "access_token"),
        "XHS_ADS_API_BASE",
        "xiaohongshu",
        snapshot=False,
        native_kpis=("ces", "saves", "comments"),
        demo_external_id="60423871",
        demo_name="演示品牌 · 小红书",
    ),
    PlatformSpec(
        "weibo",
        _("微博"),
        "#F59E0B",
        ("uid", "access_token"),
        "WEIBO_API_BASE",
        "weibo",
        snapshot=True,
        native_kpis=("interactions_per_mille", "engagement_rate_by_followers", "shares", "comments"),
        demo_external_id="5823419087",
        demo_name="演示品牌 · 官方微博",
    ),
    PlatformSpec(
        "bilibili",
        _("哔哩哔哩"),
        "#00AEEC",
        ("client_id", "client_secret", "access_token", "refresh_token"),
        "BILIBILI_API_BASE",
        "bilibili",
        snapshot=True,
        native_kpis=("bilibili_interactions", "coins", "saves", "danmaku"),
        demo_external_id="358123906",
        demo_name="演示品牌 · B站",
    ),
    PlatformSpec(
        "kuaishou",
        _("快手"),
        "#FF4906",
        ("app_id", "app_secret", "open_id", "access_token", "refresh_token"),
        "KUAISHOU_API_BASE",
        "kuaishou",
        snapshot=True,
        native_kpis=("likes", "comments"),
        demo_external_id="f1a7c3e9b2d54k6s",
        demo_name="演示品牌 · 快手",
    ),
    PlatformSpec(
        # Content data comes from the 视频号助手 export; the follower count, optionally, through
        # the bound Official Account's credentials.
        "wechat_channels",
        _("视频号"),
        "#FA9D3B",
        ("appid", "secret"),
        "WECHAT_API_BASE",
        "wechat_channels",
        snapshot=True,
        native_kpis=("recommends", "completion_rate", "shares"),
        demo_external_id="sphDemoBrand2026",
        demo_name="演示品牌 · 视频号",
    ),
)

BY_CODE: dict[str, PlatformSpec] = {spec.code: spec for spec in PLATFORMS}
# One colour per platform everywhere (cards, charts, badges); static/css/app.css has the same.
PLATFORM_COLORS: dict[str, str] = {spec.code: spec.color for spec in PLATFORMS}


def platform_spec(code: str) -> PlatformSpec:
    try:
        return BY_CODE[code]
    except KeyError:
        raise KeyError(f"unknown platform {code!r}; choose one of {', '.join(BY_CODE)}") from None
