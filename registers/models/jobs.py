"""What every background job (an import, an export) keeps for its page: whose it
is, how far the worker has got, and when it ended. Any app server's request
reads it while a worker writes it."""

from django.conf import settings
from django.db import models


class BackgroundJob(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255)
    return_url = models.CharField(max_length=255, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When a worker last recorded progress: a worker killed mid-job leaves the job
    # at its last stage, and the page says how long it has been still.
    progressed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # Statuses the worker is not on (the page stops polling), and those shown full.
    AT_REST: tuple[str, ...] = ()
    COMPLETE: tuple[str, ...] = ()

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in self.AT_REST

    @property
    def percent(self) -> int:
        if self.status in self.COMPLETE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)
