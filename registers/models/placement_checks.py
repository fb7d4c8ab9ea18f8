"""Placement checks for unregulated and supported accommodation (manual 003's form).

A council's own record: the setting it checks is shared, the check belongs to
the authority placing the child. The child is named by initials and case ID
only: no name, date of birth or address is kept here.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import BooleanField, Case, F, Q, Value, When
from simple_history.models import HistoricalRecords

from registers.models.authorities import authority_field
from registers.validators import validate_case_id, validate_initials


class CareOrSupport(models.TextChoices):
    CARE = "care", "Care"
    SUPPORT = "support", "Support"


class StaticOrMobile(models.TextChoices):
    STATIC = "static", "Static placement"
    MOBILE = "mobile", "Mobile placement (a boat, a tent, no permanent base)"


class PlacementType(models.TextChoices):
    ONGOING = "ongoing", "Ongoing placement"
    CRISIS = "crisis", "Crisis placement (28 to 90 days)"
    HOLIDAY = "holiday", "Holiday away from a regulated placement (up to 28 days)"


# Crisis and holiday placements end on a set date, and are flagged as it nears.
TIME_LIMITED = (PlacementType.CRISIS, PlacementType.HOLIDAY)


class PlacementDecision(models.TextChoices):
    """Manual 003's fact sheet: whether the placement must be Ofsted registered."""

    REGULATED = "regulated", "Regulated: the setting is registered with Ofsted"
    UNREGULATED = "unregulated", "Unregulated: registration not required"
    HOLIDAY_EXCEPTION = (
        "holiday_exception",
        "Holiday exception: unregistered, up to 28 days from a regulated placement",
    )
    REFUSED = "refused", "Refused: care in a static placement must be registered"


class CheckOutcome(models.TextChoices):
    SATISFACTORY = "satisfactory", "Satisfactory"
    CONCERNS = "concerns", "Concerns noted and accepted"
    AWAITED = "awaited", "Awaited"


class VisitFrequency(models.IntegerChoices):
    WEEKLY = 1, "Weekly"
    FORTNIGHTLY = 2, "Fortnightly"
    FOUR_WEEKLY = 4, "Every 4 weeks"
    SIX_WEEKLY = 6, "Every 6 weeks"


# The provider checks recorded as answers (manual 003's form), each an outcome
# and a note: (outcome field, note field, label).
ANSWERED_CHECKS = (
    ("host_authority_outcome", "host_authority_notes", "Response from the host authority"),
    ("references_outcome", "references_notes", "Other references"),
    ("financial_outcome", "financial_notes", "Financial stability"),
    ("policies_outcome", "policies_notes", "Provider policies and procedures"),
)


def ending_soon_q(*, today: date) -> Q:
    """A crisis or holiday placement whose end date is within the warning window."""
    return Q(
        placement_type__in=TIME_LIMITED,
        end_date__gte=today,
        end_date__lte=today + timedelta(days=settings.PLACEMENT_ENDING_SOON_DAYS),
    )


def awaiting_sign_off_q() -> Q:
    return Q(team_manager_signed_on__isnull=True)


