import datetime
from decimal import Decimal

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import SocialAccount
from analytics.models import AccountDailyMetric
from analytics.selectors import post_performance
from ingestion.importers import template_csv
from ingestion.models import IngestionRun
from tests.api.conftest import assert_error
from tests.api.test_formats import read_csv
from tests.factories import (
    AccountDailyMetricFactory,
    CampaignDailyMetricFactory,
    CampaignFactory,
    PostDailyMetricFactory,
    PostFactory,
    SocialAccountFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def test_accounts_crud_never_returns_credentials(owner_a):
    creds = {"uid": "123", "access_token": "tok-secret"}
    created = owner_a.post(
        "/api/v1/accounts/", {"platform": "weibo", "external_id": "123", "name": "微博", "credentials": creds}, format="json"
    )
    assert created.status_code == 201, created.content
    account_id = created.json()["id"]
    assert "credentials" not in created.json()
    assert created.json()["has_credentials"] is True
    assert SocialAccount.objects.get(pk=account_id).credentials == creds

    detail = owner_a.get(f"/api/v1/accounts/{account_id}/")
    assert "tok-secret" not in detail.content.decode()
    patched = owner_a.patch(
        f"/api/v1/accounts/{account_id}/", {"name": "新名字", "credentials": {"access_token": "tok-2"}}, format="json"
    )
    assert patched.json()["name"] == "新名字"
    assert SocialAccount.objects.get(pk=account_id).credentials == {"uid": "123", "access_token": "tok-2"}
    moved = owner_a.patch(f"/api/v1/accounts/{account_id}/", {"platform": "douyin"}, format="json")
    assert_error(moved, 400, attr="platform")
    assert_error(owner_a.put(f"/api/v1/accounts/{account_id}/", {"name": "x"}, format="json"), 405, "method_not_allowed")
    assert owner_a.delete(f"/api/v1/accounts/{account_id}/").status_code == 204
    assert not SocialAccount.objects.filter(pk=account_id).exists()


@pytest.mark.parametrize(
    "body, attr",
    [
        ({"platform": "tiktok", "external_id": "1", "name": "x"}, "platform"),
        ({"platform": "weibo", "external_id": "1", "name": "x", "credentials": {"uid": "1"}}, None),
        ({"platform": "weibo", "name": "x"}, "external_id"),
        ({"platform": "weibo", "external_id": "1", "name": "x", "timezone": "Mars/Base"}, "timezone"),
    ],
)
def test_account_create_rejects_bad_input(owner_a, body, attr):
    assert_error(owner_a.post("/api/v1/accounts/", body, format="json"), 400, attr=attr)
    assert not SocialAccount.objects.exists()


def test_duplicate_account_is_400(owner_a, account_a):
    body = {"platform": account_a.platform, "external_id": account_a.external_id, "name": "again"}
    body = assert_error(owner_a.post("/api/v1/accounts/", body, format="json"), 400)
    assert "already exists" in body["errors"][0]["detail"]


def test_metrics_are_raw_daily_rows_with_nulls(client_a, account_a):
    AccountDailyMetricFactory(account=account_a, date=D(2026, 10, 1), views=1000, likes=50, followers=None)
    AccountDailyMetricFactory(account=account_a, date=D(2026, 10, 2), views=0, likes=None)
    AccountDailyMetricFactory(account=account_a, date=D(2026, 10, 9), views=5)
    body = client_a.get(f"/api/v1/accounts/{account_a.pk}/metrics/", {"start": "2026-10-01", "end": "2026-10-02"}).json()
    assert body["count"] == 2
    first, second = body["results"]
    assert (first["date"], first["views"], first["likes"], first["followers"]) == ("2026-10-01", 1000, 50, None)
    assert (second["views"], second["likes"]) == (0, None)
    assert_error(client_a.get(f"/api/v1/accounts/{account_a.pk}/metrics/", {"start": "2026-10-05", "end": "2026-10-01"}),
                 400, attr="end")
    assert_error(client_a.get(f"/api/v1/accounts/{account_a.pk}/metrics/", {"start": "yesterday"}), 400, attr="start")


def test_posts_order_by_engagement_rate_with_numbers_as_of_end(client_a, account_a):
    published = datetime.datetime(2026, 10, 1, 12, tzinfo=datetime.UTC)
    strong, weak, silent = (PostFactory(account=account_a, published_at=published) for _ in range(3))
    PostDailyMetricFactory(post=strong, date=D(2026, 10, 2), views=100, likes=10, comments=5, shares=None, saves=5)
    PostDailyMetricFactory(post=strong, date=D(2026, 10, 9), views=1000, likes=10)  # after `end`: ignored
    PostDailyMetricFactory(post=weak, date=D(2026, 10, 2), views=1000, likes=10)
    PostDailyMetricFactory(post=silent, date=D(2026, 10, 2), views=None)
    PostFactory(account=account_a, published_at=datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC))  # outside window

    query = {"account": account_a.pk, "start": "2026-10-01", "end": "2026-10-05", "ordering": "-engagement_rate"}
    body = client_a.get("/api/v1/posts/", query).json()
    assert [p["id"] for p in body["results"]] == [strong.pk, weak.pk, silent.pk]  # NULL rates last
    top = body["results"][0]
    assert (top["as_of"], top["views"], top["interactions"], top["engagement_rate"]) == ("2026-10-02", 100, 20, 0.2)
    assert body["results"][2]["interactions"] is None
    assert body["results"][2]["engagement_rate"] is None
    ascending = client_a.get("/api/v1/posts/", {"start": "2026-10-01", "end": "2026-10-05", "ordering": "engagement_rate"})
    assert [p["id"] for p in ascending.json()["results"]] == [weak.pk, strong.pk, silent.pk]
    assert_error(client_a.get("/api/v1/posts/", {"platform": "myspace"}), 400, attr="platform")


