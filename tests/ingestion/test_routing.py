"""Nightly syncs go to one queue per platform; a worker that dies has its task redelivered (the
settings that make it so; tests/ingestion/test_two_workers.py shows it with real workers)."""

import pytest
from django.conf import settings

from accounts.models import Platform
from ingestion.tasks import sync_account, sync_queue, sync_queues, sync_route
from socialmetrics.celery import app
from tests.factories import SocialAccountFactory


@pytest.mark.django_db
def test_an_accounts_sync_is_routed_to_its_platforms_queue():
    account = SocialAccountFactory(platform=Platform.WEIBO)
    assert app.amqp.router.route({}, sync_account.name, args=(account.pk, "2026-10-01", "2026-10-03"))["queue"].name == (
        f"{settings.SYNC_QUEUE_PREFIX}weibo"
    )
    # A queue the sender names wins; other tasks keep the default queue.
    assert app.amqp.router.route({"queue": "elsewhere"}, sync_account.name, args=(account.pk,))["queue"].name == "elsewhere"
    assert sync_route("ingestion.tasks.sync_all", (), {}, {}) is None


def test_every_platform_has_a_sync_queue_a_default_worker_consumes():
    assert {sync_queue(p) for p in Platform.values} <= set(sync_queues())


def test_a_dead_workers_task_comes_back_and_only_then():
    conf = app.conf
    assert conf.task_acks_late
    assert conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    limits = [conf.task_time_limit] + [getattr(task, "time_limit", None) or 0 for task in app.tasks.values()]
    # Redelivered only once every task's hard limit has passed: no live task runs twice.
    assert conf.broker_transport_options["visibility_timeout"] > max(limits) > 0
