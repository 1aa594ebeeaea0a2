"""Comment KPIs: the worked example of docs/COMMENTS.md, and NULL where nothing is scored."""

import pytest

from comments.kpis import sentiment_kpis


def test_worked_example():
    kpis = sentiment_kpis(comments=4, scored=4, positive=2, neutral=1, negative=1)
    assert (kpis["positive_share"], kpis["negative_share"], kpis["neutral_share"]) == (0.5, 0.25, 0.25)
    assert kpis["nsr"] == pytest.approx(1 / 3)
    assert kpis["coverage"] == 1.0


def test_nothing_scored_is_null_not_zero():
    kpis = sentiment_kpis(comments=3, scored=0, positive=0, neutral=0, negative=0)
    assert (kpis["positive_share"], kpis["negative_share"], kpis["nsr"], kpis["coverage"]) == (None, None, None, 0.0)
    assert sentiment_kpis(comments=0, scored=0, positive=0, neutral=0, negative=0)["coverage"] is None
    assert sentiment_kpis(comments=2, scored=2, positive=0, neutral=2, negative=0)["nsr"] is None
