"""Provider concerns and their four-stage escalation (manual 003)."""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Case, Q, Value, When
from simple_history.models import HistoricalRecords

from registers.models.authorities import authority_field


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


def stage_limit() -> timedelta:
    """No stage may last longer than this (10 days in manual 003)."""
    return timedelta(days=settings.CONCERN_STAGE_DAYS)


def stage_overdue_q(*, today: date) -> Q:
    """An open concern whose current stage has run past its limit."""
    return Q(closed_on__isnull=True, stage_started_on__lt=today - stage_limit())


class ConcernQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_on__isnull=True)

    def stage_overdue(self, *, today: date):
        return self.filter(stage_overdue_q(today=today))

    def with_overdue(self, *, today: date):
        """Annotate ``is_overdue`` from the same rule as ``stage_overdue()``."""
        return self.annotate(
            is_overdue=Case(
                When(stage_overdue_q(today=today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )


class Concern(models.Model):
    authority = authority_field()
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

    objects = ConcernQuerySet.as_manager()
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
        """The last day of the current stage: the date the lists show."""
        if not self.stage_started_on:
            return None
        return self.stage_started_on + stage_limit()
