"""The baseline rule of docs/ALERTS.md, without a database."""

import datetime as dt

from alerts import baseline


def test_baseline_dates_are_the_same_weekday_of_the_four_previous_weeks():
    day = dt.date(2026, 10, 28)
    assert baseline.baseline_dates(day) == [
        dt.date(2026, 10, 21),
        dt.date(2026, 10, 14),
        dt.date(2026, 10, 7),
        dt.date(2026, 9, 30),
    ]


def test_a_25_percent_drop_breaches_a_20_percent_rule_and_a_15_percent_dip_does_not():
    history = [1000, 1020, 985, 1010]  # median 1005
    drop = baseline.judge("drop", 0.2, 753.75, history)
    dip = baseline.judge("drop", 0.2, 854.25, history)
    assert drop.outcome == baseline.BREACH
    assert round(drop.change, 4) == -0.25
    assert drop.baseline == 1005
    assert drop.z_score < -baseline.MIN_Z
    assert dip.outcome == baseline.OK
    assert round(dip.change, 4) == -0.15


def test_normal_noise_stays_quiet_however_low_the_threshold():
    noisy = [1000, 1400, 700, 1300]  # median 1150, MAD 200: σ ≈ 297
    verdict = baseline.judge("drop", 0.05, 860, noisy)  # -25 %, but z ≈ -0.98
    assert verdict.outcome == baseline.OK
    assert -1.0 < verdict.z_score < -0.9


def test_a_flat_history_does_not_make_tiny_wobbles_infinite():
    verdict = baseline.judge("rise", 0.001, 1001, [1000, 1000, 1000, 1000])
    assert verdict.outcome == baseline.OK  # spread floor: 2 % of 1000 = 20, z = 0.05
    assert verdict.z_score == 0.05


def test_too_few_baseline_days_and_missing_values_are_reported_not_judged():
    assert baseline.judge("drop", 0.2, 10, [None, 12, float("nan"), 11]).outcome == baseline.NO_BASELINE
    assert baseline.judge("drop", 0.2, None, [10, 11, 12, 13]).outcome == baseline.NO_DATA


def test_below_and_above_compare_with_the_value():
    assert baseline.judge("below", 0.03, 0.025, []).outcome == baseline.BREACH
    assert baseline.judge("above", 100, 99, [90, 95, 100]).outcome == baseline.OK


def test_contributions_of_counts_and_of_ratios():
    counts = baseline.contributions(
        [
            {"label": "A", "value": 500, "baseline": 1000},
            {"label": "B", "value": 990, "baseline": 1000},
            {"label": "C", "value": None, "baseline": 300},  # stopped reporting: it lost all of its baseline
        ],
        weighted=False,
    )
    assert [(c["label"], c["effect"]) for c in counts] == [("A", -500), ("C", -300), ("B", -10)]
    rates = baseline.contributions(
        [
            {"label": "big", "value": 0.02, "baseline": 0.04, "weight": 9000},
            {"label": "small", "value": 0.01, "baseline": 0.05, "weight": 1000},
        ],
        weighted=True,
    )
    assert [(c["label"], round(c["effect"], 4)) for c in rates] == [("big", -0.018), ("small", -0.004)]
