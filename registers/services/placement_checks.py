"""Placement checks in unregulated and supported accommodation (manual 003).

The decision follows the manual's fact sheet: care in a mobile placement and
support in a static one need no registration; care in a static placement must
be registered with Ofsted, and a check for an unregistered one is refused (an
illegal placement). The manual does not list support in a mobile placement:
support is not care, so it is unregulated too. A setting that is registered is
a regulated placement whatever the combination (some mobile services registered
before May 2018). A holiday away from a regulated placement may be unregistered
for up to 28 days (the manual's first exception).

Crisis placements last 28 to 90 days; holidays at most 28. A social worker and
then their team manager sign the check off, only once every answer is in and
while the placement is lawful; an expired or missing document needs a reason.
"""

import logging
from collections.abc import Sequence
from datetime import date

from django.conf import settings as conf
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone

from registers.changes import Change, ErrorCollector, Refusal, change_from, raise_first
from registers.models import (
    CareOrSupport,
    CheckOutcome,
    PlacementCheck,
    PlacementDecision,
    PlacementType,
    StaticOrMobile,
)
from registers.models.placement_checks import ANSWERED_CHECKS, TIME_LIMITED
from registers.permissions import Actor, has_perm
from registers.selectors.compliance import KindStatus
from registers.selectors.placement_checks import (
    check_documents,
    ofsted_registered,
    registration_described,
)
from registers.services.checks import check_basics, write_records
from registers.services.recording import save_one

logger = logging.getLogger(__name__)

CHANGE = "registers.change_placementcheck"
# What the placement is: a signed-off check keeps them (a new placement is a new check).
PLACEMENT_FIELDS = (
    "setting",
    "placement_type",
    "start_date",
    "end_date",
    "care_or_support",
    "static_or_mobile",
)
# Answered before anyone signs: (field, label).
SIGN_OFF_ANSWERS = (
    ("staffing_arrangements", "staffing arrangements"),
    ("needs_met", "how the child's needs will be met"),
    ("risk_management", "how risks will be managed"),
    ("visit_frequency_weeks", "the social worker's visit frequency"),
    ("risk_assessment_review_on", "the risk assessment review date"),
    ("move_on_plan", "the move-on plan"),
    ("move_on_by", "the move-on time scale"),
)


class Signatory(models.TextChoices):
    SOCIAL_WORKER = "social_worker", "Social worker"
    TEAM_MANAGER = "team_manager", "Team manager"


def placement_decision(
    *, care_or_support: str, static_or_mobile: str, placement_type: str, registered: bool
) -> PlacementDecision:
    """Manual 003's fact sheet, with its holiday exception."""
    if registered:
        return PlacementDecision.REGULATED
    if care_or_support == CareOrSupport.CARE and static_or_mobile == StaticOrMobile.STATIC:
        if placement_type == PlacementType.HOLIDAY:
            return PlacementDecision.HOLIDAY_EXCEPTION
        return PlacementDecision.REFUSED
    return PlacementDecision.UNREGULATED


def refusal_message(check: PlacementCheck) -> str:
    setting = check.setting
    return (
        f"Care in a static placement must be registered with Ofsted, and "
        f"{setting.display_name} is not ({registration_described(setting)}): placing a child "
        "there would be an unregistered, illegal placement, which the council does not make. "
        "Choose a registered setting, or record support if only support is provided."
    )


def placement_checks_check(
    *, changes: Sequence[Change[PlacementCheck]], user: Actor, **_
) -> list[Refusal]:
    errors = ErrorCollector()
    check_basics(
        changes,
        user=user,
        errors=errors,
        add_refused="Only managers complete placement checks.",
        change_refused="Only managers change placement checks.",
    )
    for change in changes:
        check = change.obj
        if change.is_new:
            check.recorded_by = check.recorded_by or user
        _decide(change, errors)
        _time_limits(change, errors)
        _review_dates(change, errors)
        _signed_placement_kept(change, errors)
    return errors.refusals()


