"""Property: any mangled file gives a clear ImportFileError or a correct import — never another
exception, never a partial write.

Files are generated from known truth (days or posts), rendered as CSV (several encodings and
line endings) or .xlsx, then mangled. Mangles that keep the meaning (column order, preamble,
encoding, a dropped optional column) must import exactly the truth; mangles that break it (text
in a number column, a huge number, a duplicate key, a dropped key column) must be rejected
naming the row and column; the rest (truncation, a wrong encoding) may go either way.
"""

import codecs
import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from analytics.models import AccountDailyMetric, PostDailyMetric
from ingestion.importers import ImportFileError, ImportResult, file_import
from ingestion.importers.values import NULL_MARKERS
from ingestion.models import IngestionRun, RunStatus
from tests.factories import SocialAccountFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
AS_OF = dt.date(2026, 10, 2)
# No shrinking: every example touches the database, and shrinking one failure took minutes.
HYPOTHESIS = settings(
    max_examples=50, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

DAILY_METRICS = ["followers", "followers_gained", "followers_lost", "impressions", "views", "likes", "comments",
                 "shares", "saves"]
DOUYIN_METRICS = {"播放量": "views", "点赞量": "likes", "分享量": "shares", "评论量": "comments", "收藏量": "saves",
                  "主页访问量": "profile_visits", "粉丝增量": "followers_gained"}

counts = st.one_of(st.none(), st.integers(0, 10**6), st.integers(0, 10**12))


@st.composite
def daily_truth(draw):
    dates = draw(st.lists(st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)), min_size=1, max_size=8, unique=True))
    return "date", DAILY_METRICS, [{"date": d, **{m: draw(counts) for m in DAILY_METRICS}} for d in sorted(dates)]


titles = st.text(alphabet="抖音好物分享测评vlog ,\"'|：🥮123", min_size=1, max_size=14).filter(
    lambda t: t.strip() and t.strip().lower() not in NULL_MARKERS and " " not in t.strip()
)


@st.composite
def douyin_truth(draw):
    minutes = st.datetimes(dt.datetime(2025, 1, 1), dt.datetime(2026, 10, 1)).map(
        lambda t: t.replace(second=0, microsecond=0))
    keys = draw(st.lists(st.tuples(titles, minutes), min_size=1, max_size=6, unique_by=lambda k: (k[0].strip(), k[1])))
    rows = [{"作品名称": title.strip(), "发布时间": published, **{h: draw(counts) for h in DOUYIN_METRICS}}
            for title, published in keys]
    return "作品名称", ["发布时间", *DOUYIN_METRICS], rows


def render_cell(draw, value, xlsx):
    if value is None:
        return None if xlsx and draw(st.booleans()) else draw(st.sampled_from(["", "-", "--"]))
    if isinstance(value, dt.datetime):
        return draw(st.sampled_from([value, f"{value:%Y-%m-%d %H:%M}", f"{value:%Y年%m月%d日 %H:%M:%S}"]))
    if isinstance(value, dt.date):
        return draw(st.sampled_from([value, f"{value:%Y-%m-%d}", f"{value:%Y/%m/%d}", f"{value:%Y年%m月%d日}"]))
    if isinstance(value, int):
        forms = [value, str(value), f"{value:,}"]
        if value % 100 == 0:
            forms.append(f"{Decimal(value).scaleb(-4):f}万")
        return draw(st.sampled_from(forms))
    return value