def test_posts_list_is_post_performance_of_the_same_window(client_a, account_a):
    """The API and the dashboards' Content page read posts through one selector: the same rows, the same numbers."""
    def published(day):
        return datetime.datetime(2026, 10, day, 20, tzinfo=datetime.UTC)  # 10-(day+1) 04:00 in Shanghai

    fresh = PostFactory(account=account_a, published_at=published(2))
    active = PostFactory(account=account_a, published_at=datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC))
    stale = PostFactory(account=account_a, published_at=datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC))
    late = PostFactory(account=account_a, published_at=published(9))  # the next Shanghai day is after `end`
    PostFactory(account=account_a, published_at=published(4))  # no snapshot yet: listed with NULL numbers
    PostDailyMetricFactory(post=fresh, date=D(2026, 10, 4), views=300, likes=30, completion_rate=0.4)
    PostDailyMetricFactory(post=fresh, date=D(2026, 10, 20), views=900, likes=90)  # after `end`: ignored
    PostDailyMetricFactory(post=active, date=D(2026, 9, 20), views=50, likes=1)
    PostDailyMetricFactory(post=active, date=D(2026, 10, 3), views=500, likes=25, shares=5)
    PostDailyMetricFactory(post=stale, date=D(2026, 9, 20), views=70)  # nothing in the window: not listed
    PostDailyMetricFactory(post=late, date=D(2026, 10, 11), views=10)

    window = {"start": D(2026, 10, 1), "end": D(2026, 10, 9)}
    for ordering in ("-engagement_rate", "views", "-published_at"):
        body = client_a.get("/api/v1/posts/", {**window, "ordering": ordering}).json()
        expected = post_performance(organization=account_a.organization, **window, ordering=ordering)
        assert [p["id"] for p in body["results"]] == expected["post"].tolist()
        for row, want in zip(body["results"], expected.to_dict("records"), strict=True):
            for name in ("views", "likes", "shares", "interactions", "engagement_rate", "completion_rate"):
                assert row[name] == (None if pd.isna(want[name]) else pytest.approx(want[name])), (row["id"], name)
            assert row["as_of"] == (want["snapshot_date"].isoformat() if want["snapshot_date"] else None)
    # published in the window only: `active` (published in August, counters grew in the window) is not
    assert stale.pk not in expected["post"].tolist()
    assert active.pk not in expected["post"].tolist()
    assert late.pk not in expected["post"].tolist()
    assert fresh.pk in expected["post"].tolist()
    activity = client_a.get("/api/v1/posts/", {**window, "view": "activity", "ordering": "-views_growth"}).json()
    # fresh grew from nothing (published in the window); active from its 09-20 snapshot; stale did not move
    assert [(p["id"], p["views_growth"], p["interactions_growth"]) for p in activity["results"]] == [
        (active.pk, 450, 29), (fresh.pk, 300, 30),
    ]
    assert activity["results"][0]["views"] == 500
    detail = client_a.get(f"/api/v1/posts/{fresh.pk}/").json()
    assert (detail["as_of"], detail["views"], detail["engagement_rate"]) == ("2026-10-20", 900, 0.1)  # no window: latest


