import pytest

from socialmetrics import embedded


def pytest_unconfigure(config):
    # Stop the embedded servers if this test run started them (a `make run` keeps its own).
    embedded.stop_started()


@pytest.fixture
def org(db):
    from tests.factories import OrganizationFactory

    return OrganizationFactory()
