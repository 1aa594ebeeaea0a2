from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import SocialAccount


class RunSource(models.TextChoices):
    API = "api", _("平台接口")
    FILE = "file", _("导出文件")
    SANDBOX = "sandbox", _("沙盒")


# Runs that read a platform (not a file): the ones "last synced" and the account's sync health speak of.
PLATFORM_SOURCES = (RunSource.API, RunSource.SANDBOX)


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    RETRYING = "retrying", _("等待重试")
    PARSING = "parsing", _("读取文件中")  # an import reading its file (rows_read so far)
    SUCCEEDED = "succeeded", _("成功")
    DEFERRED = "deferred", _("已推迟（配额）")
    FAILED = "failed", _("失败")
    SKIPPED = "skipped", _("无可读取内容")


# A run in one of these states is over: it has a finish time and never changes again.
FINISHED = (RunStatus.SUCCEEDED, RunStatus.DEFERRED, RunStatus.FAILED, RunStatus.SKIPPED)


class IngestionRun(models.Model):
    """One ingest of one account's window, from an API or a file: what ops look at.

    Its status is the one thing it is doing (check constraints keep the timestamps in line):
    queued (not started), running, retrying (`attempt` failed transiently; the next one is due at
    `next_attempt_at`), or finished as succeeded, deferred (quota), failed or skipped (nothing to read).
    """

    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="ingestion_runs")
    source = models.CharField(max_length=16, choices=RunSource.choices)
    kind = models.CharField(max_length=32, blank=True, help_text="file format, or the connector")
    file_name = models.CharField(max_length=255, blank=True)
    window_start = models.DateField(null=True, blank=True)
    window_end = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    rows_written = models.IntegerField(default=0)
    rows_by_table = models.JSONField(default=dict, blank=True, help_text="rows written per table")
    requests_made = models.IntegerField(default=0, help_text="platform answers received by the last attempt")
    attempt = models.PositiveSmallIntegerField(default=0, help_text="attempts started so far")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    error_detail = models.JSONField(default=dict, blank=True, help_text="platform, endpoint and code of the error")
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Rows this run changed that another source had written, per table and source: {"account_days": {"api": 3}}
    replaced = models.JSONField(default=dict, blank=True)
    # Imports: progress while parsing, and the outcome (rows per table, or every problem) when done.
    rows_read = models.IntegerField(default=0, help_text="file rows read so far (imports)")
    import_report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["account", "-created_at"], name="run_account_idx"),
            models.Index(fields=["status", "-created_at"], name="run_status_idx"),
        ]
        constraints = [
            # A run still going has no finish time, and only a retrying run has a next attempt.
            models.CheckConstraint(
                condition=Q(status__in=FINISHED) | Q(finished_at__isnull=True),
                name="run_unfinished_has_no_end",
            ),
            models.CheckConstraint(
                condition=Q(status=RunStatus.RETRYING, next_attempt_at__isnull=False)
                | (~Q(status=RunStatus.RETRYING) & Q(next_attempt_at__isnull=True)),
                name="run_next_attempt_iff_retrying",
            ),
        ]

    def __str__(self):
        return f"{self.account_id} {self.source} {self.window_start}..{self.window_end} {self.status}"


class SeriesProgress(models.Model):
    """How far one series of an account (its account days, post snapshots, campaign days) has been
    read from the platform API: tonight's window starts the day after `last_day`."""

    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="series_progress")
    series = models.CharField(max_length=32)
    last_day = models.DateField()
    # The first day the platform still called provisional (WeChat `is_delay`): re-read until final.
    provisional_from = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "series"], name="uniq_series_progress")]

    def __str__(self):
        return f"{self.account_id} {self.series} ≤ {self.last_day}"


class SeriesGap(models.Model):
    """A day a series was never read and can no longer be: a snapshot-only API only tells the present,
    and history APIs only reach so far back. Recorded so the data page and KPI coverage can tell."""

    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="series_gaps")
    series = models.CharField(max_length=32)
    date = models.DateField()
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account", "series", "date"]
        constraints = [models.UniqueConstraint(fields=["account", "series", "date"], name="uniq_series_gap")]

    def __str__(self):
        return f"{self.account_id} {self.series} {self.date}: {self.reason}"
class ImportUpload(models.Model):
    """An uploaded import file waiting for its worker, in 1 MiB pieces: every worker on every
    machine can read it, a piece at a time, and it goes when its run is done (or deleted)."""

    run = models.ForeignKey(IngestionRun, on_delete=models.CASCADE, related_name="upload_pieces")
    position = models.PositiveIntegerField()
    content = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "position"], name="uniq_upload_piece")]

    def __str__(self):
        return f"run {self.run_id} piece {self.position}"