class PlacementCheckQuerySet(models.QuerySet):
    def ending_soon(self, *, today: date):
        return self.filter(ending_soon_q(today=today))

    def awaiting_sign_off(self):
        return self.filter(awaiting_sign_off_q())

    def with_ending_soon(self, *, today: date):
        """Annotate ``is_ending_soon`` from the same rule as ``ending_soon()``."""
        return self.annotate(
            is_ending_soon=Case(
                When(ending_soon_q(today=today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )


def _outcome_field(label: str) -> models.CharField:
    return models.CharField(label, max_length=20, choices=CheckOutcome.choices, blank=True)


class PlacementCheck(models.Model):
    authority = authority_field()
    # The child: initials and case ID only.
    case_id = models.CharField(
        "case ID", max_length=20, validators=[validate_case_id], help_text="The ICS number."
    )
    child_initials = models.CharField(
        max_length=4,
        validators=[validate_initials],
        help_text="Initials only: the portal holds no names of children.",
    )
    legal_status = models.CharField(
        max_length=100, blank=True, help_text="For example, section 20 or a care order."
    )
    # The placement and the regulated / unregulated decision.
    setting = models.ForeignKey(
        "registers.Setting",
        on_delete=models.PROTECT,
        related_name="placement_checks",
        help_text="Supported or unregulated accommodation may have no Ofsted URN.",
    )
    placement_type = models.CharField(
        max_length=10, choices=PlacementType.choices, default=PlacementType.ONGOING
    )
    start_date = models.DateField("placement starts")
    end_date = models.DateField(
        "placement ends",
        null=True,
        blank=True,
        help_text="Required for crisis (28 to 90 days) and holiday (up to 28 days) placements.",
    )
    care_or_support = models.CharField(
        "care or support provided", max_length=10, choices=CareOrSupport.choices
    )
    static_or_mobile = models.CharField(
        "type of placement", max_length=10, choices=StaticOrMobile.choices
    )
    decision = models.CharField(
        max_length=20, choices=PlacementDecision.choices, editable=False, blank=True
    )
    staffing_arrangements = models.TextField(blank=True)
    # The provider checks recorded as answers (documents come from the compliance register).
    host_authority_outcome = _outcome_field("response from the host authority")
    host_authority_notes = models.TextField("host authority: notes", blank=True)
    references_outcome = _outcome_field("other references")
    references_notes = models.TextField("references: notes", blank=True)
    financial_outcome = _outcome_field("financial stability")
    financial_notes = models.TextField("financial stability: notes", blank=True)
    policies_outcome = _outcome_field("provider policies and procedures")
    policies_notes = models.TextField("policies and procedures: notes", blank=True)
    # Matching consideration.
    needs_met = models.TextField("how the child's needs will be met", blank=True)
    risk_management = models.TextField(
        "how risks to and from the child will be managed", blank=True
    )
    # Ongoing review.
    visit_frequency_weeks = models.PositiveSmallIntegerField(
        "social worker visits", choices=VisitFrequency.choices, null=True, blank=True
    )
    risk_assessment_review_on = models.DateField(
        "risk assessment review date", null=True, blank=True
    )
    move_on_plan = models.TextField(blank=True)
    move_on_by = models.DateField("move on by", null=True, blank=True)
    # Sign-off: only through the sign-off service.
    social_worker_name = models.CharField(max_length=100, blank=True, editable=False)
    social_worker_signed_on = models.DateField(null=True, blank=True, editable=False)
    team_manager_name = models.CharField(max_length=100, blank=True, editable=False)
    team_manager_signed_on = models.DateField(null=True, blank=True, editable=False)
    documents_override_reason = models.TextField(
        "signed off despite documents",
        blank=True,
        editable=False,
        help_text="Why it was signed off with an expired or missing document.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlacementCheckQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="placement_check_ends_after_start",
                violation_error_message="The placement cannot end before it starts.",
            ),
        ]
        indexes = [
            models.Index(fields=["placement_type", "end_date"]),
            models.Index(fields=["team_manager_signed_on"]),
        ]

    def __str__(self) -> str:
        return f"Placement check {self.case_id} ({self.child_initials})"

    @property
    def length_days(self) -> int | None:
        if self.start_date is None or self.end_date is None:
            return None
        return (self.end_date - self.start_date).days

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        for name, label in (("case_id", "the case ID"), ("child_initials", "the child's initials")):
            if not (getattr(self, name) or "").strip():
                errors.setdefault(name, []).append(f"Give {label}.")
        # Checked here too: the services call clean(), not the field validators.
        for name, validate in (
            ("case_id", validate_case_id),
            ("child_initials", validate_initials),
        ):
            try:
                validate(getattr(self, name))
            except ValidationError as exc:
                errors.setdefault(name, []).extend(exc.messages)
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors.setdefault("end_date", []).append("The placement cannot end before it starts.")
        for outcome, notes, label in ANSWERED_CHECKS:
            if getattr(self, outcome) == CheckOutcome.CONCERNS and not getattr(self, notes).strip():
                errors.setdefault(notes, []).append(
                    f"{label}: say what the concerns are and why they are accepted."
                )
        if errors:
            raise ValidationError(errors)
