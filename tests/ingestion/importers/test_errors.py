"""Rejected files: precise problems (file, row as seen in the sheet, column, value), nothing written."""

import codecs
import io
import zipfile

import openpyxl
import pytest

from analytics.models import AccountDailyMetric, CampaignDailyMetric, PostDailyMetric
from ingestion.importers import ImportFileError, file_import
from ingestion.models import IngestionRun, RunStatus

from .conftest import AS_OF, fixture_bytes

pytestmark = pytest.mark.django_db

DAILY_HEADER = "date,followers,followers_gained,followers_lost,impressions,views,likes,comments,shares,saves"


def rejected(account, data, name="upload.csv", **kwargs) -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        file_import(account=account, file=data, file_name=name, as_of=AS_OF, **kwargs)
    assert not AccountDailyMetric.objects.filter(account=account).exists()
    assert not PostDailyMetric.objects.filter(post__account=account).exists()
    assert not CampaignDailyMetric.objects.filter(account=account).exists()
    run = IngestionRun.objects.get(pk=caught.value.run_id)
    assert (run.status, run.source, run.file_name, run.error) == (RunStatus.FAILED, "file", name[:255], str(caught.value))
    return caught.value


def test_every_bad_cell_is_reported_with_its_sheet_row(make_account):
    account = make_account("weibo")
    data = "\n".join([
        "某品牌微博数据（手工整理）",
        DAILY_HEADER,
        "2026-10-01,100,1,0,10,10,1,1,1,1",
        "2026-10-02,abc,1,0,10,10,1,1,1,1",
        "2026-10-03,100,1,0,10,10,1,1,1,12.5%",
        "not a date,100,1,0,10,10,1,1,1,1",
        "2026-10-05,100,-4,0,10,10,1,1,1,1",
    ]).encode()
    error = rejected(account, data, "weibo_十月.csv")
    found = [(p.row, p.column, p.value) for p in error.problems]
    assert found == [
        (4, "followers", "abc"), (5, "saves", "12.5%"), (6, "date", "not a date"), (7, "followers_gained", "-4"),
    ]
    message = str(error)
    assert "weibo_十月.csv" in message
    assert "第 4 行「followers」列 值 'abc'：不是整数" in message


def test_problems_are_capped(make_account):
    account = make_account("weibo")
    rows = [DAILY_HEADER, *(f"2026-10-{d:02d},x,x,0,0,0,0,0,0,0" for d in range(1, 31))]
    error = rejected(account, "\n".join(rows).encode())
    assert len(error.problems) == 50
    assert error.truncated
    assert "仅列出前 50 个" in str(error)


def test_one_bad_row_keeps_the_good_ones_out(make_account):
    account = make_account("douyin")
    good = fixture_bytes("campaign_gb18030.csv").decode("gb18030")
    error = rejected(account, (good + "2026-10-03,国庆大促·信息流,free,1,1,1,1,1,1\r\n").encode("gb18030"))
    assert [(p.row, p.column, p.value) for p in error.problems] == [(6, "spend", "free")]


def test_duplicate_dates_are_refused(make_account):
    account = make_account("weibo")
    data = f"{DAILY_HEADER}\n2026-10-01,1,,,,,,,,\n2026/10/01,2,,,,,,,,\n".encode()
    assert "与第 2 行重复" in str(rejected(account, data).problems[0])


def test_duplicate_posts_are_refused(make_account):
    account = make_account("douyin")
    text = fixture_bytes("douyin_posts_utf8bom.csv").decode("utf-8-sig")
    first_row = text.splitlines()[1]
    error = rejected(account, (text + first_row + "\r\n").encode())
    assert error.problems[0].row == 5
    assert "作品名称、发布时间相同" in error.problems[0].message


def test_unknown_template_column_is_a_typo_not_ignored(make_account):
    account = make_account("weibo")
    data = b"date,followers,folowers_gained\n2026-10-01,1,2\n"
    assert [(p.row, p.column) for p in rejected(account, data).problems] == [(1, "folowers_gained")]


