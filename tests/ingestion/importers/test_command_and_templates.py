"""`manage.py import_file` and the downloadable CSV templates."""

import codecs
import datetime as dt
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from analytics.models import AccountDailyMetric, CampaignDailyMetric
from ingestion.importers import TEMPLATE_KINDS, file_import, template_csv

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db


def test_command_prints_one_line_summary(make_account, capsys):
    account = make_account("wechat")
    call_command("import_file", "--account", str(account.pk), str(FIXTURES / "wechat_users_legacy.xls"))
    out = capsys.readouterr().out.strip()
    assert "\n" not in out
    assert "wechat_users" in out
    assert "account_days 3 行" in out
    assert "2026-09-01..2026-09-03" in out
    assert AccountDailyMetric.objects.filter(account=account).count() == 3


def test_command_as_of_and_kind(make_account, capsys):
    account = make_account("bilibili")
    call_command("import_file", "--account", str(account.pk), "--kind", "bilibili_posts", "--as-of", "2026-10-05",
                 str(FIXTURES / "bilibili_posts.csv"))
    assert "2026-10-05..2026-10-05" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "message"), [
    (["--account", "999999", "x.csv"], "no account"),
    (["--account", "{pk}", "/nonexistent/file.csv"], "no such file"),
    (["--account", "{pk}", str(FIXTURES / "daily.csv"), "--kind", "campaign_csv"], "未找到可识别的表头"),
])
def test_command_errors(make_account, args, message):
    account = make_account("weibo")
    with pytest.raises(CommandError, match=message):
        call_command("import_file", *(a.format(pk=account.pk) for a in args))


@pytest.mark.django_db(transaction=True)
def test_command_exit_code_and_stderr(make_account, tmp_path):
    import os

    from django.conf import settings
    from django.db import connection

    account = make_account("weibo")
    bad = tmp_path / "bad.csv"
    bad.write_text("date,followers\n2026-10-01,lots\n", encoding="utf-8")
    params = connection.settings_dict
    env = {**os.environ, "REDIS_URL": settings.REDIS_URL,
           "DATABASE_URL": f"postgres://{params['USER']}@{params['HOST']}:{params['PORT']}/{params['NAME']}"}
    done = subprocess.run([sys.executable, "manage.py", "import_file", "--account", str(account.pk), str(bad)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode != 0
    assert "bad.csv" in done.stderr
    assert "第 2 行「followers」列 值 'lots'" in done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize("kind", TEMPLATE_KINDS)
def test_template_is_bom_csv_with_header_and_example(kind):
    data = template_csv(kind)
    assert data.startswith(codecs.BOM_UTF8)
    lines = data.decode("utf-8-sig").splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("date,")


def test_templates_import_as_they_are(make_account):
    account = make_account("weibo")
    file_import(account=account, file=template_csv("daily_csv"), file_name="daily_csv.csv")
    assert AccountDailyMetric.objects.get(account=account, date=dt.date(2026, 10, 1)).followers == 12034
    file_import(account=account, file=template_csv("campaign_csv"), file_name="campaign_csv.csv")
    assert CampaignDailyMetric.objects.get(account=account).campaign.name == "国庆大促"


def test_no_template_for_platform_exports():
    with pytest.raises(ValueError, match="no template"):
        template_csv("douyin_posts")
