"""The dashboard views through Django's test client, with demo data written by metrics_write."""

import csv
import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from analytics.selectors import kpi_report, post_performance
from dashboards.context import SESSION_ORG_KEY
from dashboards.forms import Preset, preset_window
from ingestion.models import IngestionRun, RunSource, RunStatus
from tests.factories import OrganizationFactory, UserFactory

PAGES = ["/", "/platforms/", "/content/", "/campaigns/", "/data/"]


def cards(response) -> dict:
    return dict(re.findall(r'data-kpi="(\w+)" data-value="([^"]*)"', response.content.decode()))


def default_window():
    return preset_window(Preset.DEFAULT, timezone.localdate())


@pytest.mark.parametrize("url", PAGES)
def test_pages_need_a_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", PAGES)
def test_pages_render_with_demo_data(logged_in, url):
    response = logged_in.get(url)
    assert response.status_code == 200
    assert b"vendor/plotly.min.js" in response.content
    assert b"cdn." not in response.content  # no CDN: the app works offline


def test_overview_cards_are_the_selectors_numbers(logged_in, demo):
    _user, organization, _accounts = demo
    start, end = default_window()
    expected = kpi_report(organization=organization, start=start, end=end, compare="previous")["results"][0]["kpis"]
    shown = cards(logged_in.get("/"))
    assert set(shown) == {"views", "interactions", "engagement_rate", "net_followers", "spend", "conversions", "cpa", "roi"}
    for name, value in shown.items():
        assert float(value) == pytest.approx(expected[name])


def test_filters_in_the_url_reach_the_selectors(logged_in, demo):
    _user, organization, accounts = demo
    account = next(a for a in accounts if a.platform == "wechat")
    response = logged_in.get(f"/platforms/?preset=custom&start=2026-09-01&end=2026-09-30&account={account.pk}")

    expected = kpi_report(organization=organization, start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30),
                          platform="wechat", account=account.pk, compare="previous")["results"][0]["kpis"]
    shown = cards(response)
    assert "read_rate" in shown  # WeChat's own KPI
    for name, value in shown.items():
        assert value == "" if expected[name] is None else float(value) == pytest.approx(expected[name])
    assert "2026-09-01" in response.content.decode()


@pytest.mark.parametrize("query", [
    "preset=custom&start=2026-10-10&end=2026-10-01",
    "preset=custom&start=2026-10-10",
    "preset=custom&start=2010-01-01&end=2026-01-01",
    "start=not-a-date&end=2026-01-01",
    "platform=tiktok",
    "account=999999",
    "preset=yesterday",
])
def test_bad_filters_show_a_message_and_the_default_period(logged_in, query):
    response = logged_in.get(f"/?{query}")
    assert response.status_code == 200
    assert 'class="msg error"' in response.content.decode()
    assert response.context["filters"].preset == Preset.DEFAULT


def test_an_account_of_another_organization_cannot_be_selected(logged_in, db):
    from tests.factories import SocialAccountFactory

    foreign = SocialAccountFactory(organization=OrganizationFactory())
    response = logged_in.get(f"/platforms/?account={foreign.pk}")
    assert response.context["filters"].account is None
    assert "该账号不存在或不属于当前组织" in response.content.decode()


def test_content_table_sorts_and_lists_the_posts(logged_in, demo):
    _user, organization, _accounts = demo
    start, end = default_window()
    response = logged_in.get("/content/?sort=-views")
    table = response.context["tables"][0]
    expected = post_performance(organization=organization, start=start, end=end, ordering="-views")
    assert [r["post"] for r in table.rows] == expected["post"].tolist()
    assert response.context["figures"]["heatmap"]
    assert len(response.context["top"]) == 5
    bad = logged_in.get("/content/?sort=drop table")
    assert bad.status_code == 200
    assert bad.context["sort"] == "-engagement_rate"


