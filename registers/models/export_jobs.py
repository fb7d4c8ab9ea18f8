"""A large export run by a background worker: the rows it exports, its progress,
and the file it made, which only the user who asked for it can download."""

from django.conf import settings
from django.db import models


class ExportJobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    WRITING = "writing", "Writing rows"
    DONE = "done", "Ready to download"
    FAILED = "failed", "Failed"


class ExportJob(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    spec = models.CharField(max_length=200, help_text="Dotted path of the register's Spec.")
    file_format = models.CharField(max_length=200, help_text="Dotted path of the format.")
    # The columns this user could see on the record's page when they asked.
    columns = models.JSONField(default=list)
    # The rows of the list as it was filtered, searched and sorted, in its order.
    ids = models.JSONField(default=list)
    select_related = models.JSONField(default=list)
    file_name = models.CharField(max_length=255)
    return_url = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        max_length=10, choices=ExportJobStatus.choices, default=ExportJobStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    stored_name = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    progressed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "background export"

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (ExportJobStatus.DONE, ExportJobStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == ExportJobStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)