def test_campaigns_create_list_detail(client_a):
    body = {"name": "双11大促", "platform": "xiaohongshu", "start": "2026-11-01", "end": "2026-11-11", "budget": "5000.00"}
    created = client_a.post("/api/v1/campaigns/", body, format="json")
    assert created.status_code == 201, created.content
    assert client_a.get(f"/api/v1/campaigns/{created.json()['id']}/").json()["budget"] == "5000.00"
    assert client_a.get("/api/v1/campaigns/", {"platform": "xiaohongshu"}).json()["count"] == 1
    assert client_a.get("/api/v1/campaigns/", {"platform": "douyin"}).json()["count"] == 0
    assert_error(client_a.post("/api/v1/campaigns/", body, format="json"), 400, attr="name")
    backwards = {**body, "name": "x", "end": "2026-10-01"}
    assert_error(client_a.post("/api/v1/campaigns/", backwards, format="json"), 400, attr="end")
    assert_error(client_a.delete(f"/api/v1/campaigns/{created.json()['id']}/"), 405)


def test_ingestion_runs_filter_by_account_and_status(client_a, account_a):
    other = SocialAccountFactory(organization=account_a.organization)
    IngestionRun.objects.create(account=account_a, source="api", status="failed", error="配额已用完")
    IngestionRun.objects.create(account=account_a, source="file", status="succeeded", rows_written=31)
    IngestionRun.objects.create(account=other, source="api", status="failed")
    assert client_a.get("/api/v1/ingestion-runs/").json()["count"] == 3
    failed = client_a.get("/api/v1/ingestion-runs/", {"account": account_a.pk, "status": "failed"}).json()
    assert [r["error"] for r in failed["results"]] == ["配额已用完"]
    assert_error(client_a.get("/api/v1/ingestion-runs/", {"status": "exploded"}), 400, attr="status")


def test_import_is_queued_for_a_worker(client_a, account_a):
    upload = SimpleUploadedFile("daily.csv", template_csv("daily_csv"), content_type="text/csv")
    response = client_a.post(f"/api/v1/accounts/{account_a.pk}/imports/", {"file": upload}, format="multipart")
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["status"], body["file_name"], body["rows_read"]) == ("queued", "daily.csv", 0)
    run = client_a.get(f"/api/v1/ingestion-runs/{body['run']}/").json()
    assert (run["status"], run["source"], run["rows_read"]) == ("queued", "file", 0)
    assert not AccountDailyMetric.objects.exists()


