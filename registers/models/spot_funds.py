"""Spot commissioning fund applications (Lancashire, seed 001)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from registers.models.authorities import authority_field
from registers.models.common import money_field, non_negative
from registers.validators import validate_case_id, validate_initials


class FundApplicantKind(models.TextChoices):
    CHILD_FAMILY = "child_family", "A child and family"
    GROUP = "group", "A group"


class FundStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted to the Resource Panel"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    COMPLETED = "completed", "Completed, outcomes recorded"


class SpotFundApplication(models.Model):
    authority = authority_field()
    kind = models.CharField("for", max_length=20, choices=FundApplicantKind.choices)
    case_id = models.CharField("case ID", max_length=20, blank=True, validators=[validate_case_id])
    child_initials = models.CharField(
        max_length=4,
        blank=True,
        validators=[validate_initials],
        help_text="Initials only: the portal holds no names of children.",
    )
    group_description = models.CharField(max_length=200, blank=True)
    provider = models.ForeignKey(
        "registers.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="spot_fund_applications",
    )
    purpose = models.TextField(help_text="How the spot commission enhances current intervention.")
    intended_outcomes = models.TextField()
    amount = money_field("amount requested (£)", null=False, blank=False)
    applied_on = models.DateField()
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=FundStatus.choices, default=FundStatus.SUBMITTED, editable=False
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    decided_on = models.DateField(null=True, blank=True, editable=False)
    outcomes_achieved = models.TextField(blank=True)
    case_study = models.TextField(blank=True)
    completed_on = models.DateField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-applied_on", "-id"]
        verbose_name = "spot commissioning fund application"
        permissions = [("decide_spotfundapplication", "Can decide spot fund applications")]
        constraints = [
            non_negative("amount", "spotfund"),
            models.CheckConstraint(
                condition=~Q(kind="child_family") | ~Q(case_id=""),
                name="spotfund_child_has_case_id",
                violation_error_message="An application for a child and family needs a case ID.",
            ),
        ]

    def __str__(self) -> str:
        who = (
            self.case_id if self.kind == FundApplicantKind.CHILD_FAMILY else self.group_description
        )
        return f"Spot fund: {who} (£{self.amount:,.2f})"

    def clean(self) -> None:
        """The fields each kind of application needs; the caps, which read
        other applications, are the spot funds service's."""
        errors: dict[str, str] = {}
        if self.kind == FundApplicantKind.CHILD_FAMILY:
            if not self.case_id:
                errors["case_id"] = "An application for a child and family needs a case ID."
            if self.group_description:
                errors["group_description"] = "Describe a group only on a group application."
        elif self.kind == FundApplicantKind.GROUP:
            if not self.group_description:
                errors["group_description"] = "Describe the group the application is for."
            if self.child_initials:
                errors["child_initials"] = "A group application names no child."
        if errors:
            raise ValidationError(errors)
