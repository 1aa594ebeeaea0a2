"""upsert(): new keys go straight into the table by COPY, anything else through staging + ON CONFLICT;
both paths store exactly the same values."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction

from analytics.models import AccountDailyMetric, CampaignDailyMetric, Post
from ingestion.records import AccountDay, Batch, CampaignDay, PostDay, PostInfo
from ingestion.services import metrics_write
from ingestion.upsert import _insert_new, upsert
from tests.factories import SocialAccountFactory

DAYS = [dt.date(2026, 10, 1) + dt.timedelta(days=n) for n in range(5)]


def batch() -> Batch:
    post = PostInfo(external_id="v1", title="None", kind="video")  # a title that reads like the NULL marker
    return Batch(
        account_days=[AccountDay(date=d, followers=100 + n, views=None if n % 2 else n * 10) for n, d in enumerate(DAYS)],
        post_days=[PostDay(post=post, date=d, views=n, completion_rate=0.1 * n or None) for n, d in enumerate(DAYS)],
        campaign_days=[CampaignDay(campaign="活动", date=d, spend=Decimal("10.05") * n, clicks=n or None) for n, d in
                       enumerate(DAYS)],
    )


def stored(account) -> tuple:
    days = AccountDailyMetric.objects.filter(account=account).order_by("date")
    paid = CampaignDailyMetric.objects.filter(account=account).order_by("date")
    return (
        list(days.values_list("date", "followers", "views", "likes")),
        list(Post.objects.filter(account=account).values_list("title", "kind", "first_snapshot_on", "last_snapshot_on")),
        list(paid.values_list("date", "spend", "clicks")),
    )


@pytest.mark.django_db(transaction=True)
def test_direct_and_staged_paths_store_the_same_values():
    direct, staged = SocialAccountFactory(), SocialAccountFactory()
    # One stored day makes every table of `staged`'s account days take the staging path.
    AccountDailyMetric.objects.create(account=staged, date=DAYS[0], followers=100)

    assert metrics_write(account=direct, batch=batch()).changed == 5 + 1 + 5 + 5
    metrics_write(account=staged, batch=batch())

    assert stored(direct) == stored(staged)
    assert stored(direct)[1] == [("None", "video", DAYS[0], DAYS[-1])]
    assert stored(direct)[2][1] == (DAYS[1], Decimal("10.05"), 1)


@pytest.mark.django_db(transaction=True)
def test_a_key_stored_meanwhile_sends_the_copy_back_without_writing_anything():
    account = SocialAccountFactory()
    AccountDailyMetric.objects.create(account=account, date=DAYS[1], followers=1)
    rows = [(account.pk, day, 7) for day in DAYS]
    with transaction.atomic(), connection.cursor() as cursor:
        assert not _insert_new(cursor, table="analytics_accountdailymetric", columns=["account_id", "date", "views"],
                               rows=rows, text_free=True)
        # The transaction is still usable, and the upsert path then merges the rows.
        assert upsert(table="analytics_accountdailymetric", constraint="uniq_account_day",
                      key_columns=("account_id", "date"), value_columns=("views",), rows=rows, text_free=True) == 5
    assert list(AccountDailyMetric.objects.filter(account=account).order_by("date").values_list("followers", "views")) \
        == [(None, 7), (1, 7), (None, 7), (None, 7), (None, 7)]
