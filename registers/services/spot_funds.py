"""The spot commissioning fund (Lancashire, seed 001): applications, the
Resource Panel's decision, and the outcomes recorded at the end.

A child or family may receive up to the cap within a financial year, across
applications; a group application up to the group cap. Deciding is a
manager's, and never on one's own application.
"""

import logging
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.conf import settings as conf
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import timezone

from registers.changes import Change, ErrorCollector, Refusal, change_from, raise_first
from registers.dates import financial_year_start
from registers.models import FundApplicantKind, FundStatus, SpotFundApplication
from registers.permissions import Actor, has_perm
from registers.services.checks import check_basics, write_records
from registers.services.recording import save_one

logger = logging.getLogger(__name__)

DECIDE = "registers.decide_spotfundapplication"


def spot_funds_check(
    *, changes: Sequence[Change[SpotFundApplication]], user: Actor, **_
) -> list[Refusal]:
    errors = ErrorCollector()
    check_basics(
        changes,
        user=user,
        errors=errors,
        add_refused="You may not apply to the spot commissioning fund.",
        change_refused="This is not an application you may change.",
        exempt=lambda change: change.context.get("action_permitted", False),
    )
    for change in changes:
        application = change.obj
        if change.is_new:
            application.applicant = application.applicant or user
        if application.status != FundStatus.DECLINED:
            message = _cap_error(application)
            if message:
                errors.add(change, message, "amount")
    return errors.refusals()


def _cap_error(application: SpotFundApplication) -> str:
    if application.amount is None or not application.applied_on or not application.kind:
        return ""
    if application.kind == FundApplicantKind.GROUP:
        cap = Decimal(conf.SPOT_FUND_CAP_GROUP)
        return f"A group application is capped at £{cap:,.0f}." if application.amount > cap else ""
    cap = Decimal(conf.SPOT_FUND_CAP_CHILD)
    year_start = financial_year_start(application.applied_on)
    # Case IDs are each council's own: the cap counts one authority's applications.
    earlier = SpotFundApplication.objects.filter(
        authority_id=application.authority_id,
        kind=FundApplicantKind.CHILD_FAMILY,
        case_id__iexact=application.case_id,
        applied_on__gte=year_start,
        applied_on__lt=date(year_start.year + 1, 4, 1),
    ).exclude(status=FundStatus.DECLINED).exclude(pk=application.pk).aggregate(total=Sum("amount"))[
        "total"
    ] or Decimal(0)
    if earlier + application.amount <= cap:
        return ""
    left = max(cap - earlier, Decimal(0))
    return (
        f"A child and family is capped at £{cap:,.0f} a financial year: "
        f"case {application.case_id} has £{earlier:,.2f} already, so £{left:,.2f} is left."
    )


def spot_funds_write(
    *, changes: Sequence[Change[SpotFundApplication]], user: Actor, reason: str, **_
) -> None:
    write_records(changes, user=user, reason=reason, logger=logger, event="spot_funds.written")


def spot_fund_save(
    *, application: SpotFundApplication, user: Actor, reason: str = ""
) -> SpotFundApplication:
    return save_one(
        application,
        check=spot_funds_check,
        write=spot_funds_write,
        user=user,
        reason=reason or ("Application changed" if application.pk else "Application submitted"),
    )


def spot_fund_decision_allowed(*, application: SpotFundApplication, user: Actor) -> bool:
    return (
        application.status == FundStatus.SUBMITTED
        and has_perm(user, DECIDE, application)
        and application.applicant_id != getattr(user, "pk", None)
    )


def spot_fund_decide(
    *, application: SpotFundApplication, user: Actor, approve: bool, on: date | None = None
) -> SpotFundApplication:
    if not has_perm(user, DECIDE, application):
        raise PermissionDenied("Only the Resource Panel's managers decide applications.")
    if application.status != FundStatus.SUBMITTED:
        raise ValidationError(f"{application} was already decided.")
    if application.applicant_id == user.pk:
        raise PermissionDenied("You cannot decide your own application.")
    change = change_from(application)
    change.context["action_permitted"] = True
    application.status = FundStatus.APPROVED if approve else FundStatus.DECLINED
    application.decided_by = user
    application.decided_on = on or timezone.localdate()
    raise_first(spot_funds_check(changes=[change], user=user))
    spot_funds_write(
        changes=[change],
        user=user,
        reason=f"Application {application.get_status_display().lower()}",
    )
    return application


def spot_fund_outcomes_allowed(*, application: SpotFundApplication, user: Actor) -> bool:
    return application.status == FundStatus.APPROVED and (
        has_perm(user, DECIDE, application) or application.applicant_id == getattr(user, "pk", 0)
    )


def spot_fund_record_outcomes(
    *,
    application: SpotFundApplication,
    user: Actor,
    outcomes_achieved: str,
    case_study: str = "",
    completed_on: date | None = None,
) -> SpotFundApplication:
    """The outcomes form completed when the intervention ends."""
    if application.status != FundStatus.APPROVED:
        raise ValidationError("Only an approved application records outcomes.")
    if not spot_fund_outcomes_allowed(application=application, user=user):
        raise PermissionDenied("Only the applicant or a manager records the outcomes.")
    if not (outcomes_achieved or "").strip():
        raise ValidationError({"outcomes_achieved": "Record the outcomes achieved."})
    change = change_from(application)
    change.context["action_permitted"] = True
    application.outcomes_achieved = outcomes_achieved.strip()
    application.case_study = (case_study or "").strip()
    application.completed_on = completed_on or timezone.localdate()
    application.status = FundStatus.COMPLETED
    raise_first(spot_funds_check(changes=[change], user=user))
    spot_funds_write(changes=[change], user=user, reason="Outcomes recorded")
    return application
