"""The demo workspace: one account per platform, filled through the real ingestion path.

The API accounts are synced against the sandbox by `account_sync`. WeChat and Xiaohongshu
ads have history APIs and are backfilled in windows; the snapshot APIs (Weibo, Bilibili,
Kuaishou, Douyin videos, the 视频号 follower count) can only be read "tonight", so the demo
replays the nightly sync of each of the last `days` nights, moving both the sandbox's
calendar and the connectors' "today" (`accounts.calendar.frozen_today`) to the
morning after. Xiaohongshu organic data, 视频号 videos and two campaigns with conversions
and revenue come in through the file importer, as they would in real life. Nights and files
already ingested are skipped, so re-running is
cheap and leaves identical rows; `resync` reads everything again (still identical rows: the
sandbox is deterministic).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from accounts.calendar import PLATFORM_TZ, frozen_today
from accounts.models import AccountStatus, Organization, Platform, SocialAccount
from accounts.platforms import PLATFORMS
from ingestion.connectors.base import REGISTRY, TransientError
from ingestion.importers import file_import
from ingestion.models import IngestionRun, RunSource, RunStatus
from ingestion.services import SYNC_WINDOW_DAYS, account_sync

from . import wechat_channels, world
from .auth import demo_credentials
from .server import Sandbox, api_bases

# (platform, external id the sandbox simulates, display name): one per registered platform.
DEMO_ACCOUNTS = tuple((spec.code, spec.demo_external_id, spec.demo_name) for spec in PLATFORMS)
# Platforms whose API reports current totals only: their history exists only if someone
# asked every night, so the demo replays the nights. The others have history APIs.
SNAPSHOT_PLATFORMS = {spec.code for spec in PLATFORMS if spec.snapshot}
BACKFILL_DAYS = 30
NIGHTLY_SYNC_TIME = dt.time(2, 30)  # the beat schedule (ingestion migration 0002), China time
SANDBOX_WAIT_SECONDS = 20.0  # `make run` starts the sandbox a moment before seeding
# Paid campaigns with conversions, imported from the campaign CSV template:
# (name, platform, first day back from yesterday, last day back, daily budget CNY, conversion rate, order value)
DEMO_CAMPAIGNS = (
    ("双11 抖音信息流", Platform.DOUYIN, 40, 10, 3200, 0.021, 168),
    ("小红书 秋冬种草 KOL 合作", Platform.XIAOHONGSHU, 75, 0, 1800, 0.034, 129),
)


class SandboxUnavailable(Exception):
    pass


@dataclass
class SeedReport:
    synced: dict[str, int] = field(default_factory=dict)  # platform -> nights synced now
    skipped: dict[str, int] = field(default_factory=dict)  # platform -> nights already in
    failed: list[str] = field(default_factory=list)  # "platform night: error"
    imported: list[str] = field(default_factory=list)


def demo_accounts_ensure(*, organization: Organization) -> list[SocialAccount]:
    """The demo accounts with credentials the sandbox accepts (refreshed tokens are kept)."""
    accounts = []
    for platform, external_id, name in DEMO_ACCOUNTS:
        account, created = SocialAccount.objects.get_or_create(
            organization=organization, platform=platform, external_id=external_id,
            defaults={"name": name, "credentials": demo_credentials(platform, external_id)},
        )
        if not created and account.status != AccountStatus.ACTIVE:
            # A fault injected into the sandbox may have flagged it; the demo must sync again.
            account.status, account.status_detail = AccountStatus.ACTIVE, ""
            account.credentials = demo_credentials(platform, external_id)
            account.save(update_fields=["status", "status_detail", "credentials"])
        accounts.append(account)
    return accounts


@contextmanager
def sandbox_for_demo(*, seed: int) -> Iterator[str]:
    """The root URL of the sandbox the settings point at, or of one started here for the duration."""
    root = _configured_sandbox_root()
    if root:
        yield root
        return
    with Sandbox(seed=seed) as sandbox, override_settings(**sandbox.api_bases()):
        yield sandbox.url


def _configured_sandbox_root() -> str | None:
    """The sandbox every `*_API_BASE` points at, waiting for it to come up; None for real hosts."""
    url = urlsplit(settings.WECHAT_API_BASE)
    root = f"{url.scheme}://{url.netloc}"
    if url.hostname not in ("127.0.0.1", "localhost") or any(
        getattr(settings, name).rstrip("/") != value for name, value in api_bases(root).items()
    ):
        return None  # never probe the real platforms
    deadline = timezone.now() + dt.timedelta(seconds=SANDBOX_WAIT_SECONDS)
    while True:
        try:
            requests.get(f"{root}/_sandbox/state", timeout=2).raise_for_status()
            return root
        except requests.RequestException as exc:
            if timezone.now() > deadline:
                raise SandboxUnavailable(
                    f"the *_API_BASE settings point at {root}, but no platform sandbox answers there "
                    f"({type(exc).__name__}); start one with `manage.py run_sandbox --port {url.port}`"
                ) from None
        time.sleep(0.3)


@contextmanager
def night_after(root: str, night: dt.date) -> Iterator[None]:
    """Both calendars on the morning after `night`: the sandbox's and the connectors' (`frozen_today`)."""
    morning = night + dt.timedelta(days=1)
    requests.post(f"{root}/_sandbox/clock", json={"today": morning.isoformat()}, timeout=5).raise_for_status()
    try:
        with frozen_today(morning):
            yield
    finally:
        requests.post(f"{root}/_sandbox/clock", json={"today": None}, timeout=5).raise_for_status()


def demo_sync(
    *, accounts: list[SocialAccount], start: dt.date, end: dt.date, root: str, resync: bool = False,
    progress: Callable[[str], None] = lambda _: None,
) -> SeedReport:
    """Fill start..end: history APIs in backfill windows, snapshot APIs night by night."""
    report = SeedReport()
    api_accounts = [a for a in accounts if a.platform in _connector_platforms()]
    runs = [] if resync else list(IngestionRun.objects.filter(
        account__in=api_accounts, source=RunSource.SANDBOX, status=RunStatus.SUCCEEDED,
        window_end__gte=start, window_start__lte=end,
    ).values_list("account_id", "window_start", "window_end"))
    for account in api_accounts:
        if account.platform in SNAPSHOT_PLATFORMS:
            continue
        covered = {day for pk, first, last in runs if pk == account.pk for day in _days(first, last)}
        missing = [day for day in _days(start, end) if day not in covered]
        report.skipped[account.platform] = (end - start).days + 1 - len(missing)
        for first, last in _backfill_windows(missing):
            _sync(account, first, last, report)
    progress(f"backfilled {', '.join(a.platform for a in api_accounts if a.platform not in SNAPSHOT_PLATFORMS)}")
    replayed = [a for a in api_accounts if a.platform in SNAPSHOT_PLATFORMS]
    done = {(pk, last) for pk, _, last in runs}
    for night in _days(start, end):
        todo = [a for a in replayed if (a.pk, night) not in done]
        for account in replayed:
            if account not in todo:
                report.skipped[account.platform] = report.skipped.get(account.platform, 0) + 1
        if todo:
            with night_after(root, night):
                for account in todo:
                    run = _sync(account, max(start, night - dt.timedelta(days=SYNC_WINDOW_DAYS - 1)), night, report)
                    if run is not None:
                        _date_as_scheduled(run, night)
        if night.day == 1 or night == end:
            progress(f"replayed the nightly sync up to {night}")
    return report


def _backfill_windows(missing: list[dt.date]) -> Iterator[tuple[dt.date, dt.date]]:
    """Consecutive runs of missing days, cut into windows of at most BACKFILL_DAYS."""
    first = previous = None
    for day in [*missing, None]:
        if first is not None and (day is None or day != previous + dt.timedelta(days=1)
                                  or (day - first).days >= BACKFILL_DAYS):
            yield first, previous
            first = None
        if day is not None and first is None:
            first = day
        previous = day


def _connector_platforms() -> set[str]:
    return set(REGISTRY)


def _sync(account: SocialAccount, start: dt.date, end: dt.date, report: SeedReport) -> IngestionRun | None:
    try:
        run = account_sync(account=account, start=start, end=end, source=RunSource.SANDBOX)
    except TransientError as exc:
        report.failed.append(f"{account.platform} {start}..{end}: {exc}")
        return None
    if run.status == RunStatus.SUCCEEDED:
        report.synced[account.platform] = report.synced.get(account.platform, 0) + 1
    else:
        report.failed.append(f"{account.platform} {start}..{end}: {run.error}")
    return run


def _date_as_scheduled(run: IngestionRun, night: dt.date) -> None:
    """Date a replayed run at the nightly schedule of the morning after its night (never later
    than now), so the data-status page shows the history a real deployment would have."""
    morning = dt.datetime.combine(night + dt.timedelta(days=1), NIGHTLY_SYNC_TIME, tzinfo=PLATFORM_TZ)
    started = min(morning, timezone.now() - (run.finished_at - run.started_at))
    finished = started + (run.finished_at - run.started_at)
    IngestionRun.objects.filter(pk=run.pk).update(started_at=started, finished_at=finished)
    if run.status == RunStatus.SUCCEEDED:
        SocialAccount.objects.filter(pk=run.account_id).update(last_synced_at=finished)


# --- files: Xiaohongshu organic data, 视频号 videos and paid campaigns ------------------------------------


def demo_import(*, accounts: list[SocialAccount], start: dt.date, end: dt.date, seed: int,
                resync: bool = False) -> list[str]:
    """Import the demo's export files (each once, unless `resync`); returns the summaries."""
    by_platform = {a.platform: a for a in accounts}
    # (account, file name, content, the day its lifetime counters are as of)
    files = [(by_platform[Platform.XIAOHONGSHU], f"小红书近{(end - start).days + 1}日数据趋势-{end}.csv",
              xhs_trend_csv(by_platform[Platform.XIAOHONGSHU].external_id, start, end, seed), end)]
    channels = by_platform[Platform.WECHAT_CHANNELS]
    appid = channels.credentials["appid"]
    files.append((channels, f"视频号-每日数据-{end}.csv", wechat_channels.daily_csv(appid, start, end, seed), end))
    # A marketer downloads the 单篇视频 table now and then: one a week, so the videos have a history.
    for weeks_back in range((end - start).days // 7, -1, -1):
        as_of = end - dt.timedelta(days=7 * weeks_back)
        files.append((channels, f"视频号助手-单篇视频-{as_of}.csv", wechat_channels.videos_export(appid, as_of, seed),
                      as_of))
    for campaign in DEMO_CAMPAIGNS:
        name, platform = campaign[0], campaign[1]
        files.append((by_platform[platform], f"投放数据-{name}-{end}.csv", campaign_csv(campaign, start, end, seed),
                      end))
    summaries = []
    for account, file_name, data, as_of in files:
        already = IngestionRun.objects.filter(account=account, source=RunSource.FILE, file_name=file_name,
                                              status=RunStatus.SUCCEEDED).exists()
        if data and (resync or not already):
            summaries.append(file_import(account=account, file=data, file_name=file_name, as_of=as_of).summary())
    return summaries


def _csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def xhs_trend_csv(external_id: str, start: dt.date, end: dt.date, seed: int) -> bytes:
    """The creator centre's daily trend export (小红书 数据趋势), from the same simulated world."""
    account = world.account(seed, "xiaohongshu", external_id)
    rows = []
    for day in _days(start, end):
        if (sim := account.day(day)) is None:
            continue
        c = sim.counters
        rows.append([day.isoformat(), c["views"] * 6, c["views"], c["likes"], c["comments"], c["saves"], c["shares"],
                     sim.followers_gained, sim.followers_lost, sim.followers, sim.profile_visits])
    return _csv(["日期", "曝光", "观看", "点赞", "评论", "收藏", "分享", "涨粉", "取消关注", "总粉丝数", "主页访客"], rows)


def campaign_csv(campaign: tuple, start: dt.date, end: dt.date, seed: int) -> bytes:
    name, _platform, first_back, last_back, budget, conversion_rate, order_value = campaign
    rows = []
    for day in _days(max(start, end - dt.timedelta(days=first_back)), end - dt.timedelta(days=last_back)):
        r = world.rng(seed, "campaign", name, day)
        spend = round(budget * world.WEEKDAY_FACTOR[day.weekday()] * r.uniform(0.7, 1.3), 2)
        impressions = int(spend / r.uniform(25, 45) * 1000)
        clicks = int(impressions * r.uniform(0.012, 0.03))
        conversions = int(clicks * conversion_rate * r.uniform(0.6, 1.4))
        revenue = round(conversions * order_value * r.uniform(0.85, 1.2), 2)
        rows.append([day.isoformat(), name, f"{spend:.2f}", impressions, clicks, int(clicks * r.uniform(0.3, 0.6)),
                     conversions, f"{revenue:.2f}", int(clicks * r.uniform(0.01, 0.03))])
    if not rows:
        return b""
    return _csv(["date", "campaign", "spend", "impressions", "clicks", "engagements", "conversions", "revenue",
                 "followers_gained"], rows)


def _days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)
