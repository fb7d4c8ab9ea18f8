"""Regulation 44 and 45 reports of children's homes.

Regulation 44: the independent person's monthly visit report. Regulation 45:
the registered manager's six-monthly review of the quality of care. They
belong to the setting (a shared record), so every authority sees them.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from registers.models.contracts import DOCUMENT_EXTENSIONS
from registers.models.settings import Setting
from registers.storage import regulation_report_storage

# Provision types that keep Regulation 44/45 reports (the Children's Homes
# (England) Regulations 2015 apply to each).
CHILDRENS_HOME_TYPES = (
    "Children's home",
    "Secure children's home",
    "Residential special school (registered as a children's home)",
)


class RegulationReportKind(models.TextChoices):
    REG44 = "reg44", "Regulation 44 (monthly independent visit)"
    REG45 = "reg45", "Regulation 45 (six-monthly quality review)"


class RegulationReport(models.Model):
    setting = models.ForeignKey(
        Setting, on_delete=models.CASCADE, related_name="regulation_reports"
    )
    kind = models.CharField(max_length=5, choices=RegulationReportKind.choices)
    period_start = models.DateField(
        help_text="Regulation 44: any day of the month visited (stored as the 1st)."
    )
    period_end = models.DateField(
        null=True,
        blank=True,
        help_text="Leave empty: the month's end (Regulation 44) or six months on (Regulation 45).",
    )
    received_on = models.DateField("date received")
    author = models.CharField(
        max_length=200, help_text="For Regulation 44, the independent visitor."
    )
    file = models.FileField(
        upload_to="regulation-reports/%Y/%m/",
        storage=regulation_report_storage,
        blank=True,
        validators=[FileExtensionValidator(DOCUMENT_EXTENSIONS)],
    )
    key_findings = models.TextField(blank=True)
    council_response = models.TextField("council's response", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_start", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["setting", "kind", "period_start"],
                name="one_regulation_report_per_period",
                violation_error_message="This setting already has that report for that period.",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="regulation_report_period_in_order",
                violation_error_message="The period cannot end before it starts.",
            ),
        ]
        indexes = [models.Index(fields=["setting", "kind", "period_start"])]

    def __str__(self) -> str:
        label = "Reg 44" if self.kind == RegulationReportKind.REG44 else "Reg 45"
        start = f"{self.period_start:%m/%Y}" if self.period_start else ""
        return f"{label} {start}".strip()

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": "The period cannot end before it starts."})
