"""Provider concerns: four stages, none longer than 10 days (manual 003)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from registers.models import Concern, ConcernStage
from registers.services.history import save_with_history


def raise_concern(
    *,
    user,
    category: str,
    description: str,
    provider=None,
    setting=None,
    raised_on: date | None = None,
) -> Concern:
    concern = Concern(
        provider=provider,
        setting=setting,
        category=category,
        description=description,
        raised_on=raised_on or timezone.localdate(),
    )
    return start_concern(concern=concern, user=user)


def start_concern(*, concern: Concern, user) -> Concern:
    """A new concern starts at stage 1, practitioner level, on the day it is raised."""
    if concern.provider_id is None and concern.setting_id is not None:
        concern.provider = concern.setting.provider
    concern.raised_by = user
    concern.stage = ConcernStage.PRACTITIONER
    concern.stage_started_on = concern.raised_on
    concern.full_clean()
    return save_with_history(concern, user=user, reason="Concern raised at stage 1")


def escalate_concern(
    *, concern: Concern, user, note: str = "", today: date | None = None
) -> Concern:
    """Move to the next stage, starting its 10 days today."""
    if concern.closed_on:
        raise ValidationError(f"{concern} is closed and cannot be escalated.")
    if concern.stage >= ConcernStage.SAFEGUARDING_PARTNERSHIP:
        raise ValidationError(f"{concern} is already at stage 4, the safeguarding partnership.")
    concern.stage = ConcernStage(concern.stage + 1)
    concern.stage_started_on = today or timezone.localdate()
    reason = f"Escalated to stage {concern.get_stage_display()}"
    if note.strip():
        reason += f": {note.strip()}"
    return save_with_history(concern, user=user, reason=reason)


def close_concern(
    *, concern: Concern, user, outcome: str, closed_on: date | None = None
) -> Concern:
    if concern.closed_on:
        raise ValidationError(f"{concern} is already closed.")
    if not (outcome or "").strip():
        raise ValidationError({"outcome": "Record the outcome to close the concern."})
    concern.outcome = outcome.strip()
    concern.closed_on = closed_on or timezone.localdate()
    return save_with_history(concern, user=user, reason="Concern closed")


def is_overdue(*, concern: Concern, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        concern.closed_on is None
        and concern.stage_due_on is not None
        and concern.stage_due_on < today
    )
