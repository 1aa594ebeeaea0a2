"""Monthly partitions of the fact tables: the schema, the migration of an existing database, the
task creating months ahead, and partition pruning by the write path and every KPI query."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from analytics import selectors
from analytics.models import AccountDailyMetric, CampaignDailyMetric, PostDailyMetric
from analytics.partitions import FACT_TABLES, MONTHS_AHEAD, months, partitioned_months, partitions_ensure
from ingestion.records import AccountDay, Batch, CampaignDay, PostDay, PostInfo
from ingestion.services import metrics_write
from tests.factories import SocialAccountFactory

BEFORE_PARTITIONS = ("analytics", "0004_fact_tables_write_path")


def _rows(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _unique_keys(table):
    return [
        definition
        for (definition,) in _rows(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u')",
            [table],
        )
    ]


def _batch(days, post_days=None):
    post = PostInfo(external_id="p1", kind="video", title="标题")
    return Batch(
        account_days=[AccountDay(date=day, followers=1000 + n, views=10 * n) for n, day in enumerate(days)],
        posts=[post],
        post_days=[
            PostDay(post=post, date=day, views=5 * n, completion_rate=0.5)
            for n, day in enumerate(days if post_days is None else post_days)
        ],
        campaign_days=[
            CampaignDay(campaign="双11", date=day, spend=Decimal("1.50"), clicks=n) for n, day in enumerate(days)
        ],
    )


def _days(first, last):
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


@pytest.mark.django_db
def test_fact_tables_are_partitioned_by_month_with_the_date_in_every_unique_key():
    for table in FACT_TABLES:
        [(kind, key)] = _rows("SELECT c.relkind, pg_get_partkeydef(c.oid) FROM pg_class c WHERE c.relname = %s", [table])
        assert (kind, key) == ("p", "RANGE (date)")
        keys = _unique_keys(table)
        assert len(keys) == 2 and all(re.search(r"\bdate\)", key) for key in keys), keys


@pytest.mark.django_db(transaction=True)
def test_the_migration_converts_an_existing_database():
    account = SocialAccountFactory()
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_PARTITIONS])
    try:
        assert _rows("SELECT relkind FROM pg_class WHERE relname = 'analytics_accountdailymetric'") == [("r",)]
        with connection.cursor() as cursor:  # rows of an existing database, history back to 2024
            cursor.execute(
                "INSERT INTO analytics_accountdailymetric (account_id, date, followers) "
                "SELECT %s, d::date, 7 FROM generate_series('2024-05-30'::date, '2024-07-02', '1 day') d",
                [account.pk],
            )
        ids_before = _rows("SELECT id, date FROM analytics_accountdailymetric ORDER BY id")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert _rows("SELECT id, date FROM analytics_accountdailymetric ORDER BY id") == ids_before
    assert {dt.date(2024, 5, 1), dt.date(2024, 6, 1), dt.date(2024, 7, 1)} <= partitioned_months(
        connection.cursor(), "analytics_accountdailymetric"
    )
    assert _rows("SELECT count(*) FROM analytics_accountdailymetric_p202406") == [(30,)]
    # New rows carry on the old numbering, the keys hold, and the write path works.
    metrics_write(account=account, batch=_batch([dt.date(2024, 7, 2), dt.date(2024, 7, 3)]))
    assert AccountDailyMetric.objects.filter(account=account).count() == 35
    assert AccountDailyMetric.objects.order_by("-id").first().id > ids_before[-1][0]
    assert AccountDailyMetric.objects.get(account=account, date=dt.date(2024, 7, 2)).views == 0
    assert PostDailyMetric.objects.count() == CampaignDailyMetric.objects.count() == 2
    triggers = _rows(
        "SELECT tgname FROM pg_trigger WHERE tgrelid = 'analytics_postdailymetric'::regclass AND NOT tgisinternal"
    )
    assert sorted(name for (name,) in triggers) == ["post_snapshot_range_insert", "post_snapshot_range_update"]


@pytest.mark.django_db
def test_partitions_are_created_ahead_and_stray_rows_get_their_month():
    account = SocialAccountFactory()
    today = dt.date(2031, 11, 20)
    metrics_write(account=account, batch=_batch([dt.date(2019, 3, 30), dt.date(2019, 4, 1)]))  # no month yet
    assert _rows("SELECT count(*) FROM analytics_accountdailymetric_default") == [(2,)]

    created = partitions_ensure(today=today)

    with connection.cursor() as cursor:
        for table in FACT_TABLES:
            found = partitioned_months(cursor, table)
            assert set(months(today, dt.date(2032, 2, 1))) <= found  # this month and MONTHS_AHEAD more
            assert {dt.date(2019, 3, 1), dt.date(2019, 4, 1)} <= found
            assert _rows(f"SELECT count(*) FROM {table}_default") == [(0,)]
            assert created[table] >= MONTHS_AHEAD + 1 + 2
    assert _rows("SELECT date FROM analytics_accountdailymetric_p201903") == [(dt.date(2019, 3, 30),)]
    assert AccountDailyMetric.objects.filter(account=account).count() == 2
    assert partitions_ensure(today=today) == dict.fromkeys(FACT_TABLES, 0)


def _statement(sql: str) -> str:
    """The query of a logged statement (frames read partials through `COPY (query) TO STDOUT`)."""
    copied = re.fullmatch(r"COPY \((.*)\) TO STDOUT WITH \(.*\)", sql.strip(), re.S)
    return copied[1] if copied else sql


def _partitions_read(sql: str) -> set[str]:
    """The fact-table partitions a statement actually reads (EXPLAIN ANALYZE: pruned at plan or at run time)."""
    [(plan,)] = _rows(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
    plan = plan if isinstance(plan, list) else json.loads(plan)
    read, stack = set(), [plan[0]["Plan"]]
    while stack:
        node = stack.pop()
        stack.extend(node.get("Plans", []))
        name = node.get("Relation Name", "")
        if name.startswith(FACT_TABLES) and node.get("Actual Loops", 0) > 0:
            read.add(name)
    return read


@pytest.mark.django_db
def test_writes_and_every_kpi_query_read_only_the_months_of_their_window():
    account = SocialAccountFactory()
    partitions_ensure(today=dt.date(2026, 12, 1), first=dt.date(2026, 1, 1))
    window = (dt.date(2026, 6, 3), dt.date(2026, 6, 28))
    # A year of account and campaign days; the post lives from mid-May (snapshots for 60 days).
    lifetime = _days(dt.date(2026, 5, 15), dt.date(2026, 7, 13))
    metrics_write(account=account, batch=_batch(_days(dt.date(2026, 1, 1), dt.date(2026, 12, 31)), lifetime))  # COPY
    assert _rows("SELECT count(*) FROM analytics_postdailymetric_p202606") == [(30,)]

    with CaptureQueriesContext(connection) as writes:
        metrics_write(account=account, batch=_batch(_days(*window)))  # stored keys: staged ON CONFLICT
    existence = [q["sql"] for q in writes.captured_queries if q["sql"].startswith("SELECT EXISTS")]
    assert existence
    assert all(_partitions_read(sql) <= {f"{t}_p202606" for t in FACT_TABLES} for sql in existence)

    with CaptureQueriesContext(connection) as reads:
        for granularity in ("day", "week", "month", "total"):
            selectors.kpi_report(
                organization=account.organization,
                start=window[0],
                end=window[1],
                granularity=granularity,
                compare="previous",
            )
        selectors.kpi_report(organization=account.organization, start=window[0], end=window[1], group_by="account")
        selectors.post_performance(organization=account.organization, start=window[0], end=window[1])
        selectors.daily_series(organization=account.organization, start=window[0], end=window[1])
    fact_reads = [_statement(q["sql"]) for q in reads.captured_queries if "dailymetric" in q["sql"]]
    assert len(fact_reads) >= 8
    # The window, the previous window of the same length and the day before it: May and June only.
    allowed = {f"{t}_p2026{m:02}" for t in FACT_TABLES for m in (5, 6)}
    seen = set()
    for sql in fact_reads:  # a query may read nothing (no post published in the window), never more
        read = _partitions_read(sql)
        assert read <= allowed, (read - allowed, sql[:300])
        seen |= read
    assert {f"{t}_p202606" for t in FACT_TABLES} <= seen
