"""Reads the ingestion path and the data page need from what is already stored."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accounts.models import AccountStatus, SocialAccount
from analytics.models import PostDailyMetric

from .models import PLATFORM_SOURCES, IngestionRun, RunStatus, SeriesGap

NIGHTLY_TASK = "ingestion.tasks.sync_all"


def post_counters_on(
    *, account: SocialAccount, date: dt.date, external_ids: Iterable[str], counters: tuple[str, ...]
) -> dict[str, dict[str, int | None]]:
    """The stored lifetime `counters` of the account's posts on `date` by external id; posts without a row are absent."""
    rows = PostDailyMetric.objects.filter(post__account=account, post__external_id__in=list(external_ids), date=date).values(
        "post__external_id", *counters
    )
    return {row.pop("post__external_id"): row for row in rows}


def sync_run_for_task(*, account: SocialAccount, run_id: int | None, task_id: str) -> IngestionRun | None:
    """The run a `sync_account` task works on: by id, else the one its first attempt created."""
    runs = IngestionRun.objects.filter(account=account)
    if run_id:
        return runs.filter(pk=run_id).first()
    return runs.filter(task_id=task_id).first() if task_id else None


# --- the data page ----------------------------------------------------------------------------


def runs_filtered(
    *,
    organization,
    account: SocialAccount | None = None,
    platform: str = "",
    status: str = "",
    source: str = "",
    day: dt.date | None = None,
) -> QuerySet[IngestionRun]:
    """The organization's runs, newest first, narrowed by whatever is given (`day`: created that local day)."""
    runs = IngestionRun.objects.filter(account__organization=organization).select_related("account")
    if account is not None:
        runs = runs.filter(account=account)
    if platform:
        runs = runs.filter(account__platform=platform)
    if status:
        runs = runs.filter(status=status)
    if source:
        runs = runs.filter(source=source)
    if day is not None:
        runs = runs.filter(created_at__date=day)  # in the current time zone (Asia/Shanghai)
    return runs.order_by("-created_at", "-pk")


def latest_platform_runs(account_ids: list[int]) -> dict[int, IngestionRun]:
    """Each account's latest run that read its platform (file imports are not the account's sync)."""
    runs = (
        IngestionRun.objects.filter(account_id__in=account_ids, source__in=PLATFORM_SOURCES)
        .order_by("account_id", "-created_at")
        .distinct("account_id")
    )  # DISTINCT ON: one query
    return {run.account_id: run for run in runs}


# How a night looks when several runs read it: the best outcome wins.
NIGHT_ORDER = (
    RunStatus.SUCCEEDED,
    RunStatus.SKIPPED,
    RunStatus.RUNNING,
    RunStatus.RETRYING,
    RunStatus.QUEUED,
    RunStatus.DEFERRED,
    RunStatus.FAILED,
)
GAP, NONE = "gap", "none"


@dataclass(frozen=True)
class Night:
    date: dt.date
    state: str  # a RunStatus, GAP (a series was lost that night, whatever ran) or NONE (nothing ran)
    run_id: int | None = None


def night_history(*, account_ids: list[int], last_night: dt.date, nights: int = 30) -> dict[int, list[Night]]:
    """The last `nights` nights of each account, oldest first: how the run(s) ending on that night went."""
    first = last_night - dt.timedelta(days=nights - 1)
    best: dict[tuple[int, dt.date], tuple[int, int]] = {}
    runs = IngestionRun.objects.filter(
        account_id__in=account_ids, source__in=PLATFORM_SOURCES, window_end__range=(first, last_night)
    )
    for pk, account_id, end, status in runs.values_list("pk", "account_id", "window_end", "status"):
        rank = NIGHT_ORDER.index(status)
        if (account_id, end) not in best or rank < best[account_id, end][0]:
            best[account_id, end] = (rank, pk)
    gaps = set(
        SeriesGap.objects.filter(account_id__in=account_ids, date__range=(first, last_night)).values_list(
            "account_id", "date"
        )
    )
    history = {}
    for account_id in account_ids:
        row = []
        for n in range(nights):
            day = first + dt.timedelta(days=n)
            rank, pk = best.get((account_id, day), (None, None))
            lost = (account_id, day) in gaps and (rank is None or NIGHT_ORDER[rank] != RunStatus.SUCCEEDED)
            row.append(Night(day, GAP if lost else NONE if rank is None else NIGHT_ORDER[rank], pk))
        history[account_id] = row
    return history


def series_gaps(*, account_ids: list[int], start: dt.date, end: dt.date) -> dict[int, list[SeriesGap]]:
    """The recorded gaps of each account's series within start..end (for the data page, banners, KPI coverage)."""
    gaps = defaultdict(list)
    for gap in SeriesGap.objects.filter(account_id__in=account_ids, date__range=(start, end)).order_by("date"):
        gaps[gap.account_id].append(gap)
    return dict(gaps)


@dataclass(frozen=True)
class Schedule:
    task: PeriodicTask | None
    next_run_at: dt.datetime | None


def nightly_schedule() -> Schedule:
    """The beat entry of the nightly sync (migration 0002), and when it fires next."""
    task = PeriodicTask.objects.filter(task=NIGHTLY_TASK).select_related("crontab").order_by("pk").first()
    if task is None or task.crontab is None or not task.enabled:
        return Schedule(task, None)
    now = timezone.now()
    due = now + task.crontab.schedule.remaining_estimate(now)
    return Schedule(task, (due + dt.timedelta(milliseconds=500)).replace(microsecond=0))  # celery lands a hair early


# --- is what the dashboards show complete? --------------------------------------------------------

STALE_AFTER = dt.timedelta(hours=36)


@dataclass(frozen=True)
class Freshness:
    stale: list[SocialAccount]  # read from a platform, but not for STALE_AFTER
    needs_reauth: list[SocialAccount]
    gaps: list[tuple[SocialAccount, int]]  # days lost within the window, per account

    def __bool__(self) -> bool:
        return bool(self.stale or self.needs_reauth or self.gaps)


def data_freshness(*, accounts: Iterable[SocialAccount], start: dt.date, end: dt.date) -> Freshness:
    """What makes the numbers of `accounts` over start..end stale or incomplete (for the dashboards' banner)."""
    accounts = [a for a in accounts if a.status != AccountStatus.PAUSED]
    cutoff = timezone.now() - STALE_AFTER
    synced = [a for a in accounts if a.credentials]  # accounts fed only by files have no sync to be late
    gap_days = dict(
        SeriesGap.objects.filter(account__in=accounts, date__range=(start, end))
        .values("account_id")
        .annotate(days=Count("date", distinct=True))
        .values_list("account_id", "days")
    )
    return Freshness(
        stale=[
            a for a in synced if a.status == AccountStatus.ACTIVE and (a.last_synced_at is None or a.last_synced_at < cutoff)
        ],
        needs_reauth=[a for a in accounts if a.status == AccountStatus.NEEDS_REAUTH],
        gaps=[(a, gap_days[a.pk]) for a in accounts if a.pk in gap_days],
    )
