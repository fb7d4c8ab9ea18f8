"""Provider concerns and their four-stage escalation (manual 003)."""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class ConcernCategory(models.TextChoices):
    SAFEGUARDING = "safeguarding", "Safeguarding"
    QUALITY = "quality", "Quality"
    CONTRACT_COMPLIANCE = "contract_compliance", "Contract compliance"
    FINANCIAL = "financial", "Financial"
    OTHER = "other", "Other"


class ConcernStage(models.IntegerChoices):
    PRACTITIONER = 1, "1: practitioner"
    MANAGER = 2, "2: line or commissioning manager"
    FORMAL_LETTER = 3, "3: formal letter to the provider"
    SAFEGUARDING_PARTNERSHIP = 4, "4: safeguarding partnership"


class Concern(models.Model):
    provider = models.ForeignKey(
        "registers.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns",
    )
    setting = models.ForeignKey(
        "registers.Setting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns",
    )
    raised_on = models.DateField()
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    category = models.CharField(max_length=30, choices=ConcernCategory.choices)
    description = models.TextField()
    stage = models.PositiveSmallIntegerField(
        choices=ConcernStage.choices, default=ConcernStage.PRACTITIONER, editable=False
    )
    stage_started_on = models.DateField(editable=False)
    outcome = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(setting__isnull=False) | Q(provider__isnull=False),
                name="concern_names_provider_or_setting",
                violation_error_message="Name the provider, the setting, or both.",
            ),
        ]
        indexes = [models.Index(fields=["closed_on", "stage"])]

    def __str__(self) -> str:
        subject = self.setting or self.provider
        return f"{self.get_category_display()} concern about {subject}"

    @property
    def stage_due_on(self) -> date | None:
        # No stage may last longer than 10 days (manual 003).
        if not self.stage_started_on:
            return None
        return self.stage_started_on + timedelta(days=settings.CONCERN_STAGE_DAYS)
