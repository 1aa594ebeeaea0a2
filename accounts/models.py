from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey

from .fields import EncryptedJSONField
from .platforms import PLATFORMS

# Built from the platform registry (accounts/platforms.py): Platform.WECHAT, Platform.KUAISHOU, …
Platform = models.TextChoices("Platform", [(spec.code.upper(), (spec.code, spec.label)) for spec in PLATFORMS])


class Organization(models.Model):
    """A brand, or one of an agency's clients: the unit every row is scoped to."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", _("所有者")
    ANALYST = "analyst", _("分析师")
    VIEWER = "viewer", _("查看者")

    @classmethod
    def allows(cls, role: str, needed: str) -> bool:
        """Whether `role` may do what needs `needed`: each role can do all that the ones below it can."""
        ranks = list(reversed(cls.values))  # declared from the most to the least powerful
        return ranks.index(role) >= ranks.index(needed)


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="uniq_membership")]

    def __str__(self):
        return f"{self.user} @ {self.organization} ({self.role})"


class AccountStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    NEEDS_REAUTH = "needs_reauth", _("需要重新授权")
    PAUSED = "paused", _("已暂停")


class SocialAccount(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="accounts")
    platform = models.CharField(max_length=16, choices=Platform.choices)
    external_id = models.CharField(max_length=128)
    name = models.CharField(max_length=200)
    credentials = EncryptedJSONField(blank=True, default=dict)
    status = models.CharField(max_length=16, choices=AccountStatus.choices, default=AccountStatus.ACTIVE)
    status_detail = models.TextField(blank=True)
    timezone = models.CharField(max_length=64, default="Asia/Shanghai")
    last_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "platform", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "external_id", "organization"], name="uniq_account_per_org"
            )
        ]
        indexes = [models.Index(fields=["organization", "platform"])]

    def __str__(self):
        return f"{self.get_platform_display()} · {self.name}"


class OrganizationAPIKey(AbstractAPIKey):
    """An agency's key: sees exactly one organization. Only its hash is stored."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "API key"
        verbose_name_plural = "API keys"
