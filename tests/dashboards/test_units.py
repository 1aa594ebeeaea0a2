"""Pure pieces of the dashboards: figures, number formatting, the filter form's date logic."""

import datetime as dt
import json
from decimal import Decimal

import pandas as pd
import pytest

from dashboards import figures, formatting
from dashboards.forms import Preset, preset_window


def test_follower_trend_draws_one_coloured_line_per_platform():
    frame = pd.DataFrame({
        "period": pd.to_datetime(["2026-10-01", "2026-10-02", "2026-10-01", "2026-10-02"]),
        "platform": ["douyin", "douyin", "wechat", "wechat"],
        "followers": [100.0, 110.0, 50.0, None],
    })
    figure = figures.follower_trend(frame)
    traces = {t.name: t for t in figure.data}
    assert set(traces) == {"抖音", "微信公众号"}
    assert list(traces["抖音"].y) == [100.0, 110.0]
    assert list(traces["微信公众号"].x) == ["2026-10-01"]  # the NULL day is left out, not drawn as 0
    assert traces["抖音"].line.color == figures.PLATFORM_COLORS["douyin"]


@pytest.mark.parametrize("build", [figures.follower_trend, figures.engagement_by_platform, figures.spend_vs_revenue,
                                   figures.campaign_comparison])
def test_figures_are_none_without_data(build):
    assert build(pd.DataFrame()) is None
    assert build(None) is None


def test_spend_vs_revenue_is_none_when_nothing_was_spent():
    frame = pd.DataFrame({"period": pd.to_datetime(["2026-10-01"]), "spend": [None], "revenue": [None]})
    assert figures.spend_vs_revenue(frame) is None


def test_engagement_by_platform_sorts_and_labels_percentages():
    frame = pd.DataFrame({"platform": ["weibo", "douyin", "bilibili"], "engagement_rate": [0.02, 0.055, None]})
    bar = figures.engagement_by_platform(frame).data[0]
    assert list(bar.x) == ["抖音", "微博"]
    assert list(bar.text) == ["5.50%", "2.00%"]


def test_posting_heatmap_uses_shanghai_weekday_and_hour_and_medians():
    posts = pd.DataFrame({
        # 2026-10-05 is a Monday; 16:30 UTC is 00:30 on Tuesday in Shanghai.
        "published_at": pd.to_datetime(["2026-10-05T16:30:00Z", "2026-10-05T16:50:00Z", "2026-10-05T17:10:00Z",
                                        "2026-10-06T01:00:00Z", None], utc=True),
        "engagement_rate": [0.01, 0.03, 0.08, 0.5, 0.9],
    })
    cells = figures.posting_heatmap_frame(posts).set_index(["weekday", "hour"])
    assert cells.loc[(1, 0), "median"] == pytest.approx(0.02)
    assert cells.loc[(1, 0), "posts"] == 2
    assert cells.loc[(1, 1), "median"] == pytest.approx(0.08)
    assert cells.loc[(1, 9), "posts"] == 1
    assert len(cells) == 3  # the post without a publishing time is not placed anywhere
    figure = figures.posting_heatmap(cells.reset_index(), overall_median=0.055)
    grid = figure.data[0].z
    assert len(grid) == 7
    assert len(grid[0]) == 24
    assert grid[1][0] == pytest.approx(0.02)
    assert grid[0][0] is None


def test_figure_json_cannot_close_the_script_tag():
    frame = pd.DataFrame({"campaign_name": ["</script><b>&"], "platform": ["douyin"], "spend": [1.0], "revenue": [2.0]})
    text = figures.to_json(figures.campaign_comparison(frame))
    assert "</script>" not in text
    assert "<b>" not in text
    assert json.loads(text)["data"][0]["y"] == ["</script><b>&"]


@pytest.mark.parametrize(("function", "value", "shown"), [
    (formatting.money, Decimal("1234567.5"), "¥1,234,567.50"),
    (formatting.money, 1000, "¥1,000.00"),
    (formatting.money, None, "—"),
    (formatting.count, 12345.0, "12,345"),
    (formatting.count, float("nan"), "—"),
    (formatting.rate, 0.055, "5.50%"),
    (formatting.ratio, 4.6, "4.60"),
    (formatting.change, 0.1234, "+12.3%"),
    (formatting.change, -0.05, "-5.0%"),
])
def test_formatting(function, value, shown):
    assert function(value) == shown


