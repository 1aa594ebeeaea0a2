"""The alert bench end to end on a tiny scale against the test database (no timing assertions)."""

import pytest

from alerts.models import AlertEvaluation, AlertRule
from bench.alerts import measure

pytestmark = pytest.mark.django_db(transaction=True)


def test_alert_bench_generates_evaluates_and_counts_queries():
    result = measure(accounts=6, rules=12, processes=1, log=lambda _: None)
    assert result["organizations"] == 1
    assert result["rules"] == 12
    assert AlertRule.objects.filter(builtin="").count() == 12
    # 12 rules + 3 data-health rules × 6 accounts, each evaluated once per pass.
    assert result["rule_scopes_evaluated"] == 12 + 3 * 6
    assert AlertEvaluation.objects.count() == 12 + 3 * 6  # the pooled pass wrote its own first night
    assert 0 < result["queries_per_organization_max"] < 25
    assert result["verdict"] in ("met", "MISSED")
