"""Provenance: every daily row records its source and run; an import over another source's rows says so."""

import datetime as dt

from accounts.models import Platform
from analytics.models import AccountDailyMetric, Post
from ingestion import services
from ingestion.importers import file_import
from ingestion.models import IngestionRun, RunSource, RunStatus
from ingestion.records import AccountDay, Batch, PostDay, PostInfo
from tests.factories import SocialAccountFactory

DAYS = [dt.date(2026, 10, 1) + dt.timedelta(days=n) for n in range(5)]


def _api_run(account, batch):
    run = services.ingestion_run_create(account=account, source=RunSource.API, status=RunStatus.RUNNING)
    return run, services.batch_ingest(run=run, batch=batch)


def test_daily_rows_record_source_and_run_and_a_file_says_what_it_replaced(org):
    account = SocialAccountFactory(organization=org, platform=Platform.DOUYIN)
    api_run, result = _api_run(account, Batch(account_days=[AccountDay(date=d, views=100) for d in DAYS[:3]]))
    assert result.replaced == {}
    assert set(AccountDailyMetric.objects.values_list("source", "run_id")) == {("api", api_run.pk)}

    csv = "date,views,likes\n" + "".join(f"{d.isoformat()},{200 + n},5\n" for n, d in enumerate(DAYS))
    imported = file_import(account=account, file=csv.encode(), file_name="daily.csv", kind="daily_csv")
    assert imported.replaced == {"account_days": {"api": 3}}
    assert imported.notice() == "替换了 3 天 API 数据"
    assert imported.summary().endswith("；替换了 3 天 API 数据")
    run = IngestionRun.objects.get(pk=imported.run_id)
    assert run.replaced == {"account_days": {"api": 3}}
    assert set(AccountDailyMetric.objects.values_list("source", "run_id")) == {("file", run.pk)}

    again = file_import(account=account, file=csv.encode(), file_name="daily.csv", kind="daily_csv")
    assert again.changed == 0
    assert again.replaced == {}  # nothing rewritten: provenance stays the first import's
    assert set(AccountDailyMetric.objects.values_list("run_id", flat=True)) == {run.pk}


def test_posts_record_whether_their_publish_time_is_known(org):
    account = SocialAccountFactory(organization=org, platform=Platform.WECHAT)
    day_only = PostInfo(external_id="a1", published_at=dt.datetime(2026, 9, 30, 16, tzinfo=dt.UTC),
                        published_time_known=False)
    timed = PostInfo(external_id="a2", published_at=dt.datetime(2026, 9, 30, 12, 5, tzinfo=dt.UTC))
    _api_run(account, Batch(posts=[day_only, timed], post_days=[PostDay(post=timed, date=DAYS[0], views=5)]))
    assert dict(Post.objects.values_list("external_id", "published_time_known")) == {"a1": False, "a2": True}
