"""Alert rules, their state per scope, every evaluation, what fired and how it was delivered."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.fields import EncryptedJSONField
from accounts.models import Organization, Platform, SocialAccount
from analytics.models import Campaign


class Condition(models.TextChoices):
    DROP = "drop", _("下降超过")
    RISE = "rise", _("上升超过")
    BELOW = "below", _("低于")
    ABOVE = "above", _("高于")


class HealthCheck(models.TextChoices):
    """The data-health rules every organization has built in (one state per account)."""

    NEEDS_REAUTH = "needs_reauth", _("账号需要重新授权")
    SYNC_FAILING = "sync_failing", _("连续两晚同步失败或推迟")
    DATA_STALE = "data_stale", _("数据超过 36 小时未更新")


class ChannelOwner(models.Model):
    """What delivers through alerts.channels (alert rules, report schedules): its channels, stored encrypted."""

    # {"channels": [{kind, url | address, secret?}, …]}: robot URLs carry keys, so all of it is encrypted.
    channel_config = EncryptedJSONField(blank=True, default=dict)

    class Meta:
        abstract = True

    @property
    def channels(self) -> list[dict]:
        return list(self.channel_config.get("channels", []))

    @channels.setter
    def channels(self, value: list[dict]) -> None:
        self.channel_config = {"channels": list(value)}


class AlertRule(ChannelOwner):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="alert_rules")
    name = models.CharField(max_length=200)
    # A KPI name of KPIS.md, or for a built-in data-health rule its check (`builtin`).
    metric = models.CharField(max_length=64)
    platform = models.CharField(max_length=16, choices=Platform.choices, blank=True)
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, null=True, blank=True, related_name="alert_rules")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="alert_rules")
    condition = models.CharField(max_length=8, choices=Condition.choices, blank=True)
    threshold = models.FloatField(null=True, blank=True, help_text="a fraction for drop/rise, a value otherwise")
    builtin = models.CharField(max_length=16, choices=HealthCheck.choices, blank=True)
    enabled = models.BooleanField(default=True)
    grace_days = models.PositiveSmallIntegerField(
        default=3, help_text="after an alert, the same rule and scope stays quiet this many days even if it re-fires"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization", "builtin", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "builtin"], condition=~models.Q(builtin=""), name="uniq_builtin_alert_rule"
            ),
        ]

    def __str__(self):
        return self.name


class State(models.TextChoices):
    OK = "ok", _("正常")
    TRIGGERED = "triggered", _("已触发")
    RESOLVED = "resolved", _("已恢复")


class AlertState(models.Model):
    """One per rule and scope ("org", "platform:douyin", "account:12", "campaign:3"): a drop
    alerts when it starts, not every night it lasts."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="states")
    scope = models.CharField(max_length=64)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OK)
    evaluated_on = models.DateField()
    changed_at = models.DateTimeField(auto_now_add=True)
    last_alerted_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "scope"], name="uniq_alert_state")]

    def __str__(self):
        return f"{self.rule_id} {self.scope} {self.state}"


class Outcome(models.TextChoices):
    OK = "ok", _("正常")
    BREACH = "breach", _("超出阈值")
    NO_DATA = "no_data", _("无数据")
    NO_BASELINE = "no_baseline", _("基线不足")


class AlertEvaluation(models.Model):
    """Every evaluation of a rule and scope, fired or not: why it stayed quiet is answerable."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="evaluations")
    scope = models.CharField(max_length=64)
    date = models.DateField()
    evaluated_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    state = models.CharField(max_length=16, choices=State.choices)
    value = models.FloatField(null=True)
    baseline = models.FloatField(null=True)
    change = models.FloatField(null=True)
    z_score = models.FloatField(null=True)
    coverage = models.FloatField(null=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["rule", "date"], name="alert_eval_rule_date_idx")]

    def __str__(self):
        return f"{self.rule_id} {self.scope} {self.date} {self.outcome}"


class Alert(models.Model):
    """What fired: the numbers that explain it, what moved most, and a link to the dashboard."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="alerts")
    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="alerts")
    scope = models.CharField(max_length=64)
    scope_label = models.CharField(max_length=300)
    date = models.DateField()
    metric = models.CharField(max_length=64)
    condition = models.CharField(max_length=16, blank=True)
    threshold = models.FloatField(null=True)
    value = models.FloatField(null=True)
    baseline = models.FloatField(null=True)
    change = models.FloatField(null=True)
    z_score = models.FloatField(null=True)
    coverage = models.FloatField(null=True)
    summary = models.TextField()
    contributors = models.JSONField(default=list)
    link = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [models.UniqueConstraint(fields=["rule", "scope", "date"], name="uniq_alert_per_day")]
        indexes = [models.Index(fields=["organization", "-date"], name="alert_org_date_idx")]

    def __str__(self):
        return f"{self.date} {self.scope_label}: {self.metric}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    RETRYING = "retrying", _("重试中")
    FAILED = "failed", _("失败")


class AlertDelivery(models.Model):
    """One alert on one of its rule's channels. Deliveries to the same robot that are due together
    go out as one digest message."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    channel_index = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16)
    target = models.CharField(max_length=300, help_text="the URL or address, masked")
    channel_key = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    code = models.CharField(max_length=32, blank=True, help_text="the platform's error code (0 = accepted)")
    detail = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    digest_size = models.PositiveSmallIntegerField(default=0, help_text="alerts in the message that carried it")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "channel_index"], name="uniq_alert_delivery")]
        indexes = [models.Index(fields=["channel_key", "status"], name="alert_delivery_due_idx")]

    def __str__(self):
        return f"{self.alert_id} {self.kind} {self.status}"
