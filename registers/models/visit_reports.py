"""Visit reports: the PDF a QA visit produces, issued to the provider.

Each issue is a new version (re-issuing never overwrites the last one), with
whom it was sent to, the provider's response deadline and, once received, the
provider's response. The file is served only through registers.views.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from simple_history.models import HistoricalRecords

from registers.storage import visit_report_storage


class VisitReportQuerySet(models.QuerySet):
    def latest_versions(self):
        """Each visit's latest report: a later version supersedes an earlier one."""
        later = VisitReport.objects.filter(visit=OuterRef("visit"), version__gt=OuterRef("version"))
        return self.filter(~Exists(later))

    def response_overdue(self, *, today: date):
        """Latest versions whose response deadline has passed with no response."""
        return self.latest_versions().filter(response_overdue_q(today=today))


def response_overdue_q(*, today: date, prefix: str = "") -> Q:
    """A report's response is overdue when its deadline has passed and none was recorded."""
    return Q(**{f"{prefix}response_received_on__isnull": True}) & Q(
        **{f"{prefix}response_due__lt": today}
    )


class VisitReport(models.Model):
    visit = models.ForeignKey("registers.Visit", on_delete=models.PROTECT, related_name="reports")
    version = models.PositiveSmallIntegerField()
    file = models.FileField(
        upload_to="visit-reports/%Y/%m/", storage=visit_report_storage, editable=False
    )
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    sent_to = models.EmailField("sent to")
    response_due = models.DateField("provider's response due")
    provider_response = models.TextField("provider's response", blank=True)
    response_received_on = models.DateField("response received on", null=True, blank=True)
    response_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = VisitReportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["visit", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "version"],
                name="one_visit_report_per_version",
                violation_error_message="This visit already has a report of that version.",
            ),
        ]
        indexes = [models.Index(fields=["response_due"])]

    def __str__(self) -> str:
        return f"Visit report, version {self.version}"
