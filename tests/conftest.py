import pytest

from socialmetrics import embedded


def pytest_unconfigure(config):
    # Stop the embedded servers if this test run started them (a `make run` keeps its own).
    embedded.stop_started()


@pytest.fixture
def org(db):
    from tests.factories import OrganizationFactory

    return OrganizationFactory()


@pytest.fixture
def imports_inline(monkeypatch, settings):
    """Queued imports run at once, in this process and the test's transaction: the real task, without
    the broker (the worker path has its own tests in tests/ingestion/importers/test_background.py)."""
    from django.db import transaction

    from socialmetrics.celery import app

    monkeypatch.setattr(transaction, "on_commit", lambda callback, using=None, robust=False: callback())
    settings.IMPORT_FORM_WAIT_SECONDS = 1
    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    yield
    app.conf.task_always_eager = eager
