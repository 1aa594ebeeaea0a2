import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import SocialAccount
from analytics.models import AccountDailyMetric, Campaign, CampaignDailyMetric
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db


def test_duplicate_account_day_is_rejected():
    account = SocialAccountFactory()
    AccountDailyMetric.objects.create(account=account, date=dt.date(2026, 10, 1), views=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountDailyMetric.objects.create(account=account, date=dt.date(2026, 10, 1), views=11)


def test_metrics_keep_null_apart_from_zero():
    account = SocialAccountFactory()
    AccountDailyMetric.objects.create(account=account, date=dt.date(2026, 10, 1), views=0)
    row = AccountDailyMetric.objects.get()
    assert row.views == 0
    assert row.likes is None


def test_duplicate_account_per_org_is_rejected():
    account = SocialAccountFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SocialAccount.objects.create(
            organization=account.organization, platform=account.platform,
            external_id=account.external_id, name="again",
        )


def test_campaign_day_without_account_is_unique():
    account = SocialAccountFactory()
    campaign = Campaign.objects.create(organization=account.organization, platform="douyin", name="双11")
    CampaignDailyMetric.objects.create(campaign=campaign, date=dt.date(2026, 11, 11), spend="100.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignDailyMetric.objects.create(campaign=campaign, date=dt.date(2026, 11, 11), spend="1.00")


def test_credentials_are_encrypted_at_rest():
    account = SocialAccountFactory(credentials={"appid": "wx123", "secret": "very-secret-值"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM accounts_socialaccount WHERE id = %s", [account.pk])
        stored = cursor.fetchone()[0]
    assert "very-secret" not in stored
    assert "wx123" not in stored
    assert SocialAccount.objects.get(pk=account.pk).credentials == {"appid": "wx123", "secret": "very-secret-值"}


def test_credentials_survive_key_rotation(settings):
    from cryptography.fernet import Fernet

    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    account = SocialAccountFactory(credentials={"uid": "1", "access_token": "t"})
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *old_keys]
    assert SocialAccount.objects.get(pk=account.pk).credentials["access_token"] == "t"
