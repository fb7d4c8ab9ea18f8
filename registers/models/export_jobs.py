"""A large export run by a background worker: the rows it exports, its progress,
and the file it made, which only the user who asked for it can download."""

from django.db import models

from registers.models.jobs import BackgroundJob


class ExportJobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    WRITING = "writing", "Writing rows"
    DONE = "done", "Ready to download"
    FAILED = "failed", "Failed"


class ExportJob(BackgroundJob):
    spec = models.CharField(max_length=200, help_text="Dotted path of the register's Spec.")
    file_format = models.CharField(max_length=200, help_text="Dotted path of the format.")
    # The columns this user could see on the record's page when they asked.
    columns = models.JSONField(default=list)
    # The rows of the list as it was filtered, searched and sorted, in its order.
    ids = models.JSONField(default=list)
    select_related = models.JSONField(default=list)
    status = models.CharField(
        max_length=10, choices=ExportJobStatus.choices, default=ExportJobStatus.QUEUED
    )
    stored_name = models.CharField(max_length=255, blank=True)

    AT_REST = (ExportJobStatus.DONE, ExportJobStatus.FAILED)
    COMPLETE = (ExportJobStatus.DONE,)

    class Meta(BackgroundJob.Meta):
        verbose_name = "background export"
