"""Brokerage referrals, Part A (seed 004): writing, approving, the checks made
before sending, and the ends (withdrawn, not placed).

Part A changes only before it is sent, or when it is revised after a round
with no offer. An increase in hours after a manager's approval needs the
panel again: the approval is cleared and the referral goes back to draft.
"""

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings as conf
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from registers.changes import Change, ErrorCollector, Refusal, change_from, raise_first
from registers.models import Referral, ReferralInvitation, ReferralSchedule, ReferralStatus
from registers.models.referrals import REQUIRED_TEXT
from registers.permissions import Actor, has_perm
from registers.selectors.referrals import referral_forget, referral_hours_per_week
from registers.selectors.users import contract_manager_candidates
from registers.services.access import move_change_permission
from registers.services.authorities import staff_membership_check
from registers.services.checks import check_basics
from registers.services.recording import log_write, record_changes, save_one
from registers.services.referral_emails import referral_worker_notify
from registers.services.units import write_unit
from registers.validators import POSTCODE_IN_TEXT_RE

logger = logging.getLogger(__name__)

APPROVE = "registers.approve_referral"
# Part A may be edited in these; afterwards it is what providers were sent.
EDITABLE = (ReferralStatus.DRAFT, ReferralStatus.APPROVED)
PART_A = (
    "case_id",
    "child_initials",
    "age_band",
    "service_type",
    "lot",
    "needs",
    "start_date",
    "end_date",
    "area",
    "travel_limits",
    "additional_notes",
    "requested_provider",
    "requested_provider_reason",
    "urgent",
    "play_scheme_year",
    "play_scheme_days",
    "panel_date",
)
# Words a capital letter does not make a name: family roles, days, months, places' kinds.
_NOT_NAMES_TEXT = (
    "mum dad mother father carer carers sibling siblings brother sister nan nana grandma "
    "grandad grandmother grandfather aunt uncle child parent parents family school none "
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december term holiday holidays bank "
    "send sen ehcp asd adhd autism the and but if he she they his her their we"
)
NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())
WORD_RE = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]{2,})\b", re.MULTILINE)
TITLE_NAME_RE = re.compile(r"\b(Mr|Mrs|Ms|Miss|Dr)\.?\s+[A-Z][a-z]+")
# Two capitalised words together ("Sarah Jones"), even at the start of a sentence.
PAIR_RE = re.compile(r"\b([A-Z][a-z]+)\s+([A-Z][a-z]+)\b")


def _names_in(text: str) -> set[str]:
    def is_name(word: str) -> bool:
        lower = word.lower()
        return lower not in NOT_NAMES and lower.removesuffix("s") not in NOT_NAMES

    found = {w for w in WORD_RE.findall(text) if is_name(w)}
    for first, second in PAIR_RE.findall(text):
        if is_name(first) and is_name(second):
            found |= {first, second}
    return found


def referral_worker_editable(*, user: Actor) -> bool:
    """Who hands a referral to another worker: managers, not the officer who holds it."""
    return has_perm(user, "registers.change_referral")


def referrals_check(*, changes: Sequence[Change[Referral]], user: Actor, **_) -> list[Refusal]:
    errors = ErrorCollector()
    check_basics(
        changes,
        user=user,
        errors=errors,
        add_refused="You may not make referrals.",
        change_refused="This is not a referral you may change.",
        exempt=lambda change: change.context.get("action_permitted", False),
    )
    new_workers = [
        c for c in changes if c.obj.allocated_worker_id and c.changed("allocated_worker")
    ]
    candidates = (
        set(contract_manager_candidates().values_list("pk", flat=True)) if new_workers else set()
    )
    may_hand_over = referral_worker_editable(user=user)
    for change in changes:
        referral = change.obj
        if not change.is_new and change.changed("allocated_worker") and not may_hand_over:
            errors.add(
                change, "Only a manager hands a referral to another worker.", "allocated_worker"
            )
        elif change in new_workers and referral.allocated_worker_id not in candidates:
            errors.add(
                change,
                f"{referral.allocated_worker} is not an active commissioning officer or manager.",
                "allocated_worker",
            )
        if change.is_new or change.context.get("action_permitted"):
            continue
        if change.before.status not in EDITABLE:
            for name in PART_A:
                if change.changed(name):
                    errors.add(
                        change,
                        f"The referral is {change.before.get_status_display().lower()}: "
                        "Part A changes only before it is sent, or once it is revised.",
                        name,
                    )
    staff_membership_check(
        new_workers, field="allocated_worker", errors=errors, label="allocated worker"
    )
    return errors.refusals()