def _decide(change: Change[PlacementCheck], errors: ErrorCollector) -> None:
    check = change.obj
    if not (check.setting_id and check.care_or_support and check.static_or_mobile):
        return
    check.decision = placement_decision(
        care_or_support=check.care_or_support,
        static_or_mobile=check.static_or_mobile,
        placement_type=check.placement_type,
        registered=ofsted_registered(check.setting),
    )
    # Refused when the placement is recorded or changed. A recorded one whose setting's
    # registration has lapsed since keeps its review going, shown as refused (and it
    # cannot be signed off): the child's move on is what is recorded next.
    if check.decision == PlacementDecision.REFUSED and change.changed(*PLACEMENT_FIELDS):
        errors.add(change, refusal_message(check), "setting")


def _time_limits(change: Change[PlacementCheck], errors: ErrorCollector) -> None:
    check = change.obj
    if check.placement_type not in TIME_LIMITED or check.start_date is None:
        return
    crisis = check.placement_type == PlacementType.CRISIS
    low = conf.PLACEMENT_CRISIS_MIN_DAYS if crisis else 0
    high = conf.PLACEMENT_CRISIS_MAX_DAYS if crisis else conf.PLACEMENT_HOLIDAY_MAX_DAYS
    what = "A crisis placement" if crisis else "A holiday away from a regulated placement"
    span = f"{low} to {high} days" if crisis else f"at most {high} days"
    if check.end_date is None:
        errors.add(change, f"{what} needs its end date: it lasts {span}.", "end_date")
        return
    length = check.length_days
    if not low <= length <= high:
        errors.add(
            change,
            f"{what} lasts {span}: this one ends {length} days after it starts "
            f"({check.end_date:%d/%m/%Y}).",
            "end_date",
        )


def _review_dates(change: Change[PlacementCheck], errors: ErrorCollector) -> None:
    check = change.obj
    if check.start_date is None:
        return
    for name, label in (
        ("risk_assessment_review_on", "The risk assessment review"),
        ("move_on_by", "The move-on date"),
    ):
        when = getattr(check, name)
        if when is not None and when < check.start_date:
            errors.add(change, f"{label} cannot be before the placement starts.", name)
    ends = check.end_date if check.placement_type in TIME_LIMITED else None
    if ends and check.move_on_by and check.move_on_by > ends:
        errors.add(
            change,
            f"The placement ends on {ends:%d/%m/%Y}: the child moves on by then.",
            "move_on_by",
        )


def _signed_placement_kept(change: Change[PlacementCheck], errors: ErrorCollector) -> None:
    if change.is_new or not (
        change.before.social_worker_signed_on or change.before.team_manager_signed_on
    ):
        return
    for name in PLACEMENT_FIELDS:
        if change.changed(name):
            errors.add(
                change,
                "This check is signed off for the placement as it was: record a new "
                "placement check for a changed placement.",
                name,
            )


def placement_checks_write(
    *, changes: Sequence[Change[PlacementCheck]], user: Actor, reason: str, **_
) -> None:
    write_records(
        changes, user=user, reason=reason, logger=logger, event="placement_checks.written"
    )


def placement_check_save(*, check: PlacementCheck, user: Actor, reason: str = "") -> PlacementCheck:
    return save_one(
        check,
        check=placement_checks_check,
        write=placement_checks_write,
        user=user,
        reason=reason or ("Changed in the portal" if check.pk else "Placement check recorded"),
    )


# --- sign-off ---------------------------------------------------------------------------


def sign_off_gaps(check: PlacementCheck) -> list[str]:
    """What is still to be answered before the check can be signed off."""
    gaps = []
    for outcome, _, label in ANSWERED_CHECKS:
        value = getattr(check, outcome)
        if not value:
            gaps.append(label)
        elif value == CheckOutcome.AWAITED:
            gaps.append(f"{label} (awaited)")
    for name, label in SIGN_OFF_ANSWERS:
        if getattr(check, name) in (None, ""):
            gaps.append(label)
    return gaps


