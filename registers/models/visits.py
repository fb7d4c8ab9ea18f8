"""The quality-assurance visit schedule: visits and the officers' calendar feeds."""

import hashlib
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Case, Q, Value, When
from simple_history.models import HistoricalRecords

from registers.models.authorities import authority_field
from registers.models.common import Rag


class VisitKind(models.TextChoices):
    ANNOUNCED = "announced", "Announced"
    UNANNOUNCED = "unannounced", "Unannounced"


class VisitReason(models.TextChoices):
    ROUTINE = "routine", "Routine"
    RISK = "risk", "Risk-based"
    CONCERN = "concern", "Concern"
    POST_OFSTED = "post_ofsted", "Post-Ofsted follow-up"


class VisitStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    COMPLETED = "completed", "Completed"
    REPORT_ISSUED = "report_issued", "Report issued"
    CANCELLED = "cancelled", "Cancelled"


def overdue_q(*, today: date) -> Q:
    """A visit is overdue when it is still planned and its planned date has passed."""
    return Q(status=VisitStatus.PLANNED, planned_date__lt=today)


class VisitQuerySet(models.QuerySet):
    def overdue(self, *, today: date):
        return self.filter(overdue_q(today=today))

    def with_overdue(self, *, today: date):
        """Annotate ``is_overdue`` from the same rule as ``overdue()``."""
        return self.annotate(
            is_overdue=Case(
                When(overdue_q(today=today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )


class Visit(models.Model):
    authority = authority_field()
    setting = models.ForeignKey(
        "registers.Setting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
    )
    provider = models.ForeignKey(
        "registers.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="office_visits",
        help_text="For a visit to a provider's office rather than one setting.",
    )
    planned_date = models.DateField()
    kind = models.CharField(max_length=20, choices=VisitKind.choices, default=VisitKind.ANNOUNCED)
    reason = models.CharField(
        max_length=20, choices=VisitReason.choices, default=VisitReason.ROUTINE
    )
    lead_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_visits",
    )
    status = models.CharField(
        max_length=20, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    actual_date = models.DateField("date visited", null=True, blank=True)
    rag = models.CharField("RAG outcome", max_length=5, choices=Rag.choices, blank=True)
    findings = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    cancellation_reason = models.TextField(blank=True)
    report_issued_on = models.DateField(null=True, blank=True)
    triggered_by_inspection = models.ForeignKey(
        "registers.Inspection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="risk_visits",
        editable=False,
    )
    triggered_by_enforcement = models.ForeignKey(
        "registers.Enforcement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="risk_visits",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisitQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["planned_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(setting__isnull=False) | Q(provider__isnull=False),
                name="visit_has_setting_or_provider",
                violation_error_message="A visit is to a setting or a provider's office.",
            ),
        ]
        indexes = [
            # The default sort (the admin adds id to make it total).
            models.Index(fields=["planned_date", "id"]),
            models.Index(fields=["status", "planned_date"]),
            models.Index(fields=["lead_officer", "status", "planned_date"]),
            models.Index(fields=["setting", "reason", "status"]),
        ]
        permissions = [
            ("assign_visit", "Can assign visits to any QA officer"),
            ("import_visit", "Can import visits"),
            ("export_visit", "Can export visits"),
        ]

    def __str__(self) -> str:
        place = self.setting.display_name if self.setting_id else str(self.provider)
        return f"{self.get_reason_display()} visit to {place}, {self.planned_date:%d/%m/%Y}"


class CalendarFeed(models.Model):
    """A QA officer's private iCal feed. Only a hash of the secret is kept."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