def referrals_write(*, changes: Sequence[Change[Referral]], user: Actor, reason: str, **_) -> None:
    with write_unit(user=user):
        created, updated = record_changes(changes, user=user, reason=reason)
        move_change_permission(
            model=Referral,
            moves=[
                (c.obj, c.old("allocated_worker"), c.obj.allocated_worker_id)
                for c in changes
                if c.changed("allocated_worker")
            ],
        )
    log_write(logger, "referrals.written", user=user, created=len(created), updated=len(updated))


def referral_save(*, referral: Referral, user: Actor, reason: str = "") -> Referral:
    return save_one(
        referral,
        check=referrals_check,
        write=referrals_write,
        user=user,
        reason=reason or ("Referral changed" if referral.pk else "Referral made"),
    )


def _transition(referral: Referral, *, user: Actor, reason: str, **values) -> Referral:
    change = change_from(referral)
    change.context["action_permitted"] = True
    referral_forget(referral)
    for name, value in values.items():
        setattr(referral, name, value)
    raise_first(referrals_check(changes=[change], user=user))
    referrals_write(changes=[change], user=user, reason=reason)
    return referral


# --- the days and times table (an inline on the referral) ---------------------------


def referral_schedule_check(
    *, changes: Sequence[Change[ReferralSchedule]], user: Actor, **_
) -> list[Refusal]:
    errors = ErrorCollector()
    check_basics(
        changes,
        user=user,
        errors=errors,
        add_refused="You may not change this referral's days and times.",
        change_refused="You may not change this referral's days and times.",
    )
    for change in changes:
        referral = change.obj.referral
        if referral.status not in EDITABLE:
            errors.add(
                change,
                f"The referral is {referral.get_status_display().lower()}: its days and times "
                "change only before it is sent, or once it is revised.",
            )
    return errors.refusals()


def referral_schedule_write(
    *, changes: Sequence[Change[ReferralSchedule]], user: Actor, reason: str, **_
) -> None:
    with write_unit(user=user):
        referrals = {c.obj.referral_id: c.obj.referral for c in changes}
        before = {pk: referral_hours_per_week(referral=r) for pk, r in referrals.items()}
        created, updated = record_changes(changes, user=user, reason=reason)
        for pk, referral in referrals.items():
            after = referral_hours_per_week(referral=referral)
            if referral.status == ReferralStatus.APPROVED and after > before[pk]:
                # Seed 004: an increase in support goes back to the Resource Allocation Panel.
                _transition(
                    referral,
                    user=user,
                    reason=f"Hours a week up from {before[pk]} to {after}: "
                    "a new panel approval is needed",
                    status=ReferralStatus.DRAFT,
                    approved_by=None,
                    approved_on=None,
                )
    log_write(logger, "referral_schedule.written", user=user, created=len(created))


def referral_schedule_save(
    *, row: ReferralSchedule, user: Actor, reason: str = ""
) -> ReferralSchedule:
    return save_one(
        row,
        check=referral_schedule_check,
        write=referral_schedule_write,
        user=user,
        reason=reason or "Days and times changed",
    )


# --- approval and the checks before sending -----------------------------------------


def referral_approval_allowed(*, referral: Referral, user: Actor) -> bool:
    return (
        referral.status == ReferralStatus.DRAFT
        and has_perm(user, APPROVE, referral)
        and referral.allocated_worker_id != getattr(user, "pk", None)
    )


def referral_approve(
    *, referral: Referral, user: Actor, panel_date: date, on: date | None = None
) -> Referral:
    """A manager's approval, with the panel's (or the emergency plan's) date."""
    if not has_perm(user, APPROVE, referral):
        raise PermissionDenied("Only a manager approves a referral.")
    if referral.status != ReferralStatus.DRAFT:
        raise ValidationError(f"{referral} is {referral.get_status_display().lower()}.")
    if user is not None and referral.allocated_worker_id == user.pk:
        raise PermissionDenied("You cannot approve a referral you are the allocated worker of.")
    on = on or timezone.localdate()
    if panel_date is None or panel_date > on:
        raise ValidationError(
            {"panel_date": "Give the date the panel (or the emergency plan) approved it."}
        )
    return _transition(
        referral,
        user=user,
        reason=f"Approved by a manager; panel date {panel_date:%d/%m/%Y}",
        status=ReferralStatus.APPROVED,
        approved_by=user,
        approved_on=on,
        panel_date=panel_date,
    )


