"""Import runs: each file imported, by whom, what it counted and what changed."""

from django.conf import settings
from django.db import models


class ImportRun(models.Model):
    file_name = models.CharField(max_length=255)
    kind = models.CharField("kind of file", max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the command line run without --user.",
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    rows_read = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, help_text="Per register: created, updated, ...")
    warnings = models.JSONField(default=list, help_text="Rows imported as published, and why.")
    follow_up = models.JSONField(default=list)
    # Rows of the "what changed" report: {"section", "urn", "setting", "local_authority",
    # "detail"}; the sections are REPORT_SECTIONS.
    report = models.JSONField(default=list)

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = "import run"

    def __str__(self) -> str:
        return f"{self.file_name} ({self.imported_at:%d/%m/%Y %H:%M})"


REPORT_SECTIONS = {
    "new_setting": "New settings in the council's area",
    "declined": "Rating declined",
    "improved": "Rating improved",
    "newly_concerning": "Newly Requires improvement or Inadequate, in use",
    "registration_ended": "Registration ended",
}
