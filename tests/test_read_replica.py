"""A streaming replica (pg_basebackup, both servers from the embedded wheel) serves the dashboard
and API reads of the analytics tables; writes, reads inside a transaction or after a write, and
everything outside a GET request stay on the primary."""

import contextlib
import datetime as dt

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from analytics.models import AccountDailyMetric
from socialmetrics.db_routers import REPLICA, replica_reads
from tests.api.conftest import key_client
from tests.factories import AccountDailyMetricFactory, OrganizationFactory, SocialAccountFactory
from tests.postgres_clusters import primary_and_replica, query, replica_catch_up

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DAY = dt.date(2026, 10, 1)


@pytest.fixture
def replicated(transactional_db):
    """The test's `default` database moved onto a new primary with a streaming replica registered
    as DATABASES["replica"]; yields (primary port, replica port) and puts everything back after."""
    original = dict(connection.settings_dict)
    connection.close()
    with primary_and_replica(copy_database=original) as (primary_port, replica_port):
        connection.settings_dict["PORT"] = primary_port
        try:
            replica = {**original, "PORT": replica_port, "TEST": {"MIRROR": DEFAULT_DB_ALIAS}}
            # Connected before it is configured: the test case allows only the aliases it started with.
            wrapper = connections[DEFAULT_DB_ALIAS].__class__(replica, alias=REPLICA)
            wrapper.ensure_connection()
            connections[REPLICA] = wrapper
            connections.settings[REPLICA] = replica
            yield primary_port, replica_port
        finally:
            for alias in (REPLICA, DEFAULT_DB_ALIAS):
                with contextlib.suppress(KeyError, AttributeError):
                    connections[alias].close()
            with contextlib.suppress(AttributeError):
                del connections[REPLICA]
            connections.settings.pop(REPLICA, None)
            connection.settings_dict["PORT"] = original["PORT"]


@contextlib.contextmanager
def replay_paused(replica_port):
    query(replica_port, "SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        query(replica_port, "SELECT pg_wal_replay_resume()")


def _api_views(client, account):
    kpis = client.get("/api/v1/kpis/", {"start": DAY.isoformat(), "end": DAY.isoformat()}).json()
    metrics = client.get(f"/api/v1/accounts/{account.pk}/metrics/", {"start": DAY.isoformat(), "end": DAY.isoformat()})
    return kpis["results"][0]["kpis"]["views"], metrics.json()["results"][0]["views"]


def test_dashboard_and_api_reads_go_to_the_replica_and_writes_to_the_primary(replicated):
    primary_port, replica_port = replicated
    assert query(replica_port, "SELECT pg_is_in_recovery()") is True
    account = SocialAccountFactory(organization=OrganizationFactory())
    AccountDailyMetricFactory(account=account, date=DAY, views=100)
    client = key_client(account.organization)
    replica_catch_up(primary_port, replica_port)

    with replay_paused(replica_port):  # the replica now lags: it still says 100 views
        AccountDailyMetric.objects.filter(account=account).update(views=999)
        assert _api_views(client, account) == (100, 100)  # the API read the replica
        assert AccountDailyMetric.objects.get(account=account).views == 999  # outside a request: the primary
        with replica_reads():
            assert AccountDailyMetric.objects.using(REPLICA).get(account=account).views == 100
            assert AccountDailyMetric.objects.get(account=account).views == 100
            with transaction.atomic():  # a read inside a transaction: the primary
                assert AccountDailyMetric.objects.get(account=account).views == 999
            AccountDailyMetric.objects.filter(account=account).update(likes=7)  # a write: the primary
            assert AccountDailyMetric.objects.get(account=account).views == 999  # then it reads its own writes
        # A write request (POST) never reads from the replica either.
        response = client.post(f"/api/v1/accounts/{account.pk}/metrics/", {})
        assert response.status_code in (403, 405)

    replica_catch_up(primary_port, replica_port)
    assert _api_views(client, account) == (999, 999)
    assert (
        query(
            replica_port,
            "SELECT count(*) FROM analytics_accountdailymetric WHERE likes = 7",
            dbname=connection.settings_dict["NAME"],
        )
        == 1
    )
