"""The raw metric list (analytics/metrics.py) is the one declaration the columns, records and KPI sums follow."""

from dataclasses import fields

from accounts.models import Platform
from analytics import kpis
from analytics.metrics import RAW_METRICS
from analytics.models import AccountDailyMetric, PostDailyMetric
from ingestion.records import AccountDay, PostDay


def test_every_raw_metric_is_a_nullable_column_with_its_label_on_its_tables():
    for metric in RAW_METRICS:
        for model, stored, label in (
            (AccountDailyMetric, metric.account, metric.zh),
            (PostDailyMetric, metric.post, metric.post_zh or metric.zh),
        ):
            names = {f.name for f in model._meta.get_fields()}
            assert (metric.name in names) == stored, (model.__name__, metric.name)
            if stored:
                column = model._meta.get_field(metric.name)
                assert column.null
                assert column.verbose_name == label


def test_the_records_and_the_kpi_sums_follow_the_declaration():
    account_metrics = tuple(m.name for m in RAW_METRICS if m.account)
    assert tuple(f.name for f in fields(AccountDay)) == ("date", *account_metrics, "provisional")
    post_fields = {f.name for f in fields(PostDay)}
    assert {m.name for m in RAW_METRICS if m.post} <= post_fields
    assert kpis.RAW_SUMS[: len(account_metrics)] == account_metrics
    assert set(kpis.ORGANIC_SUMS) == {m.name for m in RAW_METRICS if m.account and m.kind == "sum"}
    assert "followers" not in kpis.ORGANIC_SUMS  # a level: read at the period's end, never summed


def test_metrics_name_real_platforms_and_have_both_labels():
    for metric in RAW_METRICS:
        assert metric.kind in ("sum", "level")
        assert metric.zh
        assert metric.en
        assert set(metric.platforms or ()) <= set(Platform.values)
