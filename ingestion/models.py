from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import SocialAccount


class RunSource(models.TextChoices):
    API = "api", _("平台接口")
    FILE = "file", _("导出文件")
    SANDBOX = "sandbox", _("沙盒")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    PARSING = "parsing", _("读取文件中")  # an import reading its file (rows_read so far)
    SUCCEEDED = "succeeded", _("成功")
    FAILED = "failed", _("失败")
    DEFERRED = "deferred", _("已推迟（配额）")


class IngestionRun(models.Model):
    """One ingest of one account's window, from an API or a file: what ops look at."""

    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="ingestion_runs")
    source = models.CharField(max_length=16, choices=RunSource.choices)
    kind = models.CharField(max_length=32, blank=True, help_text="file format, or the connector")
    file_name = models.CharField(max_length=255, blank=True)
    window_start = models.DateField(null=True, blank=True)
    window_end = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    rows_written = models.IntegerField(default=0)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Imports: progress while parsing, and the outcome (rows per table, or every problem) when done.
    rows_read = models.IntegerField(default=0, help_text="file rows read so far (imports)")
    import_report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["account", "-created_at"], name="run_account_idx"),
            models.Index(fields=["status", "-created_at"], name="run_status_idx"),
        ]

    def __str__(self):
        return f"{self.account_id} {self.source} {self.window_start}..{self.window_end} {self.status}"


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
