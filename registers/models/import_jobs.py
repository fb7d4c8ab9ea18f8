"""A large import confirmed by a user and run by a background worker.

The row is the import's state that any app server can read: the progress bar
polls it, the result page shows it. Its writes are autocommitted outside the
import's own transaction, so they are visible while the import runs.
"""

from datetime import datetime

from django.db import models

from registers.models.jobs import BackgroundJob


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    READING = "reading", "Reading the file"
    CHECKING = "checking", "Checking rows"
    WRITING = "writing", "Writing"
    PREVIEWED = "previewed", "Checked: waiting for your confirmation"
    DONE = "done", "Imported"
    FAILED = "failed", "Failed: nothing was imported"
    CANCELLED = "cancelled", "Cancelled: nothing was imported"


class ImportJobMode(models.TextChoices):
    # A large file is checked on a worker too (the preview), then imported on
    # confirmation; a smaller one is checked in the request and only imported here.
    PREVIEW = "preview", "Check, then wait for confirmation"
    IMPORT = "import", "Import"


class ImportJob(BackgroundJob):
    spec = models.CharField(max_length=200, help_text="Dotted path of the importing Spec.")
    held_name = models.CharField(max_length=255, help_text="The upload in default storage.")
    mode = models.CharField(
        max_length=10, choices=ImportJobMode.choices, default=ImportJobMode.IMPORT
    )
    status = models.CharField(
        max_length=10, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED
    )
    task_id = models.CharField(max_length=64, blank=True)
    # What the user is shown when it ends: {"summary": [...], "follow_up": [...],
    # "problems": [{"row", "column", "message"}], "run_id": int | None}; a checked
    # preview keeps {"preview": ImportResult.as_data()}.
    outcome = models.JSONField(default=dict, blank=True)

    AT_REST = (
        ImportJobStatus.PREVIEWED,
        ImportJobStatus.DONE,
        ImportJobStatus.FAILED,
        ImportJobStatus.CANCELLED,
    )
    COMPLETE = (ImportJobStatus.DONE, ImportJobStatus.PREVIEWED)

    class Meta(BackgroundJob.Meta):
        verbose_name = "background import"

    def stalled_note(self, *, now: datetime, after_minutes: int) -> str:
        """What to tell the user when nothing has moved for ``after_minutes``."""
        if self.finished:
            return ""
        minutes = int((now - (self.progressed_at or self.created_at)).total_seconds() // 60)
        if minutes < after_minutes:
            return ""
        span = f"{minutes} minute{'' if minutes == 1 else 's'}"
        if self.status == ImportJobStatus.QUEUED:
            return (
                f"No worker has taken this import in {span}: none may be running; "
                "ask an administrator."
            )
        return f"No progress for {span}: the worker may have stopped; ask an administrator."
