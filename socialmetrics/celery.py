import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialmetrics.settings.base")

app = Celery("socialmetrics")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.celeryd_init.connect
def _consume_every_sync_queue(**kwargs):
    """A worker started without `-Q` takes the default queue and every platform's sync queue
    (`-Q` still narrows it: it is applied after this)."""
    from ingestion.tasks import sync_queues

    for queue in sync_queues():
        app.amqp.queues.select_add(queue)
