"""The dashboards' banner when what they show is stale or incomplete."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import AccountStatus, Role
from ingestion.models import SeriesGap
from tests.factories import MembershipFactory, OrganizationFactory, SocialAccountFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client):
    org = OrganizationFactory()
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=Role.VIEWER)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client, org


def api_account(org, name, **fields):
    return SocialAccountFactory(
        organization=org, platform="weibo", name=name, credentials={"uid": "1", "access_token": "t"}, **fields
    )


def banner(client, url="/"):
    content = client.get(url).content.decode()
    start = content.find("data-freshness")
    return content[start : content.find("</div>", start)] if start >= 0 else ""


def test_fresh_complete_data_has_no_banner(owner_client):
    client, org = owner_client
    api_account(org, "新鲜账号", last_synced_at=timezone.now() - dt.timedelta(hours=20))
    SocialAccountFactory(organization=org, platform="xiaohongshu", name="只导文件", credentials={})

    assert banner(client) == ""


def test_the_banner_names_stale_reauth_and_gappy_accounts_and_links_to_the_data_page(owner_client):
    client, org = owner_client
    api_account(org, "很久没同步", last_synced_at=timezone.now() - dt.timedelta(hours=37))
    api_account(org, "授权过期", status=AccountStatus.NEEDS_REAUTH, last_synced_at=timezone.now())
    gappy = api_account(org, "有缺口", last_synced_at=timezone.now())
    for days_back in (3, 4):
        SeriesGap.objects.create(
            account=gappy, series="account_days", reason="快照", date=timezone.localdate() - dt.timedelta(days=days_back)
        )
    SeriesGap.objects.create(
        account=gappy, series="post_days", reason="快照", date=timezone.localdate() - dt.timedelta(days=3)
    )

    for url in ("/", "/platforms/", "/content/", "/campaigns/"):
        text = banner(client, url)
        assert 'data-stale="1"' in text and "很久没同步" in text, url
        assert 'data-needs-reauth="1"' in text
        assert "授权过期" in text
        assert "有缺口 2 天" in text
        assert 'href="/data/"' in text
    assert banner(client, "/data/") == ""  # the data page shows the details instead


def test_gaps_outside_the_window_and_paused_accounts_do_not_count(owner_client):
    client, org = owner_client
    gappy = api_account(org, "有缺口", last_synced_at=timezone.now())
    SeriesGap.objects.create(
        account=gappy, series="account_days", reason="快照", date=timezone.localdate() - dt.timedelta(days=60)
    )
    api_account(org, "已暂停", status=AccountStatus.PAUSED)

    assert banner(client, "/?preset=7d") == ""
    assert "有缺口" in banner(client, "/?preset=90d")
