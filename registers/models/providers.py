"""The approved provider list: the organisations the council buys from."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from registers.validators import (
    normalise_company_number,
    normalise_postcode,
    normalise_provider_name,
    validate_charity_number,
    validate_company_number,
    validate_postcode,
)


class ApprovalStatus(models.TextChoices):
    APPLICANT = "applicant", "Applicant"
    APPROVED = "approved", "Approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approved with conditions"
    SUSPENDED = "suspended", "Suspended"
    REMOVED = "removed", "Removed"


# A provider in one of these may be placed with: its settings are in use.
IN_USE_APPROVAL_STATUSES = (ApprovalStatus.APPROVED, ApprovalStatus.APPROVED_WITH_CONDITIONS)


class Sector(models.TextChoices):
    PRIVATE = "private", "Private"
    VOLUNTARY = "voluntary", "Voluntary"
    LOCAL_AUTHORITY = "local_authority", "Local Authority"
    ACADEMY = "academy", "Academy"
    HEALTH_AUTHORITY = "health_authority", "Health Authority"


class Provider(models.Model):
    name = models.CharField(max_length=200)
    # Indexed matching key; kept beside the name because imports match on it.
    normalised_name = models.CharField(max_length=200, db_index=True, editable=False)
    trading_name = models.CharField(max_length=200, blank=True)
    company_number = models.CharField(
        "Companies House number",
        max_length=10,  # room for "SC 012345" as typed; stored as 8 characters
        blank=True,
        validators=[validate_company_number],
        help_text="8 digits, or 2 letters and 6 digits. Short legacy numbers are zero-padded.",
    )
    charity_number = models.CharField(
        max_length=12, blank=True, validators=[validate_charity_number]
    )
    sector = models.CharField(max_length=20, choices=Sector.choices, blank=True)
    is_sme = models.BooleanField(
        "SME", null=True, blank=True, help_text="Small or medium enterprise. Empty: not known."
    )
    is_vcse = models.BooleanField(
        "VCSE",
        null=True,
        blank=True,
        help_text="Voluntary, community or social enterprise. Empty: not known.",
    )
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    county = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True, validators=[validate_postcode])
    contact_name = models.CharField("main contact", max_length=200, blank=True)
    contact_email = models.EmailField("contact email", blank=True)
    contact_phone = models.CharField("contact phone", max_length=30, blank=True)
    approval_status = models.CharField(
        max_length=30, choices=ApprovalStatus.choices, default=ApprovalStatus.APPLICANT
    )
    approval_status_changed_on = models.DateField("status changed on", null=True, blank=True)
    approval_status_reason = models.TextField("reason for status", blank=True)
    approval_review_required = models.BooleanField(
        default=False, help_text="Set when one of its settings is judged Inadequate."
    )
    approval_review_reason = models.TextField(blank=True)
    approval_review_since = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company_number"],
                condition=~Q(company_number=""),
                name="provider_company_number_unique",
                violation_error_message="Another provider has this Companies House number.",
            ),
        ]
        indexes = [
            models.Index(fields=["approval_status", "name"]),
            models.Index(fields=["name", "id"]),
            models.Index(fields=["approval_review_required"]),
        ]
        permissions = [
            ("approve_provider", "Can approve, suspend or remove providers"),
            ("import_provider", "Can import providers"),
            ("export_provider", "Can export providers"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # The matching key follows the name on every save, however it is made.
        self.normalised_name = normalise_provider_name(self.name)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.name = " ".join((self.name or "").split())
        self.normalised_name = normalise_provider_name(self.name)
        self.company_number = normalise_company_number(self.company_number)
        self.charity_number = (self.charity_number or "").strip().upper()
        self.postcode = normalise_postcode(self.postcode)

    @property
    def is_in_use(self) -> bool:
        return self.approval_status in IN_USE_APPROVAL_STATUSES
