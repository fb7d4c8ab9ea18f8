"""Provider concerns and their four-stage escalation (manual 003)."""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Case, Q, Value, When
from simple_history.models import HistoricalRecords

from registers.models.authorities import authority_field
from registers.storage import concern_letter_storage


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
    """No stage may last longer than this (10 days in manual 003). The one read
    of the limit: a per-council setting would replace it here."""
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
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns_owned",
        help_text="Who sees the concern through: reminded when a stage runs past its limit. "
        "Empty: the person who raised it.",
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


class ConcernEscalation(models.Model):
    """One escalation of a concern to its next stage: when, by whom, and who was told.
    Written only by services/concerns.py concern_escalate."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="escalations")
    stage = models.PositiveSmallIntegerField(choices=ConcernStage.choices)
    started_on = models.DateField("stage started on")
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    informed_on = models.DateField("people informed on", null=True, blank=True)
    informed_iro = models.BooleanField("Independent Reviewing Officer informed", default=False)
    informed_provider = models.BooleanField("provider informed", default=False)
    informed_head_of_service = models.BooleanField("Head of Service informed", default=False)
    informed_safeguarding_partnership = models.BooleanField(
        "Safeguarding Partnership informed", default=False
    )
    informed_others = models.CharField(
        "others informed", max_length=300, blank=True, help_text="Names or roles, if any."
    )
    notes = models.TextField(blank=True)
    letter = models.FileField(
        "escalation letter",
        upload_to="concern-letters/%Y/%m/",
        storage=concern_letter_storage,
        blank=True,
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["concern", "stage", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["concern", "stage"],
                name="one_escalation_per_concern_stage",
                violation_error_message="The concern has already reached this stage.",
            ),
            models.CheckConstraint(
                condition=~Q(stage=ConcernStage.SAFEGUARDING_PARTNERSHIP)
                | Q(informed_safeguarding_partnership=True),
                name="stage_4_informs_safeguarding_partnership",
                violation_error_message="Stage 4 records that the Safeguarding Partnership "
                "was informed.",
            ),
        ]

    def __str__(self) -> str:
        return f"Stage {self.stage} on {self.started_on:%d/%m/%Y}"

    @property
    def informed_list(self) -> list[str]:
        """Who was told, in words, for lists and the letter."""
        names = [
            label
            for flag, label in (
                (self.informed_iro, "IRO"),
                (self.informed_provider, "Provider"),
                (self.informed_head_of_service, "Head of Service"),
                (self.informed_safeguarding_partnership, "Safeguarding Partnership"),
            )
            if flag
        ]
        if self.informed_others.strip():
            names.append(self.informed_others.strip())
        return names
