"""The approved provider list: organisations and the settings they run."""

import re

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from registers.validators import (
    normalise_company_number,
    normalise_postcode,
    normalise_urn,
    validate_charity_number,
    validate_company_number,
    validate_education_urn,
    validate_postcode,
    validate_urn,
)

LEGAL_SUFFIXES = re.compile(r"\b(limited|ltd|plc|llp|llc|cic|the|uk)\b")


def normalise_provider_name(name: str) -> str:
    """Key for matching the same organisation written differently.

    "The Acme Care Ltd." and "ACME CARE LIMITED" give the same key.
    """
    value = (name or "").lower().replace("&", " and ")
    value = re.sub(r"[^\w\s]", " ", value)
    value = LEGAL_SUFFIXES.sub(" ", value)
    return " ".join(value.split())


class ApprovalStatus(models.TextChoices):
    APPLICANT = "applicant", "Applicant"
    APPROVED = "approved", "Approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approved with conditions"
    SUSPENDED = "suspended", "Suspended"
    REMOVED = "removed", "Removed"


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
            models.Index(fields=["name"]),
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
        # A derived lookup key, kept in step with the name on every save.
        self.normalised_name = normalise_provider_name(self.name)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.name = " ".join((self.name or "").split())
        self.company_number = normalise_company_number(self.company_number)
        self.charity_number = (self.charity_number or "").strip().upper()
        self.postcode = normalise_postcode(self.postcode)


class RegistrationStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    RESIGNED = "resigned", "Resigned"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class Setting(models.Model):
    urn = models.CharField(
        "Ofsted URN",
        max_length=8,
        unique=True,
        validators=[validate_urn],
        help_text="SC followed by 6 digits, or 7 digits for newer registrations.",
    )
    linked_education_urn = models.CharField(
        max_length=7, blank=True, validators=[validate_education_urn]
    )
    provider = models.ForeignKey(
        Provider,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="settings",
        help_text="Empty when Ofsted's file did not name the owner: listed for matching.",
    )
    name = models.CharField(
        max_length=200, blank=True, help_text="Empty when Ofsted redacts it (children's homes)."
    )
    provision_type = models.CharField(max_length=120)
    registration_status = models.CharField(
        max_length=20, choices=RegistrationStatus.choices, default=RegistrationStatus.ACTIVE
    )
    registration_date = models.DateField(null=True, blank=True)
    places = models.PositiveIntegerField(null=True, blank=True)
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    county = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True, validators=[validate_postcode])
    local_authority = models.CharField(max_length=100, blank=True)
    ofsted_region = models.CharField(max_length=60, blank=True)
    ofsted_sector = models.CharField("Ofsted sector", max_length=40, blank=True)
    is_short_breaks_only = models.BooleanField("short-breaks only", default=False)
    is_multi_building = models.BooleanField("multi-building home", default=False)
    owner_name_from_ofsted = models.CharField(
        "owner named by Ofsted", max_length=200, blank=True, editable=False
    )
    enhanced_monitoring = models.BooleanField(default=False)
    enhanced_monitoring_since = models.DateField(null=True, blank=True)
    enhanced_monitoring_inspection = models.ForeignKey(
        "registers.Inspection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The inspection that put the setting under enhanced monitoring.",
    )
    compliance_notice_on = models.DateField("compliance notice served on", null=True, blank=True)
    accommodation_restriction_on = models.DateField(
        "restriction on accommodation from", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["urn"]
        indexes = [
            models.Index(fields=["provision_type"]),
            models.Index(fields=["local_authority"]),
            models.Index(fields=["registration_status"]),
            models.Index(fields=["enhanced_monitoring"]),
            models.Index(fields=["name"]),
        ]
        permissions = [
            ("import_setting", "Can import settings"),
            ("export_setting", "Can export settings"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.urn})"

    @property
    def display_name(self) -> str:
        return self.name or f"{self.provision_type or 'Setting'} (name withheld)"

    def clean(self) -> None:
        self.urn = normalise_urn(self.urn)
        self.postcode = normalise_postcode(self.postcode)