def test_missing_key_value(make_account):
    account = make_account("douyin")
    data = "作品名称,发布时间,播放量\n,2026-10-01 10:00,5\n".encode()
    problem = rejected(account, data).problems[0]
    assert (problem.row, problem.column, problem.message) == (2, "作品名称", "必填，不能为空")


def test_wechat_net_growth_must_add_up(make_account):
    account = make_account("wechat")
    data = "时间,新关注人数,取消关注人数,净增关注人数,累积关注人数\n2026-09-01,10,4,7,100\n".encode()
    problem = rejected(account, data, "u.xls").problems[0]
    assert (problem.row, problem.column, problem.value) == (2, "净增关注人数", "7")


def test_header_not_found_lists_what_is_accepted(make_account):
    account = make_account("weibo")
    message = str(rejected(account, "随便,一些,列\n1,2,3\n".encode()))
    assert "未找到可识别的表头" in message
    assert "作品名称" in message
    assert "date、campaign" in message


def test_header_without_rows(make_account):
    assert "没有数据行" in str(rejected(make_account("weibo"), f"{DAILY_HEADER}\n\n".encode()))


def test_platform_must_match_the_account(make_account):
    message = str(rejected(make_account("bilibili"), fixture_bytes("xhs_notes.xlsx"), "notes.xlsx"))
    assert "小红书笔记列表明细表" in message
    assert "哔哩哔哩" in message


@pytest.mark.parametrize(("data", "expected"), [
    (b"\x89PNG\r\n\x1a\n" + bytes(100), "PNG 图片"),
    (b"%PDF-1.7\n", "PDF"),
    (b"", "文件为空"),
    (bytes(range(256)) * 4, "二进制"),
])
def test_non_spreadsheets_are_sniffed(make_account, data, expected):
    assert expected in str(rejected(make_account("weibo"), data, "data.csv"))


def test_zip_that_is_not_a_workbook(make_account):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hi")
    assert "ZIP 压缩包" in str(rejected(make_account("weibo"), buffer.getvalue(), "x.xlsx"))


def test_truncated_workbooks(make_account):
    account = make_account("xiaohongshu")
    data = fixture_bytes("xhs_notes.xlsx")
    assert "无法读取 .xlsx" in str(rejected(account, data[: len(data) // 2], "notes.xlsx"))
    legacy = fixture_bytes("wechat_users_legacy.xls")
    assert "无法读取 .xls" in str(rejected(make_account("wechat"), legacy[:600], "u.xls"))


def test_size_limit(make_account, settings):
    settings.IMPORT_MAX_BYTES = 100
    assert "大小上限" in str(rejected(make_account("weibo"), fixture_bytes("daily.csv") * 2))


def test_utf16_tab_separated_export(make_account):
    account = make_account("weibo")
    text = f"{DAILY_HEADER}\n2026-10-01,5,,,,,,,,\n".replace(",", "\t")
    file_import(account=account, file=codecs.BOM_UTF16_LE + text.encode("utf-16-le"), file_name="d.txt", as_of=AS_OF)
    assert AccountDailyMetric.objects.get(account=account).followers == 5


def test_xlsx_number_cells_and_bad_text(make_account):
    account = make_account("weibo")
    workbook = openpyxl.Workbook()
    workbook.active.append(["date", "followers", "views"])
    workbook.active.append(["2026-10-01", 10, 1e30])
    buffer = io.BytesIO()
    workbook.save(buffer)
    problem = rejected(account, buffer.getvalue(), "big.xlsx").problems[0]
    assert (problem.row, problem.column, problem.message) == (2, "views", "数值过大")


def test_unknown_kind_is_a_programming_error(make_account):
    with pytest.raises(ValueError, match="unknown import kind"):
        file_import(account=make_account(), file=b"", file_name="x.csv", kind="tiktok")
