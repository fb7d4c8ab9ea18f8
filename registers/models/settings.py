"""Settings: the Ofsted-registered (or unregulated) places a provider runs."""

from django.db import models
from simple_history.models import HistoricalRecords

from registers.validators import (
    normalise_postcode,
    normalise_urn,
    validate_education_urn,
    validate_postcode,
    validate_urn,
)


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
        "registers.Provider",
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