def test_every_table_downloads_as_csv_and_excel(logged_in):
    for url in ["/", "/platforms/", "/content/", "/campaigns/"]:
        page = logged_in.get(url)
        for table in page.context["tables"]:
            response = logged_in.get(f"{url}?export={table.key}&format=csv")
            assert response.status_code == 200
            assert response["Content-Type"].startswith("text/csv")
            assert "attachment" in response["Content-Disposition"]
            rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
            columns, _values = table.download()
            assert rows[0] == [c.label for c in columns]  # the table's columns, then the ratios' coverage
            assert rows[0][: len(table.columns)] == [c.label for c in table.columns]
            assert len(rows) == len(table.rows) + 1

            response = logged_in.get(f"{url}?export={table.key}&format=xlsx")
            assert response.status_code == 200
            sheet = load_workbook(io.BytesIO(response.content)).active
            assert [c.value for c in sheet[1]] == [c.label for c in columns]
            assert sheet.max_row == len(table.rows) + 1


def test_csv_numbers_stay_numbers(logged_in, demo):
    _user, organization, _accounts = demo
    start, end = default_window()
    response = logged_in.get("/campaigns/?export=campaign_platforms&format=csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_platform = {r["platform"]: r["kpis"] for r in kpi_report(
        organization=organization, start=start, end=end, group_by="platform")["results"]}
    wechat = next(r for r in rows if r["平台"] == "微信公众号")
    assert float(wechat["花费"]) == pytest.approx(by_platform["wechat"]["spend"])
    assert float(wechat["CTR"]) == pytest.approx(by_platform["wechat"]["ctr"])
    assert float(wechat["CTR覆盖率"]) == 1.0  # every ratio's coverage travels with the download
    assert re.fullmatch(r"\d+", wechat["点击"])  # counts as integers, not 1234.0


def test_unknown_export_is_a_404_not_a_500(logged_in):
    assert logged_in.get("/?export=nope&format=csv").status_code == 404


def test_organization_switch_only_to_own_organizations(logged_in, demo):
    user, organization, _accounts = demo
    other = user.memberships.exclude(organization=organization).get().organization
    response = logged_in.post("/organization/", {"organization": other.pk, "next": "/campaigns/?account=1"})
    assert response.status_code == 302
    assert response["Location"] == "/campaigns/"
    assert logged_in.session[SESSION_ORG_KEY] == other.pk
    page = logged_in.get("/")
    assert page.context["organization"] == other
    assert "暂无数据" in page.content.decode()

    stranger = OrganizationFactory()
    logged_in.post("/organization/", {"organization": stranger.pk, "next": "/"})
    assert logged_in.session[SESSION_ORG_KEY] == other.pk
    logged_in.post("/organization/", {"organization": "x", "next": "https://evil.example/"})
    assert logged_in.get("/").context["organization"] == other


def test_a_user_without_organization_gets_a_clear_page(client, db):
    user = UserFactory()
    user.save()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/")
    assert response.status_code == 403
    assert "你还不属于任何组织" in response.content.decode()


def test_language_switch_to_english(logged_in):
    logged_in.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = logged_in.get("/")
    assert "<h1>Overview</h1>" in response.content.decode()
    assert "Engagement rate" in response.content.decode()


def test_sync_now_queues_a_run(logged_in, demo):
    _user, _organization, accounts = demo
    account = accounts[1]  # Douyin, connected through the API
    response = logged_in.post("/data/sync/", {"account": account.pk, "start": "2026-10-01", "end": "2026-10-07",
                                              "qs": "preset=7d"})
    assert response.status_code == 302
    assert response["Location"] == "/data/?preset=7d"
    run = IngestionRun.objects.get(account=account)
    assert (run.status, str(run.window_start), str(run.window_end)) == (RunStatus.QUEUED, "2026-10-01", "2026-10-07")
    page = logged_in.get(response["Location"])
    assert f"#{run.pk}" in page.content.decode()


def test_sync_now_rejects_bad_input_with_a_message(logged_in, demo):
    _user, _organization, accounts = demo
    response = logged_in.post("/data/sync/", {"account": accounts[0].pk, "start": "2026-10-07", "end": "2026-10-01"},
                              follow=True)
    assert "开始日期不能晚于结束日期" in response.content.decode()
    assert not IngestionRun.objects.exists()
    assert logged_in.get("/data/sync/").status_code == 405


def test_accounts_fed_by_files_only_have_no_sync_button(logged_in, demo):
    _user, _organization, accounts = demo
    response = logged_in.post("/data/sync/", {"account": accounts[0].pk, "start": "2026-10-01", "end": "2026-10-02"},
                              follow=True)
    assert "no API credentials" in response.content.decode()
    assert f'data-sync="{accounts[0].pk}"' not in response.content.decode()
    assert f'data-sync="{accounts[1].pk}"' in response.content.decode()
    assert "仅文件导入" in response.content.decode()


