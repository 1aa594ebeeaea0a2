"""Report schedules per organization and every report built, with its files and deliveries."""

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from alerts.models import ChannelOwner


class Period(models.TextChoices):
    WEEK = "week", _("周报（每周一，上一个 ISO 周）")
    MONTH = "month", _("月报（每月 1 日，上个月）")


FORMATS = ("pdf", "xlsx")


class ReportSchedule(ChannelOwner):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="report_schedules")
    name = models.CharField(max_length=200)
    period = models.CharField(max_length=8, choices=Period.choices)
    formats = models.JSONField(default=list, help_text="pdf, xlsx")
    recipients = models.JSONField(default=list, blank=True, help_text="email addresses")
    send_at = models.TimeField(default=dt.time(9, 0), help_text="local time (TIME_ZONE) on the due day")
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization", "name", "pk"]

    def __str__(self):
        return self.name


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    BUILDING = "building", _("生成中")
    BUILT = "built", _("已生成")
    DELIVERED = "delivered", _("已发送")
    BUILD_FAILED = "build_failed", _("生成失败")
    DELIVERY_FAILED = "delivery_failed", _("发送失败")


FAILED_STATUSES = (ReportStatus.BUILD_FAILED, ReportStatus.DELIVERY_FAILED)


class Report(models.Model):
    """One report of one window. The files live in the database: web and worker may run on different
    machines (docker compose), and the database is what they share. Kept REPORT_RETENTION_DAYS."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="reports")
    schedule = models.ForeignKey(ReportSchedule, on_delete=models.CASCADE, null=True, blank=True, related_name="reports")
    start = models.DateField()
    end = models.DateField()
    status = models.CharField(max_length=16, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    error = models.TextField(blank=True)
    pdf = models.BinaryField(null=True, editable=False)
    xlsx = models.BinaryField(null=True, editable=False)
    pdf_size = models.PositiveIntegerField(default=0)
    xlsx_size = models.PositiveIntegerField(default=0)
    build_seconds = models.FloatField(null=True)
    deliveries = models.JSONField(default=list, help_text="[{kind, target (masked), ok, code, detail}]")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A schedule's period is built once (re-sending rebuilds the same row).
            models.UniqueConstraint(
                fields=["schedule", "start", "end"], condition=models.Q(schedule__isnull=False), name="uniq_report_period"
            ),
        ]
        indexes = [models.Index(fields=["organization", "-created_at"], name="report_org_created_idx")]

    def __str__(self):
        return f"{self.organization_id} {self.start}..{self.end} {self.status}"

    @property
    def failed(self) -> bool:
        return self.status in FAILED_STATUSES
