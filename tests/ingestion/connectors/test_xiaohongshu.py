import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import Platform
from analytics.models import Campaign, CampaignDailyMetric
from ingestion.connectors import xiaohongshu
from ingestion.connectors.base import AuthError, PlatformDataError, QuotaExceeded, TransientError, connector_for
from ingestion.connectors.http import MAX_ATTEMPTS
from ingestion.services import metrics_write
from tests.factories import SocialAccountFactory

from .conftest import Reply

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
START = dt.date(2026, 10, 1)
PATH = "/jg/data/report/offline/account"


@pytest.fixture
def account(platform_server, settings):
    settings.XHS_ADS_API_BASE = platform_server.url + "/api/open"
    return SocialAccountFactory(platform=Platform.XIAOHONGSHU,
                                credentials={"advertiser_id": "7788", "access_token": "xhs-token"})


def report(rows, total=None):
    return {"success": True, "code": 0, "msg": "",
            "data": {"data_list": rows, "total_count": len(rows) if total is None else total}}


def daily(n: int) -> dict:
    day = START + DAY * n
    return {"time": day.isoformat(), "fee": f"{100 + n}.50", "impression": str(10000 + n), "click": 300 + n,
            "like": 10, "comment": "2", "collect": 5, "share": 1, "ctr": "3.00%"}


def test_paged_report_becomes_campaign_days_and_is_stored(account, platform_server, monkeypatch):
    monkeypatch.setattr(xiaohongshu, "PAGE_SIZE", 3)
    rows = [daily(n) for n in range(7)]
    rows[6] = {"time": rows[6]["time"], "fee": 0, "impression": 0}  # interactions omitted

    def paged(request):
        body = request.json
        page, size = body["page_num"], body["page_size"]
        return report(rows[(page - 1) * size: page * size], total=len(rows))

    platform_server.add("POST", "/api/open" + PATH, paged)
    batch = connector_for(account).fetch(START, START + 6 * DAY)

    calls = platform_server.calls("/api/open" + PATH)
    assert [c.json["page_num"] for c in calls] == [1, 2, 3]
    assert calls[0].json == {"advertiser_id": 7788, "start_date": "2026-10-01", "end_date": "2026-10-07",
                             "time_unit": "DAY", "page_num": 1, "page_size": 3}
    assert calls[0].headers["access-token"] == "xhs-token"
    assert len(batch.campaign_days) == 7
    first, last = batch.campaign_days[0], batch.campaign_days[6]
    assert (first.campaign, first.date, first.spend, first.impressions, first.clicks, first.engagements) == (
        "聚光投放 7788", START, Decimal("100.50"), 10000, 300, 18)
    assert (last.spend, last.impressions, last.clicks, last.engagements, last.conversions) == (Decimal(0), 0, None, None,
                                                                                             None)

    metrics_write(account=account, batch=batch)
    campaign = Campaign.objects.get(organization=account.organization, platform=Platform.XIAOHONGSHU)
    assert campaign.name == "聚光投放 7788"
    stored = CampaignDailyMetric.objects.get(campaign=campaign, account=account, date=START + DAY)
    assert (stored.spend, stored.impressions, stored.clicks, stored.engagements, stored.revenue) == (
        Decimal("101.50"), 10001, 301, 18, None)
    assert CampaignDailyMetric.objects.filter(campaign=campaign).count() == 7


def test_empty_report_is_an_empty_batch(account, platform_server):
    platform_server.add("POST", "/api/open" + PATH, report([]))
    assert len(connector_for(account).fetch(START, START)) == 0


@pytest.mark.parametrize(("answer", "error_class", "message", "attempts"), [
    (Reply({"success": False, "code": 401, "msg": "token无效"}, status=401), AuthError, "HTTP 401", 1),
    (Reply({"success": False, "code": 429, "msg": "请求过于频繁"}, status=429), QuotaExceeded, "HTTP 429", 1),
    (Reply({"success": False, "code": 500, "msg": "系统错误"}, status=500), TransientError, "HTTP 500", MAX_ATTEMPTS),
    ({"success": False, "code": "40010", "msg": "参数错误"}, PlatformDataError, "account: code 40010 参数错误", 1),
    (report([{"time": "2026-10-01", "fee": "¥12"}]), PlatformDataError, "field 'fee' is not a number: '¥12'", 1),
    ({"success": True, "code": 0, "data": None}, PlatformDataError, "field 'data' should be an object", 1),
    # The SDK's other envelope: the text must survive, and no "code 0".
    ({"success": False, "errorCode": 40010, "errorMsg": "advertiser_id不存在"}, PlatformDataError,
     "account: errorCode 40010 advertiser_id不存在", 1),
    ({"success": False, "code": 0, "msg": "", "message": "广告主无权限"}, PlatformDataError,
     "account: success=false 广告主无权限", 1),
])
def test_errors_are_mapped(account, platform_server, answer, error_class, message, attempts):
    platform_server.add("POST", "/api/open" + PATH, answer)
    with pytest.raises(error_class, match=message):
        connector_for(account).fetch(START, START)
    assert len(platform_server.calls("/api/open" + PATH)) == attempts


def test_missing_credentials_are_an_auth_error(account):
    account.credentials = {"advertiser_id": "7788"}
    with pytest.raises(AuthError, match="advertiser_id or access_token"):
        connector_for(account).fetch(START, START)


def test_follows_interactions_and_conversions_are_stored(account, platform_server):
    row = {**daily(0), "interaction": "25", "follow": 7, "goods_order": "3", "rgmv": "456.70", "leads": 2}
    platform_server.add("POST", "/api/open" + PATH, report([row, {**daily(1), "leads": 4}]))
    first, second = connector_for(account).fetch(START, START + DAY).campaign_days
    assert (first.engagements, first.followers_gained, first.conversions, first.revenue) == (
        25, 7, 3 + 2, Decimal("456.70"))  # the report's interaction total, not the sum of its parts
    assert (second.engagements, second.followers_gained, second.conversions, second.revenue) == (18, None, 4, None)
    metrics_write(account=account, batch=connector_for(account).fetch(START, START + DAY))
    stored = CampaignDailyMetric.objects.get(account=account, date=START)
    assert (stored.conversions, stored.revenue, stored.followers_gained, stored.engagements) == (
        5, Decimal("456.70"), 7, 25)
