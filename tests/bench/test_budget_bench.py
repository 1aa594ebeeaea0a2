"""The budget bench's dataset and in-process timing on a tiny scale (no timing assertions)."""

import datetime as dt

import pytest

from bench.budget import FIRST_DAY, dataset_write, inside_times


@pytest.mark.django_db
def test_budget_bench_writes_its_dataset_and_times_both_halves(org):
    assert dataset_write(org, platforms=2, campaigns=3, days=20) == 2 * 3 * 20
    assert dataset_write(org, platforms=2, campaigns=3, days=20) == 0  # reused
    times = inside_times(org, start=FIRST_DAY, end=FIRST_DAY + dt.timedelta(days=19), requests_count=2)
    assert times["rows"] == 120
    assert times["read"]["n"] == times["plan"]["n"] == times["plan_cpu"]["n"] == 2
    assert times["read_cpu"] is None or times["read_cpu"]["n"] == 2
