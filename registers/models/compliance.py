"""Compliance documents: a provider's or a setting's insurance, certificates and
policies, each with an expiry date.

They belong to shared records (providers and settings), so every authority on
the install sees the same documents: a gas safety certificate is the setting's,
not one council's.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from simple_history.models import HistoricalRecords

from registers.models.contracts import DOCUMENT_EXTENSIONS
from registers.models.providers import Provider
from registers.models.settings import Setting
from registers.storage import compliance_storage


class ComplianceDocumentKind(models.Model):
    """A managed list: managers add kinds and set their default validity."""

    name = models.CharField(max_length=100, unique=True)
    default_validity_months = models.PositiveSmallIntegerField(
        "default validity (months)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(120)],
        help_text="A document's expiry date defaults to its issue date plus this. "
        "Empty: documents of this kind do not expire unless a date is given.",
    )
    required_for_settings_in_use = models.BooleanField(
        default=False,
        help_text="Every setting in use must hold a current one, on the setting or "
        "on its provider.",
    )
    checked_for_placements = models.BooleanField(
        default=False,
        help_text="A placement check in supported or unregulated accommodation shows "
        "this kind's status for the setting (manual 003's provider checks).",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ComplianceDocumentQuerySet(models.QuerySet):
    def current(self, *, today: date):
        """Not expired: no expiry date, or one today or later."""
        return self.filter(Q(expiry_date__isnull=True) | Q(expiry_date__gte=today))

    def not_replaced(self):
        """Documents no later document of the same kind, for the same provider or
        setting, replaces (a renewed certificate ends the old one's warnings)."""
        later = ComplianceDocument.objects.filter(kind=OuterRef("kind")).filter(
            Q(expiry_date__isnull=True) | Q(expiry_date__gt=OuterRef("expiry_date"))
        )
        # One of provider and setting is NULL: each is compared only where it is set.
        replaced = Q(provider__isnull=False, setting__isnull=True) & Q(
            Exists(later.filter(provider=OuterRef("provider"), setting__isnull=True))
        ) | Q(setting__isnull=False) & Q(Exists(later.filter(setting=OuterRef("setting"))))
        return self.exclude(replaced)

    def expired(self, *, today: date):
        return self.filter(expiry_date__lt=today).not_replaced()

    def expiring(self, *, today: date, within_days: int):
        """Expiring from today to ``within_days`` ahead, not yet replaced."""
        return self.filter(
            expiry_date__gte=today, expiry_date__lte=today + timedelta(days=within_days)
        ).not_replaced()


class ComplianceDocument(models.Model):
    kind = models.ForeignKey(
        ComplianceDocumentKind, on_delete=models.PROTECT, related_name="documents"
    )
    provider = models.ForeignKey(
        Provider,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="compliance_documents",
        help_text="The provider it belongs to, or leave empty and name a setting.",
    )
    setting = models.ForeignKey(
        Setting,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="compliance_documents",
        help_text="For a setting's own document (gas safety, electrical report).",
    )
    reference = models.CharField(
        max_length=200, blank=True, help_text="Policy or certificate number, or a short note."
    )
    issue_date = models.DateField(null=True, blank=True)
    expiry_date = models.DateField(
        null=True,
        blank=True,
        help_text="Leave empty to take the kind's default validity from the issue date.",
    )
    file = models.FileField(
        upload_to="compliance/%Y/%m/",
        storage=compliance_storage,
        blank=True,
        validators=[FileExtensionValidator(DOCUMENT_EXTENSIONS)],
    )
    checked_on = models.DateField(
        null=True, blank=True, help_text="When the document was checked against the original."
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who recorded the check.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ComplianceDocumentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["expiry_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(provider__isnull=False, setting__isnull=True)
                    | Q(provider__isnull=True, setting__isnull=False)
                ),
                name="compliance_document_one_holder",
                violation_error_message="Name either a provider or a setting, not both.",
            ),
            models.CheckConstraint(
                condition=Q(expiry_date__isnull=True)
                | Q(issue_date__isnull=True)
                | Q(expiry_date__gte=F("issue_date")),
                name="compliance_document_expiry_after_issue",
                violation_error_message="The expiry date cannot be before the issue date.",
            ),
        ]
        indexes = [models.Index(fields=["expiry_date"])]

    def __str__(self) -> str:
        holder = self.setting or self.provider
        return f"{self.kind} ({holder})" if holder else str(self.kind)

    def clean(self) -> None:
        if bool(self.provider_id) == bool(self.setting_id):
            raise ValidationError(
                {"provider": "Name either a provider or a setting (exactly one)."}
            )
        if self.issue_date and self.expiry_date and self.expiry_date < self.issue_date:
            raise ValidationError(
                {"expiry_date": "The expiry date cannot be before the issue date."}
            )
