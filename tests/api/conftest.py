import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.services import api_key_create
from tests.factories import MembershipFactory, OrganizationFactory, SocialAccountFactory

# axes' backend comes first in settings and cannot load a session's user.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture(autouse=True)
def no_throttle(settings):
    # Throttling has its own test; elsewhere it would make results depend on test order.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": None}}


def key_client(organization) -> APIClient:
    _, key = api_key_create(organization=organization, name="agency")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def session_client(organization, role) -> APIClient:
    membership = MembershipFactory(organization=organization, role=role)
    membership.user.save()  # the factory sets the password without saving; the session hash needs it stored
    client = APIClient()
    client.force_login(membership.user, backend=MODEL_BACKEND)
    client.user = membership.user
    return client


@pytest.fixture
def org_a(db):
    return OrganizationFactory(slug="brand-a")


@pytest.fixture
def org_b(db):
    return OrganizationFactory(slug="brand-b")


DOUYIN_CREDENTIALS = {
    "client_key": "ck", "client_secret": "cs", "open_id": "oid", "access_token": "at", "refresh_token": "rt",
}


@pytest.fixture
def account_a(org_a):
    return SocialAccountFactory(organization=org_a, name="抖音主号", credentials=DOUYIN_CREDENTIALS)


@pytest.fixture
def account_b(org_b):
    return SocialAccountFactory(organization=org_b, name="别人的号")


@pytest.fixture
def client_a(org_a):
    return key_client(org_a)


@pytest.fixture
def owner_a(org_a):
    return session_client(org_a, Role.OWNER)


@pytest.fixture
def analyst_a(org_a):
    return session_client(org_a, Role.ANALYST)


@pytest.fixture
def viewer_a(org_a):
    return session_client(org_a, Role.VIEWER)


def assert_error(response, status, code=None, attr=...):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["type"] in ("validation_error", "client_error")
    assert body["errors"], body
    for error in body["errors"]:
        assert set(error) >= {"code", "detail", "attr"}
    if code is not None:
        assert code in [e["code"] for e in body["errors"]], body
    if attr is not ...:
        assert attr in [e["attr"] for e in body["errors"]], body
    return body