@st.composite
def mangled_file(draw, truth):
    key, others, rows = draw(truth)
    columns = [key, *others]
    expected = [dict(r) for r in rows]
    xlsx = draw(st.booleans())
    mangle = draw(st.sampled_from(["none", "shuffle", "drop_optional", "text_in_number", "huge", "duplicate",
                                   "drop_key", "truncate", "wrong_encoding"]))
    outcome = "exact"
    bad_cell = None
    if mangle == "shuffle":
        columns = draw(st.permutations(columns))
    elif mangle == "drop_optional":
        dropped = draw(st.sampled_from(others[1:] if key == "作品名称" else others))
        columns.remove(dropped)
        for r in expected:
            r[dropped] = None
    elif mangle in ("text_in_number", "huge"):
        index = draw(st.integers(0, len(rows) - 1))
        column = draw(st.sampled_from([c for c in others if c != "发布时间"]))
        rows = [dict(r) for r in rows]
        rows[index][column] = draw(st.sampled_from(["abc", "12x", "1.5", "十二"])) if mangle == "text_in_number" \
            else draw(st.sampled_from([10**19, -(10**19), "99999999999999999999999"]))
        outcome, bad_cell = "error", (index, column)
    elif mangle == "duplicate":
        rows = [*rows, dict(rows[draw(st.integers(0, len(rows) - 1))])]
        outcome = "error"
    elif mangle == "drop_key":
        columns.remove(key)
        outcome = "error"
    elif mangle in ("truncate", "wrong_encoding"):
        outcome = "either"

    preamble = draw(st.lists(st.sampled_from([["导出数据"], ["统计时间：2026-10-01"], []]), max_size=3))
    table = [list(p) for p in preamble] + [columns]
    header_row = len(table)
    table += [[render_cell(draw, r.get(c), xlsx) for c in columns] for r in rows]
    if xlsx:
        workbook = openpyxl.Workbook()
        for line in table:
            workbook.active.append(line)
        buffer = io.BytesIO()
        workbook.save(buffer)
        data = buffer.getvalue()
    else:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows(
            [["" if v is None else v for v in line] for line in table])
        text = buffer.getvalue()
        if mangle == "wrong_encoding":
            data = text.encode(draw(st.sampled_from(["utf-16-le", "shift_jis", "cp1252", "big5"])), errors="replace")
        else:
            encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
            data = text.encode(encoding) if encoding != "utf-8-sig" else codecs.BOM_UTF8 + text.encode("utf-8")
    if mangle == "truncate":
        data = data[: draw(st.integers(0, len(data) - 1))]
    if bad_cell:
        bad_cell = (header_row + 1 + bad_cell[0], bad_cell[1])
    note(f"mangle={mangle} xlsx={xlsx} outcome={outcome} bad_cell={bad_cell} data={data[:600]!r}")
    return data, xlsx, outcome, bad_cell, expected


def stored_days(account):
    return {row["date"]: row for row in AccountDailyMetric.objects.filter(account=account).values()}


def stored_posts(account):
    return {
        (row["post__title"], row["post__published_at"]): row
        for row in PostDailyMetric.objects.filter(post__account=account).values(
            "post__title", "post__published_at", *DOUYIN_METRICS.values())
    }


def attempt(platform, data, xlsx):
    account = SocialAccountFactory(platform=platform)
    name = "mangled.xlsx" if xlsx else "mangled.csv"
    try:
        result = file_import(account=account, file=data, file_name=name, as_of=AS_OF)
    except ImportFileError as exc:
        assert IngestionRun.objects.get(pk=exc.run_id).status == RunStatus.FAILED
        assert exc.problems
        assert all(str(p) for p in exc.problems)
        assert not AccountDailyMetric.objects.filter(account=account).exists()  # nothing half-written
        assert not PostDailyMetric.objects.filter(post__account=account).exists()
        return account, exc
    assert isinstance(result, ImportResult)
    return account, result


def check_outcome(outcome, bad_cell, got):
    if outcome == "error":
        assert isinstance(got, ImportFileError)
        if bad_cell:
            assert bad_cell in [(p.row, p.column) for p in got.problems], got
    elif outcome == "exact":
        assert isinstance(got, ImportResult), got


@HYPOTHESIS
@given(case=mangled_file(daily_truth()))
def test_mangled_daily_csv(db, case):
    data, xlsx, outcome, bad_cell, expected = case
    account, got = attempt("weibo", data, xlsx)
    check_outcome(outcome, bad_cell, got)
    stored = stored_days(account)
    if outcome == "exact":
        assert sorted(stored) == [r["date"] for r in expected]
        for row in expected:
            assert {m: stored[row["date"]][m] for m in DAILY_METRICS} == {m: row[m] for m in DAILY_METRICS}
    elif isinstance(got, ImportResult):
        assert len(stored) == got.rows["account_days"]


@HYPOTHESIS
@given(case=mangled_file(douyin_truth()))
def test_mangled_douyin_posts(db, case):
    data, xlsx, outcome, bad_cell, expected = case
    account, got = attempt("douyin", data, xlsx)
    check_outcome(outcome, bad_cell, got)
    stored = stored_posts(account)
    if outcome == "exact":
        assert len(stored) == len(expected)
        for row in expected:
            published = row["发布时间"].replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
            values = stored[(row["作品名称"], published)]
            assert {f: values[f] for f in DOUYIN_METRICS.values()} == {f: row[h] for h, f in DOUYIN_METRICS.items()}
    elif isinstance(got, ImportResult):
        assert len(stored) == got.rows["post_days"]
