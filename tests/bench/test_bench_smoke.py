"""The benchmark harness end to end on a tiny scale against the test database (no timing assertions)."""

import pytest
from django.db import connection

from accounts.models import Organization
from bench.database import database_url
from bench.generate import dataset_generate, expected_counts, organization_slug, table_counts
from bench.ingest import ORG_SLUG, ingest_measure
from bench.latency import kpi_windows, percentile
from bench.measure import kpi_measure, overview_measure
from bench.nightly import ORG_SLUG as NIGHTLY_ORG_SLUG
from bench.nightly import nightly_measure
from bench.report import table, targets
from bench.scales import Scale
from bench.server import gunicorn

TINY = Scale("tiny", accounts=3, days=40)


def test_percentile_is_nearest_rank():
    values = list(range(1, 31))
    assert percentile(values, 0.95) == 29
    assert percentile(values, 0.5) == 15
    assert percentile([7.0], 0.95) == 7.0


@pytest.mark.django_db(transaction=True)
def test_harness_generates_measures_and_reports():
    dataset = dataset_generate(TINY, log=lambda _: None)
    assert not dataset.reused
    assert dataset.counts == expected_counts(TINY.accounts, TINY.days) == table_counts()
    assert (dataset.last_day - dataset.first_day).days == TINY.days - 1
    assert dataset_generate(TINY, log=lambda _: None).reused

    ingest = ingest_measure(accounts=2, days=TINY.days, first_day=dataset.first_day, rounds=1)
    assert ingest["ingest_rows"] == expected_counts(2, TINY.days).total
    assert min(ingest["ingest_new_rows_per_s"], ingest["ingest_reingest_rows_per_s"], ingest["copy_rows_per_s"]) > 0
    assert table_counts() == dataset.counts  # the measurement leaves the dataset as it was
    assert not Organization.objects.filter(slug=ORG_SLUG).exists()

    organization = Organization.objects.get(slug=organization_slug(0))
    windows = kpi_windows(dataset.first_day, dataset.last_day, 3)
    errors = {}
    with gunicorn(database_url=database_url(connection.settings_dict["NAME"])) as base_url:
        kpi = kpi_measure(
            base_url=base_url, database_url=database_url(connection.settings_dict["NAME"]),
            organization=organization, windows=windows, errors=errors,
        )
        overview = overview_measure(base_url=base_url, organization=organization, requests_count=2, errors=errors)
    assert errors == {}
    assert kpi["day"]["raw_sql"]["n"] == kpi["total"]["api"]["n"] == 3
    assert kpi["api_matches_sql"] is True
    assert overview["n"] == 2

    result = {"scale": TINY.name, "rows": {"total": dataset.counts.total}, "ingest_new_ratio": 0.1,
              "ingest_reingest_ratio": 0.9, "kpi_vs_sql_ratio": None, "growth_p95_ratio_s_to_l": None}
    latest = result | {"runs": {TINY.name: result, "m": {"kpi_api_p95_ms": 151, "ingest_new_ratio": 0.7},
                                "l": {"overview_page_ms": 140.0}},
                       "cpu_count": 2, "postgresql_version": "18"}
    verdicts = {name: verdict for name, _, verdict in targets(latest)}
    values = {name: value for name, value, _ in targets(latest)}
    assert values["ingest new ≥ 80% of COPY"] == "0.1 (tiny)"  # the worst scale decides
    assert verdicts == {
        "ingest new ≥ 80% of COPY": "MISSED", "re-ingest ≥ 80% of COPY": "met",
        "KPI API p95 ≤ 1.5× raw SQL": "not measured", "two workers ≥ 1.6× one": "not measured",
        "overview page p50 ≤ 150 ms at l": "met",
        "KPI API p95 ≤ 150 ms at m": "MISSED", "growth p95 s→l ≤ 3×": "not measured",
        "import 1M rows ≤ 90 s": "not measured", "import peak RSS ≤ 300 MB": "not measured",
        "failing import leaves 0 rows": "not measured",
    }
    assert "MISSED" in table(latest)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_nightly_measure_syncs_every_account_with_one_worker_then_two():
    nightly = nightly_measure(accounts=3, delay=0.0)
    assert nightly["nightly_succeeded"] == [3, 3]
    assert nightly["nightly_accounts_per_min"] > 0
    assert nightly["nightly_two_worker_speedup"] > 0
    assert nightly["nightly_platform_calls_per_account"] >= 1
    assert not Organization.objects.filter(slug=NIGHTLY_ORG_SLUG).exists()
