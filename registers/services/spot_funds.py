"""Spot commissioning fund: caps per child or family and per group (seed 001)."""

from datetime import date
from decimal import Decimal

from django.conf import settings as conf
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import timezone

from registers.dates import financial_year_start
from registers.models import FundApplicantKind, FundStatus, SpotFundApplication
from registers.permissions import has_perm
from registers.services.history import save_with_history


def validate_application(*, application: SpotFundApplication) -> None:
    """Refuse an amount over the cap, naming the cap.

    A child or family may receive up to the cap in total within a financial
    year, across applications; a group application up to the group cap.
    """
    errors: dict[str, str] = {}
    if application.kind == FundApplicantKind.CHILD_FAMILY:
        if not application.case_id:
            errors["case_id"] = "An application for a child and family needs a case ID."
        if application.group_description:
            errors["group_description"] = "Describe a group only on a group application."
    elif application.kind == FundApplicantKind.GROUP:
        if not application.group_description:
            errors["group_description"] = "Describe the group the application is for."
        if application.child_initials:
            errors["child_initials"] = "A group application names no child."
    if application.amount is not None and application.applied_on and application.kind:
        errors.update(_cap_errors(application))
    if errors:
        raise ValidationError(errors)


def _cap_errors(application: SpotFundApplication) -> dict[str, str]:
    if application.kind == FundApplicantKind.GROUP:
        cap = Decimal(conf.SPOT_FUND_CAP_GROUP)
        if application.amount > cap:
            return {"amount": f"A group application is capped at £{cap:,.0f}."}
        return {}
    cap = Decimal(conf.SPOT_FUND_CAP_CHILD)
    year_start = financial_year_start(application.applied_on)
    earlier = SpotFundApplication.objects.filter(
        kind=FundApplicantKind.CHILD_FAMILY,
        case_id__iexact=application.case_id,
        applied_on__gte=year_start,
        applied_on__lt=date(year_start.year + 1, 4, 1),
    ).exclude(status=FundStatus.DECLINED).exclude(pk=application.pk).aggregate(total=Sum("amount"))[
        "total"
    ] or Decimal(0)
    if earlier + application.amount > cap:
        left = max(cap - earlier, Decimal(0))
        return {
            "amount": (
                f"A child and family is capped at £{cap:,.0f} a financial year: "
                f"case {application.case_id} has £{earlier:,.2f} already, so £{left:,.2f} is left."
            )
        }
    return {}


def decide_application(
    *, application: SpotFundApplication, user, approve: bool, on: date | None = None
) -> SpotFundApplication:
    if not has_perm(user, "registers.change_spotfundapplication"):
        raise PermissionDenied("Only the Resource Panel's managers decide applications.")
    if application.status != FundStatus.SUBMITTED:
        raise ValidationError(f"{application} was already decided.")
    if application.applicant_id == user.pk:
        raise PermissionDenied("You cannot decide your own application.")
    if approve:
        validate_application(application=application)
    application.status = FundStatus.APPROVED if approve else FundStatus.DECLINED
    application.decided_by = user
    application.decided_on = on or timezone.localdate()
    return save_with_history(
        application, user=user, reason=f"Application {application.get_status_display().lower()}"
    )


def record_outcomes(
    *,
    application: SpotFundApplication,
    user,
    outcomes_achieved: str,
    case_study: str = "",
    completed_on: date | None = None,
) -> SpotFundApplication:
    """The outcomes form completed when the intervention ends."""
    if application.status != FundStatus.APPROVED:
        raise ValidationError("Only an approved application records outcomes.")
    if not (outcomes_achieved or "").strip():
        raise ValidationError({"outcomes_achieved": "Record the outcomes achieved."})
    application.outcomes_achieved = outcomes_achieved.strip()
    application.case_study = case_study.strip()
    application.completed_on = completed_on or timezone.localdate()
    application.status = FundStatus.COMPLETED
    return save_with_history(application, user=user, reason="Outcomes recorded")
