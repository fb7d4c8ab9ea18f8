"""Ofsted's enforcement on a setting: a compliance notice or a restriction on
accommodation, each recorded with the day it was imposed and the day it was
lifted. Written only by services/enforcements.py, which keeps the setting's
two date columns (the current notice and restriction) from these rows."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords


class EnforcementKind(models.TextChoices):
    COMPLIANCE_NOTICE = "compliance_notice", "Compliance notice"
    ACCOMMODATION_RESTRICTION = "accommodation_restriction", "Restriction on accommodation"


class EnforcementQuerySet(models.QuerySet):
    def active(self):
        return self.filter(lifted_on__isnull=True)


class Enforcement(models.Model):
    setting = models.ForeignKey(
        "registers.Setting", on_delete=models.PROTECT, related_name="enforcements"
    )
    kind = models.CharField(max_length=30, choices=EnforcementKind.choices)
    imposed_on = models.DateField("imposed on")
    note = models.TextField(blank=True, help_text="What Ofsted required, and by when.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    lifted_on = models.DateField("lifted on", null=True, blank=True, editable=False)
    lifted_note = models.TextField("why it was lifted", blank=True, editable=False)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EnforcementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-imposed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["setting", "kind"],
                condition=Q(lifted_on__isnull=True),
                name="one_active_enforcement_per_kind",
                violation_error_message="The setting already has one in force.",
            ),
            models.CheckConstraint(
                condition=Q(lifted_on__isnull=True) | Q(lifted_on__gte=F("imposed_on")),
                name="enforcement_lifted_after_imposed",
                violation_error_message="It cannot be lifted before it was imposed.",
            ),
        ]
        indexes = [models.Index(fields=["setting", "lifted_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.imposed_on:%d/%m/%Y}"

    @property
    def is_active(self) -> bool:
        return self.lifted_on is None