def test_data_status_shows_runs_and_errors_in_plain_words(logged_in, demo):
    _user, _organization, accounts = demo
    IngestionRun.objects.create(account=accounts[1], source=RunSource.API, status=RunStatus.FAILED,
                                error="授权失效，需要重新授权：token expired")
    content = logged_in.get("/data/").content.decode()
    assert "授权失效，需要重新授权" in content
    assert "1 次失败" in content


def test_import_upload_shows_rows_and_dates(logged_in, demo, imports_inline):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _user, _organization, accounts = demo
    data = b"date,followers,views,likes\n2026-10-01,100,1000,50\n2026-10-02,110,3000,90\n"
    response = logged_in.post("/data/?preset=7d", {"account": accounts[0].pk, "kind": "daily_csv",
                                                   "file": SimpleUploadedFile("daily.csv", data, "text/csv")})
    assert response.status_code == 302
    assert response["Location"] == "/data/?preset=7d"  # a refresh re-uploads nothing
    content = logged_in.get(response["Location"]).content.decode()
    assert 'data-import-result="ok"' in content
    assert "2026-10-01 — 2026-10-02" in content
    assert IngestionRun.objects.filter(account=accounts[0], source=RunSource.FILE).count() == 1
    assert "data-import-result" not in logged_in.get(response["Location"]).content.decode()  # shown once


def test_import_upload_lists_every_problem_and_writes_nothing(logged_in, demo, imports_inline):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _user, _organization, accounts = demo
    data = b"date,followers,views\n2026-10-01,lots,1000\n2026-10-02,110,-\n"
    before = accounts[0].daily_metrics.count()
    response = logged_in.post("/data/", {"account": accounts[0].pk, "kind": "daily_csv",
                                         "file": SimpleUploadedFile("daily.csv", data, "text/csv")}, follow=True)
    assert response.redirect_chain == [("/data/", 302)]
    content = response.content.decode()
    assert 'data-import-result="error"' in content
    assert "第 2 行" in content
    assert accounts[0].daily_metrics.count() == before


def test_import_without_a_file_is_a_form_error(logged_in, demo):
    response = logged_in.post("/data/", {"account": demo[2][0].pk, "kind": "auto"})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()


@pytest.mark.parametrize("kind", ["daily_csv", "campaign_csv"])
def test_blank_templates_download(logged_in, kind):
    response = logged_in.get(f"/data/templates/{kind}.csv")
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").startswith("date,")
    assert logged_in.get("/data/templates/passwords.csv").status_code == 404


def test_daily_spend_and_revenue_add_up_across_platforms(demo):
    from dashboards.pages import money_per_day, report_frame

    _user, organization, _accounts = demo
    start, end = default_window()
    per_platform = report_frame(kpi_report(organization=organization, start=start, end=end, group_by="platform",
                                           granularity="day"))
    total = report_frame(kpi_report(organization=organization, start=start, end=end, granularity="day"))
    summed = money_per_day(per_platform).set_index("period")
    for row in total.itertuples():
        if row.spend is None or row.spend != row.spend:
            assert summed.loc[row.period, "spend"] != summed.loc[row.period, "spend"]  # NaN: nothing spent
        else:
            assert summed.loc[row.period, "spend"] == pytest.approx(row.spend)
            assert summed.loc[row.period, "revenue"] == pytest.approx(row.revenue)


def test_viewers_read_but_cannot_sync_or_import(client, demo):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import Role

    user, organization, accounts = demo
    user.memberships.filter(organization=organization).update(role=Role.VIEWER)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get("/data/").content.decode()
    assert 'data-sync="' not in page
    assert "需要分析师权限" in page

    response = client.post("/data/sync/", {"account": accounts[1].pk, "start": "2026-10-01", "end": "2026-10-02"},
                           follow=True)
    assert "同步和导入需要分析师或所有者权限" in response.content.decode()
    response = client.post("/data/", {"account": accounts[0].pk, "kind": "daily_csv",
                                      "file": SimpleUploadedFile("d.csv", b"date,views\n2026-10-01,5\n", "text/csv")})
    assert response.status_code == 403
    assert not IngestionRun.objects.exists()
