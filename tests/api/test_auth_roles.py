import pytest
from rest_framework.test import APIClient

from accounts.models import OrganizationAPIKey, Role
from accounts.services import api_key_create
from ingestion.models import IngestionRun
from tests.api.conftest import MODEL_BACKEND, assert_error, session_client
from tests.factories import MembershipFactory, OrganizationFactory, SocialAccountFactory, UserFactory

pytestmark = pytest.mark.django_db

SYNC_BODY = {"start": "2026-10-01", "end": "2026-10-03"}
NEW_ACCOUNT = {"platform": "weibo", "external_id": "u-1", "name": "微博号"}


def test_no_credentials_is_401_with_error_body_and_challenge(org_a):
    response = APIClient().get("/api/v1/accounts/")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Api-Key"


def test_unknown_and_revoked_keys_are_401(org_a):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Api-Key nope.nope")
    assert_error(client.get("/api/v1/accounts/"), 401, "authentication_failed")

    api_key, key = api_key_create(organization=org_a, name="old")
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert client.get("/api/v1/accounts/").status_code == 200
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None
    api_key.revoked = True
    api_key.save()
    assert_error(client.get("/api/v1/accounts/"), 401, "authentication_failed")


def test_viewer_reads_but_cannot_write(viewer_a, account_a):
    assert viewer_a.get("/api/v1/accounts/").json()["count"] == 1
    assert_error(viewer_a.post(f"/api/v1/accounts/{account_a.pk}/sync/", SYNC_BODY, format="json"), 403, "permission_denied")
    assert_error(viewer_a.post("/api/v1/campaigns/", {"name": "x", "platform": "douyin"}, format="json"), 403)
    assert_error(viewer_a.post("/api/v1/accounts/", NEW_ACCOUNT, format="json"), 403)
    assert_error(viewer_a.delete(f"/api/v1/accounts/{account_a.pk}/"), 403)


def test_analyst_syncs_and_imports_but_does_not_manage_accounts(analyst_a, account_a):
    assert analyst_a.post(f"/api/v1/accounts/{account_a.pk}/sync/", SYNC_BODY, format="json").status_code == 202
    assert analyst_a.post("/api/v1/campaigns/", {"name": "双11", "platform": "douyin"}, format="json").status_code == 201
    assert_error(analyst_a.post("/api/v1/accounts/", NEW_ACCOUNT, format="json"), 403)
    assert_error(analyst_a.patch(f"/api/v1/accounts/{account_a.pk}/", {"name": "x"}, format="json"), 403)
    assert_error(analyst_a.get("/api/v1/api-keys/"), 403)


def test_api_key_has_analyst_rights(client_a, account_a):
    assert client_a.post(f"/api/v1/accounts/{account_a.pk}/sync/", SYNC_BODY, format="json").status_code == 202
    body = assert_error(client_a.post("/api/v1/accounts/", NEW_ACCOUNT, format="json"), 403)
    assert "owner" in body["errors"][0]["detail"]
    assert_error(client_a.post("/api/v1/api-keys/", {"name": "more"}, format="json"), 403)


def test_owner_manages_accounts_and_keys(owner_a, org_a):
    assert owner_a.post("/api/v1/accounts/", NEW_ACCOUNT, format="json").status_code == 201
    created = owner_a.post("/api/v1/api-keys/", {"name": "代理商"}, format="json")
    assert created.status_code == 201
    key, prefix = created.json()["key"], created.json()["prefix"]
    assert OrganizationAPIKey.objects.get(prefix=prefix).organization == org_a
    listed = owner_a.get("/api/v1/api-keys/").json()["results"]
    assert [k["name"] for k in listed] == ["代理商"]
    assert "key" not in listed[0]

    agency = APIClient()
    agency.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert agency.get("/api/v1/accounts/").json()["results"][0]["platform"] == "weibo"
    assert owner_a.delete(f"/api/v1/api-keys/{prefix}/").status_code == 204
    assert OrganizationAPIKey.objects.get(prefix=prefix).revoked
    assert_error(agency.get("/api/v1/accounts/"), 401)


def test_session_user_picks_organization_by_query_or_header(org_a, account_a):
    org_c = OrganizationFactory(slug="brand-c")
    client = session_client(org_a, Role.VIEWER)
    MembershipFactory(user=client.user, organization=org_c, role=Role.OWNER)

    assert client.get("/api/v1/accounts/").json()["count"] == 1  # the first membership: org_a
    assert client.get("/api/v1/accounts/?org=brand-c").json()["count"] == 0
    assert client.get("/api/v1/accounts/", HTTP_X_ORGANIZATION="brand-c").json()["count"] == 0
    # The role follows the chosen organization: owner in brand-c, viewer in brand-a.
    assert client.post("/api/v1/accounts/?org=brand-c", NEW_ACCOUNT, format="json").status_code == 201
    assert_error(client.post("/api/v1/accounts/?org=brand-a", NEW_ACCOUNT, format="json"), 403)


def test_session_user_cannot_pick_an_organization_they_do_not_belong_to(org_a, org_b):
    client = session_client(org_a, Role.OWNER)
    body = assert_error(client.get("/api/v1/accounts/?org=brand-b"), 403)
    assert "brand-b" in body["errors"][0]["detail"]
    loner, user = APIClient(), UserFactory()
    user.save()
    loner.force_login(user, backend=MODEL_BACKEND)
    assert_error(loner.get("/api/v1/accounts/"), 403)


def test_sync_returns_202_with_the_queued_run(client_a, account_a):
    response = client_a.post(f"/api/v1/accounts/{account_a.pk}/sync/", SYNC_BODY, format="json")
    assert response.status_code == 202
    run = IngestionRun.objects.get(pk=response.json()["run"])
    assert (run.account, str(run.window_start), str(run.window_end), run.status) == (
        account_a, "2026-10-01", "2026-10-03", "queued",
    )
    assert response.json()["status"] == "queued"
    assert client_a.get(f"/api/v1/ingestion-runs/{run.pk}/").json()["window_end"] == "2026-10-03"


def test_sync_of_a_file_only_account_is_400(client_a, org_a):
    file_only = SocialAccountFactory(organization=org_a)
    body = assert_error(client_a.post(f"/api/v1/accounts/{file_only.pk}/sync/", SYNC_BODY, format="json"), 400)
    assert "credentials" in body["errors"][0]["detail"]


@pytest.mark.parametrize(
    "body, attr",
    [
        ({"start": "2026-10-05", "end": "2026-10-01"}, "end"),
        ({"start": "2026-13-01", "end": "2026-10-01"}, "start"),
        ({"start": "2020-01-01", "end": "2026-01-01"}, "end"),
        ({"end": "2026-10-01"}, "start"),
    ],
)
def test_sync_rejects_bad_windows(client_a, account_a, body, attr):
    assert_error(client_a.post(f"/api/v1/accounts/{account_a.pk}/sync/", body, format="json"), 400, attr=attr)
    assert not IngestionRun.objects.exists()