@dataclass
class SendCheck:
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _play_scheme(referral: Referral, result: SendCheck, today: date) -> None:
    """Annex 1: held on file until January of the scheme's year, at most the council's
    maximum of days, and 1 March the closing date for cases already open."""
    if not referral.play_scheme_year:
        return
    if referral.play_scheme_days > conf.PLAY_SCHEME_MAX_DAYS:
        result.errors["play_scheme_days"] = (
            f"A summer play scheme is at most {conf.PLAY_SCHEME_MAX_DAYS} days."
        )
    if today < date(referral.play_scheme_year, 1, 1):
        result.errors["play_scheme_year"] = (
            f"Held on file: a {referral.play_scheme_year} summer play scheme goes out from "
            f"January {referral.play_scheme_year}."
        )
    day, month = (int(part) for part in conf.PLAY_SCHEME_CLOSING_DAY.split("/"))
    closing = date(referral.play_scheme_year, month, day)
    if today > closing:
        result.warnings.append(
            f"The closing date for cases already open was {closing:%d/%m/%Y}: a new case "
            "needs the panel's approval, and a place only if one is free."
        )


def referral_send_check(*, referral: Referral, today: date | None = None) -> SendCheck:
    """The seed's rules, checked when the referral is sent: errors stop it, warnings
    ask the officer to look again (a personal name, a full postcode)."""
    result = SendCheck()
    _play_scheme(referral, result, today or timezone.localdate())
    if referral.status not in (ReferralStatus.APPROVED, ReferralStatus.CLOSED):
        result.errors["status"] = "A manager's approval is needed before the referral is sent."
    if not referral.approved_on:
        result.errors["approved_on"] = "A manager's approval is needed before it is sent."
    for name in REQUIRED_TEXT:
        if not (getattr(referral, name) or "").strip(" .-\n\t"):
            label = Referral._meta.get_field(name).verbose_name
            result.errors[name] = f'Write "None" or "N/A" in {label}, rather than leaving it blank.'
    if not referral.schedule.exists():
        result.errors["schedule"] = "Give the days, times and hours in the table."
    for name in ("needs", "travel_limits", "additional_notes", "requested_provider_reason"):
        text = getattr(referral, name) or ""
        label = Referral._meta.get_field(name).verbose_name
        if POSTCODE_IN_TEXT_RE.search(text):
            result.warnings.append(
                f"{label.capitalize()} seems to hold a full postcode: give the district only."
            )
        names = _names_in(text)
        if TITLE_NAME_RE.search(text) or names:
            shown = ", ".join(sorted(names)[:3]) or "a title and name"
            result.warnings.append(
                f"{label.capitalize()} may name someone ({shown}): write Mum, Dad, carer."
            )
    return result


# --- ends -------------------------------------------------------------------------


def referral_end_allowed(*, referral: Referral, user: Actor) -> bool:
    return not referral.is_ended and has_perm(user, "registers.change_referral", referral)


def referral_withdraw(*, referral: Referral, user: Actor, reason: str) -> Referral:
    return _end(referral, user=user, reason=reason, status=ReferralStatus.WITHDRAWN)


def referral_not_placed(*, referral: Referral, user: Actor, reason: str) -> Referral:
    return _end(referral, user=user, reason=reason, status=ReferralStatus.NOT_PLACED)


def _end(referral: Referral, *, user: Actor, reason: str, status: str) -> Referral:
    if not referral_end_allowed(referral=referral, user=user):
        raise PermissionDenied("This is not a referral you may end.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason."})
    label = ReferralStatus(status).label
    with write_unit(user=user):
        referral_links_revoke(referral=referral, user=user, reason=f"Referral {label.lower()}")
        referral_worker_notify(referral=referral, outcome=label.lower())
        return _transition(
            referral, user=user, reason=f"{label}: {reason}", status=status, ended_reason=reason
        )


def referral_links_revoke(*, referral: Referral, user: Actor, reason: str) -> int:
    """Close every provider link of the referral still open: nobody answers it now."""
    now = timezone.now()
    changes = []
    for invitation in ReferralInvitation.objects.filter(
        round__referral=referral, revoked_at__isnull=True, expires_at__gt=now
    ):
        change = change_from(invitation)
        invitation.revoked_at = now
        changes.append(change)
    with write_unit(user=user):
        record_changes(changes, user=user, reason=reason)
    return len(changes)


def referral_set_status(*, referral: Referral, user: Actor, status: str, reason: str, **values):
    """A status the rounds or the award move the referral to (their services check it)."""
    return _transition(referral, user=user, reason=reason, status=status, **values)