def test_import_a_template_file(client_a, account_a, imports_inline):
    upload = SimpleUploadedFile("daily.csv", template_csv("daily_csv"), content_type="text/csv")
    response = client_a.post(f"/api/v1/accounts/{account_a.pk}/imports/?wait=5", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "daily_csv"
    assert response.json()["rows"]["account_days"] == 1
    assert IngestionRun.objects.get(pk=response.json()["run"]).status == "succeeded"
    assert AccountDailyMetric.objects.get(account=account_a).views == 23000


def test_import_errors_list_row_and_column_and_write_nothing(client_a, account_a, imports_inline):
    bad = template_csv("daily_csv").decode("utf-8-sig").replace("23000", "lots").encode()
    upload = SimpleUploadedFile("daily.csv", bad, content_type="text/csv")
    response = client_a.post(f"/api/v1/accounts/{account_a.pk}/imports/?wait=5", {"file": upload}, format="multipart")
    body = assert_error(response, 400, "invalid_file", attr="file")
    assert (body["errors"][0]["row"], body["errors"][0]["column"], body["errors"][0]["value"]) == (2, "views", "lots")
    assert body["file"] == "daily.csv"
    assert IngestionRun.objects.get(pk=body["run"]).status == "failed"
    assert not AccountDailyMetric.objects.exists()


def test_import_refuses_oversized_files_and_bad_kinds(client_a, account_a, settings):
    settings.IMPORT_MAX_BYTES = 10
    upload = SimpleUploadedFile("daily.csv", template_csv("daily_csv"), content_type="text/csv")
    assert_error(client_a.post(f"/api/v1/accounts/{account_a.pk}/imports/", {"file": upload}, format="multipart"),
                 400, "file_too_large", attr="file")
    upload = SimpleUploadedFile("daily.csv", b"x", content_type="text/csv")
    assert_error(client_a.post(f"/api/v1/accounts/{account_a.pk}/imports/", {"file": upload, "kind": "pdf"},
                               format="multipart"), 400, attr="kind")
    assert_error(client_a.post(f"/api/v1/accounts/{account_a.pk}/imports/", {}, format="multipart"), 400, attr="file")


def test_import_templates(client_a):
    response = client_a.get("/api/v1/import-templates/campaign_csv/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content == template_csv("campaign_csv")
    assert_error(client_a.get("/api/v1/import-templates/nope/"), 404)


@pytest.fixture
def kpi_data(account_a):
    """KPIS.md's worked example: two Douyin days, and one campaign's spend."""
    AccountDailyMetricFactory(account=account_a, date=D(2026, 10, 1), views=1000, likes=50, comments=10, shares=5, saves=5)
    AccountDailyMetricFactory(account=account_a, date=D(2026, 10, 2), views=3000, likes=90, comments=30, shares=15, saves=15)
    campaign = CampaignFactory(organization=account_a.organization)
    CampaignDailyMetricFactory(
        campaign=campaign, account=account_a, date=D(2026, 10, 2), spend=Decimal("1000.00"), impressions=50000,
        clicks=1250, conversions=40, revenue=Decimal("4600.00"),
    )
    return campaign


def test_kpis_match_the_worked_example(client_a, kpi_data):
    body = client_a.get("/api/v1/kpis/", {"start": "2026-10-01", "end": "2026-10-02"}).json()
    assert (body["start"], body["end"], body["granularity"]) == ("2026-10-01", "2026-10-02", "total")
    (row,) = body["results"]
    kpis = row["kpis"]
    assert row["period"] == "2026-10-01"
    assert (kpis["views"], kpis["interactions"], kpis["engagement_rate"]) == (4000, 220, 0.055)
    assert kpis["cpm"] == pytest.approx(20.0)
    assert kpis["ctr"] == pytest.approx(0.025)
    assert kpis["cpc"] == pytest.approx(0.8)
    assert kpis["cvr"] == pytest.approx(0.032)
    assert kpis["cpa"] == pytest.approx(25.0)
    assert kpis["roas"] == pytest.approx(4.6)
    assert kpis["roi"] == pytest.approx(3.6)
    assert kpis["followers"] is None  # never reported: null, not 0
    assert row["coverage"]["engagement_rate"] == 1.0
    assert row["coverage"]["roas"] == 1.0
    assert row["coverage"]["read_rate"] == 0.0  # views on both days, followers on none
    assert row["coverage"]["completion_rate"] is None  # no post reports either side


def test_kpis_pair_rows_and_report_coverage(client_a, account_a):
    """KPIS.md's second worked example through the API: Weibo views on 3 of 30 days, a campaign without revenue."""
    for n in range(30):
        AccountDailyMetricFactory(account=account_a, date=D(2026, 10, 1) + datetime.timedelta(days=n), likes=100,
                                  views=[300, 300, 400][n] if n < 3 else None)
    tracked, untracked = CampaignFactory(organization=account_a.organization), CampaignFactory(
        organization=account_a.organization)
    for n in range(2):
        day = D(2026, 10, 1) + datetime.timedelta(days=n)
        CampaignDailyMetricFactory(campaign=tracked, date=day, account=None, spend=Decimal(300), revenue=Decimal(900))
        CampaignDailyMetricFactory(campaign=untracked, date=day, account=None, spend=Decimal(200))
    query = {"start": "2026-10-01", "end": "2026-10-30", "compare": "previous"}
    (row,) = client_a.get("/api/v1/kpis/", query).json()["results"]
    assert (row["kpis"]["engagement_rate"], row["coverage"]["engagement_rate"]) == (0.3, 0.1)
    assert row["kpis"]["interactions_per_mille"] == pytest.approx(300.0)
    assert (row["kpis"]["roas"], row["kpis"]["roi"], row["coverage"]["roas"]) == (3.0, 2.0, 0.5)
    assert row["previous_coverage"]["engagement_rate"] is None
    (flat,) = read_csv(client_a.get("/api/v1/kpis/", {**query, "format": "csv"}))
    assert (flat["engagement_rate"], flat["coverage.engagement_rate"], flat["coverage.roas"]) == ("0.3", "0.1", "0.5")
    assert flat["previous_coverage.engagement_rate"] == ""


def test_kpis_by_day_grouped_and_compared(client_a, kpi_data, account_a):
    daily = client_a.get("/api/v1/kpis/", {"start": "2026-10-01", "end": "2026-10-02", "granularity": "day",
                                           "group_by": "platform"}).json()
    assert [(r["period"], r["platform"], r["kpis"]["engagement_rate"]) for r in daily["results"]] == [
        ("2026-10-01", "douyin", 0.07), ("2026-10-02", "douyin", 0.05),
    ]
    compared = client_a.get("/api/v1/kpis/", {"start": "2026-10-02", "end": "2026-10-02", "compare": "previous",
                                              "account": account_a.pk}).json()
    (row,) = compared["results"]
    assert (row["kpis"]["views"], row["previous"]["views"], row["change"]["views"]) == (3000, 1000, 2.0)


@pytest.mark.parametrize(
    "params, attr",
    [
        ({"start": "2026-10-01"}, "end"),
        ({"start": "2026-02-30", "end": "2026-03-01"}, "start"),
        ({"start": "2026-10-05", "end": "2026-10-01"}, "end"),
        ({"start": "2020-01-01", "end": "2026-01-01"}, "end"),
        ({"start": "2026-10-01", "end": "2026-10-02", "platform": "tiktok"}, "platform"),
        ({"start": "2026-10-01", "end": "2026-10-02", "granularity": "hour"}, "granularity"),
        ({"start": "2026-10-01", "end": "2026-10-02", "group_by": "weather"}, "group_by"),
        ({"start": "2026-10-01", "end": "2026-10-02", "compare": "last_year"}, "compare"),
        ({"start": "2026-10-01", "end": "2026-10-02", "account": "abc"}, "account"),
    ],
)
def test_kpis_bad_parameters_are_400(client_a, params, attr):
    assert_error(client_a.get("/api/v1/kpis/", params), 400, attr=attr)


@pytest.fixture
def two_weeks(account_a):
    """The worked example spread over two ISO weeks and two months; the paid day in the second."""
    AccountDailyMetricFactory(account=account_a, date=D(2026, 9, 30), views=1000, likes=50, comments=10, shares=5, saves=5)
    AccountDailyMetricFactory(account=account_a, date=D(2026, 10, 5), views=3000, likes=90, comments=30, shares=15, saves=15)
    campaign = CampaignFactory(organization=account_a.organization)
    CampaignDailyMetricFactory(
        campaign=campaign, account=account_a, date=D(2026, 10, 5), spend=Decimal("1000.00"), impressions=50000,
        clicks=1250, conversions=40, revenue=Decimal("4600.00"),
    )
    return campaign


@pytest.mark.parametrize(
    "granularity, expected",
    [
        ("day", [("2026-09-30", 1000, 0.07, None), ("2026-10-05", 3000, 0.05, 25.0)]),
        ("week", [("2026-09-30", 1000, 0.07, None), ("2026-10-05", 3000, 0.05, 25.0)]),
        ("month", [("2026-09-30", 1000, 0.07, None), ("2026-10-01", 3000, 0.05, 25.0)]),
        ("total", [("2026-09-30", 4000, 0.055, 25.0)]),
    ],
)
def test_kpis_per_granularity(client_a, two_weeks, granularity, expected):
    body = client_a.get("/api/v1/kpis/", {"start": "2026-09-30", "end": "2026-10-05", "granularity": granularity}).json()
    rows = [(r["period"], r["kpis"]["views"], r["kpis"]["engagement_rate"], r["kpis"]["cpa"]) for r in body["results"]]
    if granularity == "day":  # every day of the window has a row; days without data are all null
        assert len(rows) == 6
        assert all(row[1:] == (None, None, None) for row in rows[1:-1])
        rows = [rows[0], rows[-1]]
    assert rows == expected


def test_kpis_grouped_by_campaign_and_account(client_a, two_weeks, account_a):
    window = {"start": "2026-09-30", "end": "2026-10-05"}
    (by_campaign,) = client_a.get("/api/v1/kpis/", {**window, "group_by": "campaign"}).json()["results"]
    assert by_campaign["campaign"] == two_weeks.pk
    assert (by_campaign["kpis"]["spend"], by_campaign["kpis"]["roas"], by_campaign["kpis"]["roi"]) == (1000.0, 4.6, 3.6)
    (by_account,) = client_a.get("/api/v1/kpis/", {**window, "group_by": "account"}).json()["results"]
    assert by_account["account"] == account_a.pk
    assert (by_account["kpis"]["interactions"], by_account["kpis"]["ctr"]) == (220, 0.025)
    filtered = client_a.get("/api/v1/kpis/", {**window, "campaign": two_weeks.pk}).json()["results"]
    assert [r["kpis"]["cpm"] for r in filtered] == [20.0]