def test_a_falling_cost_is_good_news_and_falling_views_are_not():
    assert formatting.change_tone("cpa", -0.1) == "good"
    assert formatting.change_tone("views", -0.1) == "bad"
    assert formatting.change_tone("views", None) == "flat"
    assert formatting.metric_value("spend", 1000) == "¥1,000.00"
    assert formatting.metric_value("engagement_rate", 0.055) == "5.50%"


def test_every_preset_ends_yesterday():
    today = dt.date(2026, 11, 23)
    assert preset_window(Preset.LAST_7, today) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    assert preset_window(Preset.LAST_30, today) == (dt.date(2026, 10, 24), dt.date(2026, 11, 22))
    assert preset_window(Preset.LAST_90, today) == (dt.date(2026, 8, 25), dt.date(2026, 11, 22))
    assert preset_window(Preset.THIS_MONTH, today) == (dt.date(2026, 11, 1), dt.date(2026, 11, 22))
    # On the 1st, yesterday closed last month: "本月" is that month, never an empty or partial day.
    assert preset_window(Preset.THIS_MONTH, dt.date(2026, 12, 1)) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def test_wan_and_yi_in_the_chinese_ui_exact_values_elsewhere():
    from django.utils import translation

    with translation.override("zh-hans"):
        assert formatting.metric_value("views", 123456) == "12.35万"
        assert formatting.metric_value("views", 250_000_000) == "2.5亿"
        assert formatting.metric_value("views", 9999) == "9,999"
        assert formatting.metric_value("spend", 56789.5) == "¥5.68万"
        assert formatting.metric_value("engagement_rate", 0.0345) == "3.45%"
        assert formatting.metric_exact("views", 123456) == "123,456"
    with translation.override("en"):
        assert formatting.metric_value("views", 123456) == "123,456"


def test_a_sparse_series_keeps_its_markers_so_a_single_day_is_visible():
    frame = pd.DataFrame({"period": pd.to_datetime(["2026-10-01", "2026-10-02", "2026-10-03"]),
                          "views": [1.0, 2.0, 3.0], "completion_rate": [None, None, 0.4]})
    views, completion = figures.metric_trend(frame, ("views", "completion_rate")).data
    assert views.mode == "lines"
    assert completion.mode == "lines+markers"
    assert completion.yaxis == "y2"  # a rate next to a count gets its own axis
    assert figures.metric_trend(frame, ("danmaku",)) is None


def test_long_windows_tick_by_month_with_the_year():
    short = pd.DataFrame({"period": pd.date_range("2026-10-01", periods=30), "spend": 1.0, "revenue": 2.0})
    long = pd.DataFrame({"period": pd.date_range("2025-10-01", periods=400), "spend": 1.0, "revenue": 2.0})
    assert figures.spend_vs_revenue(short).layout.xaxis.tickformat == "%m-%d"
    assert figures.spend_vs_revenue(long).layout.xaxis.tickformat == "%Y-%m"


def test_count_and_money_axes_tick_in_wan_in_the_chinese_ui():
    from django.utils import translation

    frame = pd.DataFrame({"period": pd.date_range("2026-10-01", periods=3), "spend": [0.0, 60_000.0, 123_456.0],
                          "revenue": [None, 1.0, 2.0]})
    with translation.override("zh-hans"):
        axis = figures.spend_vs_revenue(frame).layout.yaxis
        assert list(axis.ticktext) == ["¥0", "¥5万", "¥10万", "¥15万"]
        assert list(axis.tickvals)[1] == 50_000
    with translation.override("en"):
        assert figures.spend_vs_revenue(frame).layout.yaxis.tickformat == ",.0f"


def test_a_narrow_follower_range_keeps_plain_ticks_rather_than_repeating_wan():
    from django.utils import translation

    frame = pd.DataFrame({"period": pd.date_range("2026-10-01", periods=2), "platform": "wechat",
                          "followers": [20_031.0, 20_032.0]})
    with translation.override("zh-hans"):
        assert figures.follower_trend(frame).layout.yaxis.tickformat == ",d"
