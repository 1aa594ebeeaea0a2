"""The three daily fact tables become partitioned by month of `date` (analytics.partitions).

An existing database is converted in place: each table is rebuilt as a partitioned table with
monthly partitions for the history it holds through MONTHS_AHEAD months from now, its rows are
moved, and its keys (with `date` in every unique key), foreign keys, indexes and triggers are
recreated from its own catalog entries. The daily task `analytics.tasks.partitions_ensure`
creates the months after that.
"""

from django.db import migrations
from django.utils import timezone

from analytics.partitions import FACT_TABLES, table_rebuild

TASK_NAME = "每日分区 partitions_ensure"


def partition(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for table in FACT_TABLES:
            table_rebuild(cursor, table, partitioned=True, today=timezone.localdate())


def unpartition(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for table in FACT_TABLES:
            table_rebuild(cursor, table, partitioned=False, today=timezone.localdate())


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="10", hour="1", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={"task": "analytics.tasks.partitions_ensure", "crontab": crontab, "enabled": True,
                  "description": "01:10 Asia/Shanghai: create the fact tables' partitions for the coming months"},
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0006_daily_row_provenance"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(partition, unpartition),
        migrations.RunPython(create_schedule, delete_schedule),
    ]
