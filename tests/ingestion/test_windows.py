"""Gap-aware nightly windows (`ingestion.windows.night_plan`): pure, no database."""

import datetime as dt

from ingestion.windows import ACCOUNT_DAYS, CAMPAIGN_DAYS, POST_DAYS, Progress, night_plan

Y = dt.date(2026, 11, 20)  # tonight's last day (yesterday)


def day(n: int) -> dt.date:
    """`n` days before yesterday."""
    return Y - dt.timedelta(days=n)


def plan(platform, max_days=90, **progress):
    return night_plan(platform=platform, yesterday=Y, progress=progress, max_days=max_days)


def test_a_series_never_read_gets_the_usual_re_read_of_three_days():
    assert plan("wechat").windows == [(day(2), Y)]
    assert plan("wechat").gaps == {}


def test_an_up_to_date_series_re_reads_the_last_three_days():
    assert plan("douyin", account_days=Progress(Y), post_days=Progress(Y)).windows == [(day(2), Y)]


def test_after_an_outage_the_window_starts_the_day_after_the_last_day_stored():
    p = plan("douyin", account_days=Progress(day(6)), post_days=Progress(day(6)))
    assert p.windows == [(day(5), Y)]
    # Video snapshots only tell the present: the five nights before tonight are lost, and recorded.
    assert [d for d, _ in p.gaps[POST_DAYS]] == [day(n) for n in (5, 4, 3, 2, 1)]
    assert ACCOUNT_DAYS not in p.gaps


def test_wechat_reads_long_history_in_spans_of_seven_days():
    p = plan("wechat", account_days=Progress(day(20)), post_days=Progress(day(20)))
    assert p.windows == [(day(19), day(13)), (day(12), day(6)), (day(5), Y)]
    assert p.gaps == {}


def test_douyin_reaches_back_30_days_and_records_what_is_older_as_gaps():
    p = plan("douyin", account_days=Progress(day(40)), post_days=Progress(day(40)))
    assert p.windows == [(day(29), Y)]
    lost = p.gaps[ACCOUNT_DAYS]
    assert [d for d, _ in lost] == [day(n) for n in range(39, 29, -1)]
    assert "30" in lost[0][1]


def test_the_configured_maximum_bounds_every_platform():
    p = plan("wechat", max_days=10, account_days=Progress(day(15)), post_days=Progress(day(15)))
    assert p.windows == [(day(9), day(3)), (day(2), Y)]
    assert [d for d, _ in p.gaps[ACCOUNT_DAYS]] == [day(n) for n in (14, 13, 12, 11, 10)]
    assert "10" in p.gaps[ACCOUNT_DAYS][0][1]


def test_snapshot_platforms_read_tonight_only_and_record_missed_nights():
    p = plan("weibo", account_days=Progress(day(5)), post_days=Progress(day(5)))
    assert p.windows == [(Y, Y)]
    assert [d for d, _ in p.gaps[ACCOUNT_DAYS]] == [day(n) for n in (4, 3, 2, 1)]
    assert plan("bilibili", account_days=Progress(day(1)), post_days=Progress(day(1))).gaps == {}


def test_provisional_days_are_read_again_until_final():
    p = plan("wechat", account_days=Progress(Y, provisional_from=day(5)), post_days=Progress(Y))
    assert p.windows == [(day(5), Y)]


def test_xiaohongshu_ads_report_range():
    p = plan("xiaohongshu", campaign_days=Progress(day(200)))
    assert p.windows[0][0] == day(89)
    assert p.windows[-1][1] == Y
    assert all((end - start).days < 30 for start, end in p.windows)
    assert len(p.gaps[CAMPAIGN_DAYS]) == 90  # never more gap rows than the maximum a night reads


def test_an_unknown_platform_has_history_without_a_platform_limit():
    assert plan("testhttp", account_days=Progress(day(60)), post_days=Progress(day(60))).windows == [(day(59), Y)]
