import pytest

from tests.dashboards.demo import demo_workspace


@pytest.fixture
def demo(db):
    return demo_workspace()


@pytest.fixture
def logged_in(client, demo):
    user, _organization, _accounts = demo
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client
