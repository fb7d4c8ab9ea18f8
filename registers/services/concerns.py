"""Provider concerns: four stages, none longer than the stage limit (manual 003).

Anyone who sees a setting may raise a concern about it; it starts at stage 1
on the day it is raised. Escalating and closing are for managers.
"""

import logging
from collections.abc import Sequence
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from registers.changes import Change, ErrorCollector, Refusal, change_from, raise_first
from registers.models import Concern, ConcernStage
from registers.permissions import Actor, has_perm
from registers.services.checks import check_basics, write_records
from registers.services.recording import save_one
from registers.services.units import write_unit

logger = logging.getLogger(__name__)


def concerns_check(*, changes: Sequence[Change[Concern]], user: Actor, **_) -> list[Refusal]:
    errors = ErrorCollector()
    check_basics(
        changes,
        user=user,
        errors=errors,
        add_refused="You may not raise concerns.",
        change_refused="Only managers change, escalate or close a concern.",
    )
    for change in changes:
        concern = change.obj
        if change.is_new:
            if concern.provider_id is None and concern.setting_id is not None:
                concern.provider_id = concern.setting.provider_id
            concern.raised_by = concern.raised_by or user
            concern.raised_on = concern.raised_on or timezone.localdate()
            concern.stage = ConcernStage.PRACTITIONER
            concern.stage_started_on = concern.raised_on
        if not concern.setting_id and not concern.provider_id:
            errors.add(change, "Name the provider, the setting, or both.", "setting")
    return errors.refusals()


def concerns_write(*, changes: Sequence[Change[Concern]], user: Actor, reason: str, **_) -> None:
    write_records(changes, user=user, reason=reason, logger=logger, event="concerns.written")


def concern_save(*, concern: Concern, user: Actor, reason: str = "") -> Concern:
    """Raise a new concern at stage 1, or change one already raised."""
    return save_one(
        concern,
        check=concerns_check,
        write=concerns_write,
        user=user,
        reason=reason or ("Concern changed" if concern.pk else "Concern raised at stage 1"),
    )


def concern_action_allowed(*, concern: Concern, user: Actor) -> bool:
    return concern.closed_on is None and has_perm(user, "registers.change_concern", concern)


def concern_escalate(
    *, concern: Concern, user: Actor, note: str = "", today: date | None = None
) -> Concern:
    """Move to the next stage, starting its days today."""
    if not has_perm(user, "registers.change_concern", concern):
        raise PermissionDenied("Only managers escalate a concern.")
    if concern.closed_on:
        raise ValidationError(f"{concern} is closed and cannot be escalated.")
    if concern.stage >= ConcernStage.SAFEGUARDING_PARTNERSHIP:
        raise ValidationError(f"{concern} is already at stage 4, the safeguarding partnership.")
    change = change_from(concern)
    concern.stage = ConcernStage(concern.stage + 1)
    concern.stage_started_on = today or timezone.localdate()
    reason = f"Escalated to stage {concern.get_stage_display()}"
    if note.strip():
        reason += f": {note.strip()}"
    raise_first(concerns_check(changes=[change], user=user))
    concerns_write(changes=[change], user=user, reason=reason)
    return concern


def concerns_escalate(*, concerns: Sequence[Concern], user: Actor) -> tuple[int, list[str]]:
    """The list action: escalate each; those that cannot be are reported, not fatal."""
    done, refused = 0, []
    with write_unit(user=user):
        for concern in concerns:
            try:
                concern_escalate(concern=concern, user=user)
                done += 1
            except ValidationError as exc:
                refused.extend(exc.messages)
    return done, refused


def concern_close(
    *, concern: Concern, user: Actor, outcome: str, closed_on: date | None = None
) -> Concern:
    if not has_perm(user, "registers.change_concern", concern):
        raise PermissionDenied("Only managers close a concern.")
    if concern.closed_on:
        raise ValidationError(f"{concern} is already closed.")
    if not (outcome or "").strip():
        raise ValidationError({"outcome": "Record the outcome to close the concern."})
    change = change_from(concern)
    concern.outcome = outcome.strip()
    concern.closed_on = closed_on or timezone.localdate()
    raise_first(concerns_check(changes=[change], user=user))
    concerns_write(changes=[change], user=user, reason="Concern closed")
    return concern