def placement_check_sign_off_allowed(*, check: PlacementCheck, user: Actor, signatory: str) -> bool:
    """Whether the page offers this signature: not yet given, in order, by a manager."""
    if not has_perm(user, CHANGE, check):
        return False
    if signatory == Signatory.SOCIAL_WORKER:
        return check.social_worker_signed_on is None
    return check.social_worker_signed_on is not None and check.team_manager_signed_on is None


def _blocking(documents: list[KindStatus]) -> list[str]:
    return [
        f"{status.kind.name} ({status.state.lower()}"
        + (f" {status.expiry_date:%d/%m/%Y})" if status.expiry_date else ")")
        for status in documents
        if status.blocking
    ]


def placement_check_sign_off(
    *,
    check: PlacementCheck,
    user: Actor,
    signatory: str,
    name: str,
    signed_on: date | None = None,
    override_reason: str = "",
    today: date | None = None,
) -> PlacementCheck:
    """Record the social worker's or the team manager's signature and its date.

    Refused while the placement would be illegal, while an answer is missing or
    awaited, and, without a reason, while a document is expired or missing."""
    today = today or timezone.localdate()
    signed_on = signed_on or today
    if not has_perm(user, CHANGE, check):
        raise PermissionDenied("Only managers sign off placement checks.")
    social_worker = signatory == Signatory.SOCIAL_WORKER
    if social_worker and check.social_worker_signed_on:
        raise ValidationError("The social worker has already signed this check off.")
    if not social_worker:
        if check.team_manager_signed_on:
            raise ValidationError("The team manager has already signed this check off.")
        if not check.social_worker_signed_on:
            raise ValidationError("The social worker signs the check off first.")
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = ["Give the name of the person signing."]
    if signed_on > today:
        errors["signed_on"] = ["A signature cannot be dated in the future."]
    elif not social_worker and signed_on < check.social_worker_signed_on:
        errors["signed_on"] = [
            "The team manager signs on or after the social worker "
            f"({check.social_worker_signed_on:%d/%m/%Y})."
        ]
    registered = ofsted_registered(check.setting)
    if (
        placement_decision(
            care_or_support=check.care_or_support,
            static_or_mobile=check.static_or_mobile,
            placement_type=check.placement_type,
            registered=registered,
        )
        == PlacementDecision.REFUSED
    ):
        errors["setting"] = [refusal_message(check)]
    gaps = sign_off_gaps(check)
    if gaps:
        errors[None] = ["Answer these before signing off: " + "; ".join(gaps) + "."]
    blocking = _blocking(check_documents(check, today=today))
    reason = (override_reason or "").strip()
    if blocking and not reason:
        errors["override_reason"] = [
            "Documents are expired or missing: "
            + "; ".join(blocking)
            + ". Give the reason to sign off despite them, or record the current documents."
        ]
    if errors:
        raise ValidationError(
            {key if key is not None else "__all__": value for key, value in errors.items()}
        )
    change = change_from(check)
    if social_worker:
        check.social_worker_name, check.social_worker_signed_on = name.strip(), signed_on
    else:
        check.team_manager_name, check.team_manager_signed_on = name.strip(), signed_on
    if blocking:
        note = f"{Signatory(signatory).label}: {reason} ({'; '.join(blocking)})"
        check.documents_override_reason = "\n".join(
            part for part in (check.documents_override_reason, note) if part
        )
    raise_first(placement_checks_check(changes=[change], user=user))
    message = f"Signed off by the {Signatory(signatory).label.lower()}, {name.strip()}"
    if blocking:
        message += f", despite {'; '.join(blocking)}: {reason}"
    placement_checks_write(changes=[change], user=user, reason=message)
    return check
