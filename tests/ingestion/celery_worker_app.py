"""The project's Celery app as the real-worker tests run it: `celery -A tests.ingestion.celery_worker_app worker`.

The tasks are the production ones, unchanged. This module only makes the fake platform's
connector known inside the worker and keeps the test's messages on their own queues (the
default one here, the sync queues by SYNC_QUEUE_PREFIX), so test runs sharing one Redis never
take each other's tasks. SYNC_TEST_TRANSPORT (JSON) adds broker transport options, e.g. a
visibility timeout of seconds, so a dead worker's task comes back within a test.
"""

import json
import os

import django

from socialmetrics.celery import app

django.setup()

import tests.ingestion.http_platform  # noqa: E402, F401  (registers the fake platform's connector)

app.conf.task_default_queue = os.environ["SYNC_TEST_QUEUE"]
app.conf.broker_transport_options = {
    **app.conf.broker_transport_options, **json.loads(os.environ.get("SYNC_TEST_TRANSPORT", "{}"))
}
