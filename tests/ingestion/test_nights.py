"""Night after night against the platform sandbox: a four-night outage, then recovery.

Every platform's series must come back whole where the platform can still serve the missed
days, and the snapshot-only series must say exactly which nights were lost.
"""

import datetime as dt
from io import StringIO

import pytest
import requests
from django.core.management import call_command
from django.test import override_settings

from accounts.models import Platform
from analytics.models import AccountDailyMetric, CampaignDailyMetric, PostDailyMetric
from ingestion.models import IngestionRun, RunStatus, SeriesGap, SeriesProgress
from ingestion.sandbox import Sandbox, demo_credentials
from ingestion.sandbox.demo import night_after
from tests.factories import OrganizationFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db

IDS = {
    Platform.WECHAT: "wxNIGHTS01",
    Platform.DOUYIN: "_000nightsDouyin",
    Platform.BILIBILI: "4343",
    Platform.WEIBO: "5800000043",
    Platform.XIAOHONGSHU: "60400043",
}
FIRST = dt.date(2026, 11, 1)
NIGHTS = [FIRST + dt.timedelta(days=n) for n in range(9)]
OUTAGE = NIGHTS[3:7]  # 11-04 .. 11-07: every platform answers "quota used up"


def days(start, end):
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


@pytest.fixture
def sandbox():
    with Sandbox(seed=5) as server, override_settings(**server.api_bases(), PLATFORM_RETRY_WAIT=0.01):
        yield server


def night(sandbox, day) -> str:
    out = StringIO()
    with night_after(sandbox.url, day):
        call_command("sync_all", "--date", day.isoformat(), "--inline", stdout=out)
    return out.getvalue().strip()


def test_a_four_night_outage_then_recovery_stores_every_day(sandbox):
    org = OrganizationFactory()
    accounts = {
        platform: SocialAccountFactory(
            organization=org, platform=platform, external_id=external_id, credentials=demo_credentials(platform, external_id)
        )
        for platform, external_id in IDS.items()
    }
    summaries = {}
    for day in NIGHTS:
        if day == OUTAGE[0]:
            requests.post(
                f"{sandbox.url}/_sandbox/faults", json={"platform": "*", "fault": "rate_limit", "count": 100_000}, timeout=5
            ).raise_for_status()
        if day == NIGHTS[len(NIGHTS) - 2]:
            requests.delete(f"{sandbox.url}/_sandbox/faults", timeout=5).raise_for_status()
        summaries[day] = night(sandbox, day)

    assert summaries[OUTAGE[0]].endswith("deferred 5")
    recovery = NIGHTS[-2]
    # The recovery night reads from the day after the last day stored (11-03), not just the last three days.
    recovered = IngestionRun.objects.filter(
        window_end=recovery, account__platform__in=[Platform.WECHAT, Platform.DOUYIN, Platform.XIAOHONGSHU]
    )
    assert {(r.window_start, r.status) for r in recovered} == {(dt.date(2026, 11, 4), RunStatus.SUCCEEDED)}
    # History series: every day from the first night's window to the last night is stored.
    everything = days(FIRST - dt.timedelta(days=2), NIGHTS[-1])
    for platform in (Platform.WECHAT, Platform.DOUYIN):
        stored = AccountDailyMetric.objects.filter(account=accounts[platform]).values_list("date", flat=True)
        assert sorted(stored) == everything, platform
    spend_days = CampaignDailyMetric.objects.filter(account=accounts[Platform.XIAOHONGSHU]).values_list("date", flat=True)
    assert sorted(spend_days) == everything
    # Snapshot series: the outage nights are lost, and recorded as gaps, nothing else.
    read = [d for d in NIGHTS if d not in OUTAGE]
    for platform in (Platform.WEIBO, Platform.BILIBILI):
        account = accounts[platform]
        assert sorted(AccountDailyMetric.objects.filter(account=account).values_list("date", flat=True)) == read
        assert sorted(set(PostDailyMetric.objects.filter(post__account=account).values_list("date", flat=True))) == read
        for series in ("account_days", "post_days"):
            gaps = SeriesGap.objects.filter(account=account, series=series).values_list("date", flat=True)
            assert sorted(gaps) == OUTAGE, (platform, series)
    douyin_gaps = SeriesGap.objects.filter(account=accounts[Platform.DOUYIN])
    assert sorted((g.series, g.date) for g in douyin_gaps) == [("post_days", d) for d in OUTAGE]
    assert not SeriesGap.objects.filter(account__in=[accounts[Platform.WECHAT], accounts[Platform.XIAOHONGSHU]])
    assert set(SeriesProgress.objects.values_list("last_day", flat=True)) == {NIGHTS[-1]}


def test_re_running_a_night_changes_nothing_and_records_no_new_gap(sandbox):
    account = SocialAccountFactory(
        platform=Platform.WEIBO,
        external_id=IDS[Platform.WEIBO],
        credentials=demo_credentials(Platform.WEIBO, IDS[Platform.WEIBO]),
    )
    night(sandbox, NIGHTS[0])
    before = list(AccountDailyMetric.objects.filter(account=account).values())

    assert night(sandbox, NIGHTS[0]).endswith("succeeded 1")

    assert list(AccountDailyMetric.objects.filter(account=account).values()) == before
    assert not SeriesGap.objects.exists()
