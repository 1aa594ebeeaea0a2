"""The project's Celery app as the real-worker tests run it: `celery -A tests.ingestion.celery_worker_app worker`.

The tasks are the production ones, unchanged. This module only makes the fake platform's
connector known inside the worker and keeps the test's messages on their own queue, so test
runs sharing one Redis never take each other's tasks.
"""

import os

import django

from socialmetrics.celery import app

django.setup()

import tests.ingestion.http_platform  # noqa: E402, F401  (registers the fake platform's connector)

app.conf.task_default_queue = os.environ["SYNC_TEST_QUEUE"]
