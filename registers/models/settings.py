"""Settings: the Ofsted-registered (or unregulated) places a provider runs."""

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from registers.models.inspections import FULL_SCALE_CHOICES, JUDGEMENT_RANK
from registers.ofsted_vocabulary import local_authority_spelling, provision_type_spelling
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


# A setting in use that reaches one of these is flagged for placement review.
ENDED_STATUSES = (
    RegistrationStatus.SUSPENDED,
    RegistrationStatus.RESIGNED,
    RegistrationStatus.CLOSED,
    RegistrationStatus.CANCELLED,
)


class Trend(models.TextChoices):
    IMPROVED = "improved", "Improved"
    DECLINED = "declined", "Declined"
    SAME = "same", "Same"
    FIRST = "first", "First inspection"


# Kept from the inspections by services/inspections.py alone, in the same
# transaction as the inspections: never by a form, an import row or a revert.
RATING_FIELDS = (
    "current_rating",
    "current_rating_rank",
    "previous_rating",
    "trend",
    "latest_full_inspection_date",
)


def rating_columns(latest_full: Sequence[tuple[str, date]]) -> dict:
    """The rating columns from a setting's full inspections, newest first,
    as (overall, inspection_date) pairs."""
    current, when = latest_full[0] if latest_full else ("", None)
    previous = latest_full[1][0] if len(latest_full) > 1 else ""
    current_rank = JUDGEMENT_RANK.get(current)
    previous_rank = JUDGEMENT_RANK.get(previous)
    if not current:
        trend = ""
    elif not previous:
        trend = Trend.FIRST
    elif current_rank is None or previous_rank is None:
        trend = ""
    elif current_rank < previous_rank:
        trend = Trend.IMPROVED
    elif current_rank > previous_rank:
        trend = Trend.DECLINED
    else:
        trend = Trend.SAME
    return {
        "current_rating": current,
        "current_rating_rank": current_rank,
        "previous_rating": previous,
        "trend": trend,
        "latest_full_inspection_date": when,
    }


class Setting(models.Model):
    urn = models.CharField(
        "Ofsted URN",
        max_length=8,
        unique=True,  # NULLs do not clash: many unregulated settings have no URN
        null=True,
        blank=True,
        validators=[validate_urn],
        help_text="SC followed by 6 digits, 7 digits for newer registrations or 6 digits for "
        "some older ones. Empty for a setting Ofsted does not register (unregulated or "
        "supported accommodation).",
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
    provision_type_as_published = models.CharField(
        "provision type as Ofsted wrote it",
        max_length=120,
        blank=True,
        editable=False,
        help_text="Kept when Ofsted's spelling differs from the register's.",
    )
    registration_status = models.CharField(
        max_length=20, choices=RegistrationStatus.choices, default=RegistrationStatus.ACTIVE
    )
    registration_status_since = models.DateField(
        "status since", null=True, blank=True, help_text="When the registration status took effect."
    )
    registration_date = models.DateField(null=True, blank=True)
    places = models.PositiveIntegerField(null=True, blank=True)
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    county = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True, validators=[validate_postcode])
    local_authority = models.CharField(max_length=100, blank=True)
    local_authority_as_published = models.CharField(
        "local authority as Ofsted wrote it", max_length=100, blank=True, editable=False
    )
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
    placement_review_required = models.BooleanField(default=False)
    placement_review_since = models.DateField(null=True, blank=True)
    placement_review_reason = models.CharField(max_length=300, blank=True)
    # The enforcement in force (services/enforcements.py keeps them from its records).
    compliance_notice_on = models.DateField(
        "compliance notice served on", null=True, blank=True, editable=False
    )
    accommodation_restriction_on = models.DateField(
        "restriction on accommodation from", null=True, blank=True, editable=False
    )
    # The rating columns (RATING_FIELDS): a copy of what the inspections say,
    # so that lists filter and sort on a column, not a subquery per row.
    current_rating = models.CharField(
        max_length=30, choices=FULL_SCALE_CHOICES, blank=True, default="", editable=False
    )
    current_rating_rank = models.PositiveSmallIntegerField(
        null=True, blank=True, editable=False, help_text="1 Outstanding ... 4 Inadequate."
    )
    previous_rating = models.CharField(
        max_length=30, choices=FULL_SCALE_CHOICES, blank=True, default="", editable=False
    )
    trend = models.CharField(
        max_length=10, choices=Trend.choices, blank=True, default="", editable=False
    )
    latest_full_inspection_date = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The rating columns are derived: reverting a setting must not bring back an old rating.
    history = HistoricalRecords(excluded_fields=list(RATING_FIELDS))

    class Meta:
        ordering = ["urn"]
        indexes = [
            models.Index(fields=["provision_type"]),
            models.Index(fields=["local_authority"]),
            models.Index(fields=["registration_status"]),
            models.Index(fields=["enhanced_monitoring"]),
            models.Index(fields=["name"]),
            models.Index(fields=["placement_review_required"]),
            models.Index(fields=["current_rating"]),
            models.Index(fields=["trend"]),
            models.Index(fields=["current_rating_rank", "id"]),
            models.Index(fields=["latest_full_inspection_date"]),
        ]
        permissions = [
            ("import_setting", "Can import settings"),
            ("export_setting", "Can export settings"),
            ("choose_use_setting", "Can opt the council in or out of using a setting"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.urn or 'no URN'})"

    def save(self, *args, **kwargs):
        # An edit never writes the rating columns: a form loaded before an
        # inspection was recorded must not put the old rating back.
        if not self._state.adding and self.pk and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in RATING_FIELDS
            ]
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.name or f"{self.provision_type or 'Setting'} (name withheld)"

    def clean(self) -> None:
        self.urn = normalise_urn(self.urn) or None  # stored as NULL: unique only where present
        if self.urn:
            # Checked here too: the services call clean(), not the field validators.
            try:
                validate_urn(self.urn)
            except ValidationError as exc:
                raise ValidationError({"urn": exc.messages}) from exc
        self.postcode = normalise_postcode(self.postcode)
        self.provision_type = provision_type_spelling(self.provision_type)[0]
        self.local_authority = local_authority_spelling(self.local_authority)[0]
