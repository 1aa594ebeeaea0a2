"""The product's WSGI app as the background-import tests serve it with gunicorn: unchanged, except
that the tasks it queues go to the test worker's own queue (see tests/ingestion/celery_worker_app.py)."""

import os

from socialmetrics.celery import app
from socialmetrics.wsgi import application

app.conf.task_default_queue = os.environ["SYNC_TEST_QUEUE"]

__all__ = ["application"]
