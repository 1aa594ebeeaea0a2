import datetime

import factory
from django.contrib.auth import get_user_model

from accounts.models import Membership, Organization, Platform, Role, SocialAccount
from analytics.models import AccountDailyMetric, Campaign, CampaignDailyMetric, Post, PostDailyMetric


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"品牌 {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-123456-secret")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.OWNER


class SocialAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SocialAccount

    organization = factory.SubFactory(OrganizationFactory)
    platform = Platform.DOUYIN
    external_id = factory.Sequence(lambda n: f"ext-{n}")
    name = factory.Sequence(lambda n: f"账号 {n}")
    credentials = factory.LazyAttribute(lambda _: {})


class AccountDailyMetricFactory(factory.django.DjangoModelFactory):
    """Every metric NULL unless given: NULL means "not reported" (KPIS.md)."""

    class Meta:
        model = AccountDailyMetric

    account = factory.SubFactory(SocialAccountFactory)
    date = factory.Sequence(lambda n: datetime.date(2026, 1, 1) + datetime.timedelta(days=n))


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    account = factory.SubFactory(SocialAccountFactory)
    external_id = factory.Sequence(lambda n: f"post-{n}")
    title = factory.Sequence(lambda n: f"作品 {n}")


class PostDailyMetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostDailyMetric

    post = factory.SubFactory(PostFactory)
    date = factory.Sequence(lambda n: datetime.date(2026, 1, 1) + datetime.timedelta(days=n))


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"投放 {n}")
    platform = Platform.DOUYIN


class CampaignDailyMetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignDailyMetric

    campaign = factory.SubFactory(CampaignFactory)
    date = factory.Sequence(lambda n: datetime.date(2026, 1, 1) + datetime.timedelta(days=n))
