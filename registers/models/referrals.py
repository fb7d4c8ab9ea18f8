"""Brokerage referrals (Leicestershire, seed 004): Part A, the referral a
child's allocated worker makes, and the days and times it asks for.

The child is named by initials and case ID only: no name, date of birth or
address is held. Providers never see either (see referral_rounds).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from registers.models.authorities import authority_field
from registers.validators import validate_case_id, validate_initials, validate_postcode_district


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    SENT = "sent", "Sent"
    CLOSED = "closed", "Responses closed"
    AWARDED = "awarded", "Awarded"
    AGREED = "agreed", "Placement agreed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    NOT_PLACED = "not_placed", "Not placed"


# A referral in one of these is over: it changes no more.
ENDED_STATUSES = (ReferralStatus.AGREED, ReferralStatus.WITHDRAWN, ReferralStatus.NOT_PLACED)


class ServiceType(models.TextChoices):
    SHORT_BREAKS = "short_breaks", "Short breaks (play and leisure)"
    DOMICILIARY = "domiciliary", "Domiciliary care (home care)"


class AgeBand(models.TextChoices):
    UNDER_5 = "0-4", "0 to 4"
    FIVE_TO_ELEVEN = "5-11", "5 to 11"
    TWELVE_TO_FIFTEEN = "12-15", "12 to 15"
    SIXTEEN_PLUS = "16-18", "16 to 18"


# Part A's text boxes a worker must fill: "None" or "N/A", never blank (seed 004).
REQUIRED_TEXT = ("needs", "travel_limits", "additional_notes")


class Referral(models.Model):
    authority = authority_field()
    case_id = models.CharField("case ID", max_length=20, validators=[validate_case_id])
    child_initials = models.CharField(
        max_length=4,
        validators=[validate_initials],
        help_text="Initials only: the portal holds no names of children.",
    )
    age_band = models.CharField(max_length=10, choices=AgeBand.choices)
    service_type = models.CharField(max_length=20, choices=ServiceType.choices)
    lot = models.ForeignKey(
        "registers.Lot",
        on_delete=models.PROTECT,
        related_name="referrals",
        help_text="The framework lot the referral goes out under.",
    )
    needs = models.TextField(
        "support requirements",
        help_text="What the support must do, objectively. Other people as Mum, Dad, carer.",
    )
    start_date = models.DateField()
    end_date = models.DateField()
    area = models.CharField(
        "area (postcode district)",
        max_length=8,
        validators=[validate_postcode_district],
        help_text="The postcode district only, e.g. LE4: never the full postcode.",
    )
    travel_limits = models.TextField(help_text='Write "None" if there are none.')
    additional_notes = models.TextField(help_text='Write "None" if there are none.')
    providers_to_avoid = models.ManyToManyField(
        "registers.Provider", blank=True, related_name="+", verbose_name="providers to avoid"
    )
    requested_provider = models.ForeignKey(
        "registers.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_provider_reason = models.TextField(
        blank=True,
        help_text="The impact on the child: 'knows the family' is not a reason.",
    )
    allocated_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="referrals",
        help_text="The officer responsible for the referral: they may change it.",
    )
    panel_date = models.DateField(
        "Resource Allocation Panel or emergency plan date", null=True, blank=True
    )
    play_scheme_year = models.PositiveSmallIntegerField(
        "summer play scheme year (Annex 1)",
        null=True,
        blank=True,
        help_text="Only for a summer play scheme request: held until January of that year.",
    )
    play_scheme_days = models.PositiveSmallIntegerField(
        "summer play scheme days", default=0, help_text="At most 5 days (council setting)."
    )
    urgent = models.BooleanField(
        default=False, help_text="Providers get 2 working days to respond instead of 5."
    )
    status = models.CharField(
        max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT, editable=False
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    approved_on = models.DateField(null=True, blank=True, editable=False)
    response_deadline = models.DateField(null=True, blank=True, editable=False)
    awarded_provider = models.ForeignKey(
        "registers.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awarded_referrals",
        editable=False,
    )
    award_reason = models.TextField(blank=True, editable=False)
    contract = models.OneToOneField(
        "registers.Contract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referral",
        editable=False,
    )
    ended_reason = models.TextField("reason withdrawn or not placed", blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[providers_to_avoid])

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "response_deadline"]),
            models.Index(fields=["allocated_worker", "status"]),
        ]
        permissions = [
            ("approve_referral", "Can approve referrals (manager)"),
            ("respond_referral", "Can record providers' responses to referrals"),
            ("view_placements_referral", "Can see awarded placements at settings one visits"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="referral_end_not_before_start",
                violation_error_message="The end date cannot be before the start date.",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The only name providers see: no initials, no case ID."""
        return f"BR{self.pk:05d}" if self.pk else "New referral"

    @property
    def is_ended(self) -> bool:
        return self.status in ENDED_STATUSES

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date cannot be before the start date."
        if bool(self.play_scheme_year) != bool(self.play_scheme_days):
            errors["play_scheme_days"] = (
                "Give both the play scheme's year and its days, or neither."
            )
        if self.requested_provider_id and not (self.requested_provider_reason or "").strip():
            errors["requested_provider_reason"] = (
                "Give the reason this provider is required: the impact on the child."
            )
        if errors:
            raise ValidationError(errors)


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class ReferralSchedule(models.Model):
    """One line of Part A's table: when support is needed, never in free text."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="schedule")
    day = models.PositiveSmallIntegerField(choices=Weekday.choices)
    times = models.CharField(
        max_length=50, help_text="e.g. 15:30 to 18:30, or 'morning, flexible'."
    )
    hours = models.DecimalField(
        "hours",
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(24)],
    )
    term_time_only = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["day", "id"]
        verbose_name = "day and time"
        verbose_name_plural = "days, times and hours"

    def __str__(self) -> str:
        return f"{self.get_day_display()} {self.times} ({self.hours} h)"
