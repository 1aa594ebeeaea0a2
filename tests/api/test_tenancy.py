"""A key of organization A sees nothing of organization B: every endpoint, every method."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import OrganizationAPIKey, SocialAccount
from accounts.services import api_key_create
from analytics.models import Campaign
from ingestion.importers import template_csv
from ingestion.models import IngestionRun
from tests.api.conftest import assert_error
from tests.factories import (
    AccountDailyMetricFactory,
    CampaignFactory,
    PostDailyMetricFactory,
    PostFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def b_objects(org_b, account_b):
    post = PostFactory(account=account_b)
    PostDailyMetricFactory(post=post, date=datetime.date(2026, 10, 1), views=100, likes=5)
    AccountDailyMetricFactory(account=account_b, date=datetime.date(2026, 10, 1), views=100)
    run = IngestionRun.objects.create(account=account_b, source="api")
    campaign = CampaignFactory(organization=org_b)
    api_key, _ = api_key_create(organization=org_b, name="b's agency")
    return {"account": account_b, "post": post, "run": run, "campaign": campaign, "api_key": api_key}


def detail_requests(b):
    a, upload = b["account"].pk, SimpleUploadedFile("d.csv", template_csv("daily_csv"), content_type="text/csv")
    return [
        ("get", f"/api/v1/accounts/{a}/", None),
        ("patch", f"/api/v1/accounts/{a}/", {"name": "hijacked"}),
        ("delete", f"/api/v1/accounts/{a}/", None),
        ("post", f"/api/v1/accounts/{a}/sync/", {"start": "2026-10-01", "end": "2026-10-02"}),
        ("post", f"/api/v1/accounts/{a}/imports/", {"file": upload}),
        ("get", f"/api/v1/accounts/{a}/metrics/", None),
        ("get", f"/api/v1/posts/{b['post'].pk}/", None),
        ("get", f"/api/v1/campaigns/{b['campaign'].pk}/", None),
        ("get", f"/api/v1/ingestion-runs/{b['run'].pk}/", None),
        ("delete", f"/api/v1/api-keys/{b['api_key'].prefix}/", None),
        ("get", f"/api/v1/kpis/?start=2026-10-01&end=2026-10-31&account={a}", None),
        ("get", f"/api/v1/kpis/?start=2026-10-01&end=2026-10-31&campaign={b['campaign'].pk}", None),
    ]


@pytest.mark.parametrize("who", ["client_a", "owner_a"])
def test_every_detail_of_another_organization_is_404(request, who, b_objects, account_a):
    client = request.getfixturevalue(who)
    for method, url, body in detail_requests(b_objects):
        kwargs = {"format": "multipart"} if body and "file" in body else {"format": "json"}
        response = getattr(client, method)(url, body, **kwargs) if body else getattr(client, method)(url)
        if who == "client_a" and method in ("patch", "delete"):
            assert_error(response, 403)  # a key is an analyst: it cannot manage accounts or keys anywhere
            continue
        assert_error(response, 404, "not_found")
    # Nothing of B changed.
    assert SocialAccount.objects.get(pk=b_objects["account"].pk).name == "别人的号"
    assert not OrganizationAPIKey.objects.get(pk=b_objects["api_key"].pk).revoked
    assert IngestionRun.objects.filter(account=b_objects["account"]).count() == 1


@pytest.mark.parametrize(
    "url",
    ["/api/v1/accounts/", "/api/v1/posts/", "/api/v1/campaigns/", "/api/v1/ingestion-runs/", "/api/v1/api-keys/"],
)
def test_lists_show_only_the_own_organization(owner_a, b_objects, account_a, url):
    own_post = PostFactory(account=account_a)
    IngestionRun.objects.create(account=account_a, source="file")
    CampaignFactory(organization=account_a.organization)
    api_key_create(organization=account_a.organization, name="own")
    body = owner_a.get(url).json()
    assert body["count"] == 1, body
    results = body["results"]
    if url == "/api/v1/posts/":
        assert results[0]["id"] == own_post.pk
    # Filtering by B's ids finds nothing rather than B's rows.
    for name in ("account", "campaign"):
        filtered = owner_a.get(url, {name: b_objects[name].pk})
        if filtered.status_code == 200:
            assert all(row.get(name) != b_objects[name].pk for row in filtered.json()["results"])


def test_kpis_never_include_another_organizations_data(client_a, b_objects, account_a):
    AccountDailyMetricFactory(account=account_a, date=datetime.date(2026, 10, 1), views=7)
    body = client_a.get("/api/v1/kpis/", {"start": "2026-10-01", "end": "2026-10-31"}).json()
    assert [row["kpis"]["views"] for row in body["results"]] == [7]
    grouped = client_a.get("/api/v1/kpis/", {"start": "2026-10-01", "end": "2026-10-31", "group_by": "account"}).json()
    assert {row["account"] for row in grouped["results"]} == {account_a.pk}


def test_creating_a_campaign_lands_in_the_own_organization(client_a, org_a, b_objects):
    name = b_objects["campaign"].name  # the same name in B does not clash
    response = client_a.post("/api/v1/campaigns/", {"name": name, "platform": "douyin"}, format="json")
    assert response.status_code == 201, response.content
    assert Campaign.objects.get(pk=response.json()["id"]).organization == org_a
