"""Provider concerns: four stages, none longer than the stage limit (manual 003).

Anyone who sees a setting may raise a concern about it; it starts at stage 1
on the day it is raised. Escalating and closing are for managers. Each
escalation is recorded (ConcernEscalation) with who was told and when; stage 3
comes with the council's escalation letter (PDF), and stage 4 must record that
the Safeguarding Partnership was informed. The daily job reminds each owner of
their concerns whose stage has run past the limit.
"""

import logging
from collections.abc import Sequence
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from registers.changes import Change, ErrorCollector, Refusal, change_from, raise_first
from registers.models import Concern, ConcernEscalation, ConcernStage, LetterKind
from registers.models.concerns import stage_limit
from registers.permissions import Actor, has_perm
from registers.selectors.concerns import concerns_past_stage_limit
from registers.services.checks import check_basics, write_records
from registers.services.emails import email_enqueue
from registers.services.letter_templates import letter_pdf
from registers.services.recording import record_changes, save_one
from registers.services.reminders import reminder_claim
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


SAFEGUARDING_PARTNERSHIP_REQUIRED = (
    "Stage 4 is the Safeguarding Partnership: record that it was informed to escalate."
)


def concern_escalate(
    *,
    concern: Concern,
    user: Actor,
    note: str = "",
    today: date | None = None,
    informed_on: date | None = None,
    informed_iro: bool = False,
    informed_provider: bool = False,
    informed_head_of_service: bool = False,
    informed_safeguarding_partnership: bool = False,
    informed_others: str = "",
) -> Concern:
    """Move to the next stage, starting its days today, and record who was told.
    The only path to a later stage: the form, the list action and the demo data."""
    if not has_perm(user, "registers.change_concern", concern):
        raise PermissionDenied("Only managers escalate a concern.")
    if concern.closed_on:
        raise ValidationError(f"{concern} is closed and cannot be escalated.")
    if concern.stage >= ConcernStage.SAFEGUARDING_PARTNERSHIP:
        raise ValidationError(f"{concern} is already at stage 4, the safeguarding partnership.")
    change = change_from(concern)
    concern.stage = ConcernStage(concern.stage + 1)
    concern.stage_started_on = today or timezone.localdate()
    escalation = ConcernEscalation(
        concern=concern,
        stage=concern.stage,
        started_on=concern.stage_started_on,
        escalated_by=user,
        informed_on=informed_on or concern.stage_started_on,
        informed_iro=informed_iro,
        informed_provider=informed_provider,
        informed_head_of_service=informed_head_of_service,
        informed_safeguarding_partnership=informed_safeguarding_partnership,
        informed_others=(informed_others or "").strip(),
        notes=note.strip(),
    )
    escalated = Change(obj=escalation)
    errors = ErrorCollector()
    if (
        concern.stage == ConcernStage.SAFEGUARDING_PARTNERSHIP
        and not informed_safeguarding_partnership
    ):
        errors.add(
            escalated, SAFEGUARDING_PARTNERSHIP_REQUIRED, "informed_safeguarding_partnership"
        )
    if escalation.informed_on > concern.stage_started_on:
        errors.add(escalated, "People cannot be informed after the day recorded.", "informed_on")
    raise_first(errors.refusals())
    reason = f"Escalated to stage {concern.get_stage_display()}"
    if note.strip():
        reason += f": {note.strip()}"
    raise_first(concerns_check(changes=[change], user=user))
    with write_unit(user=user):
        concerns_write(changes=[change], user=user, reason=reason)
        if concern.stage == ConcernStage.FORMAL_LETTER:
            _attach_letter(escalation, user=user)
        record_changes([escalated], user=user, reason=reason)
    return concern


def _attach_letter(escalation: ConcernEscalation, *, user: Actor) -> None:
    """The stage 3 letter, in the council's wording, stored on the escalation."""
    concern = escalation.concern
    officer = (user.get_full_name() or user.get_username()) if user is not None else ""
    pdf = letter_pdf(
        authority_id=concern.authority_id,
        authority_name=concern.authority.name,
        kind=LetterKind.CONCERN_STAGE_3,
        values=letter_values(concern=concern, escalation=escalation, officer=officer),
    )
    escalation.letter.save(
        f"concern-{concern.pk}-stage-{escalation.stage}.pdf", ContentFile(pdf), save=False
    )


def letter_values(
    *, concern: Concern, escalation: ConcernEscalation, officer: str
) -> dict[str, str]:
    """The value of each placeholder of registers/letters.py for this concern."""
    setting = concern.setting
    provider = concern.provider or (setting.provider if setting else None)
    return {
        "authority": concern.authority.name,
        "provider": provider.name if provider else "",
        "setting": setting.display_name if setting else (provider.name if provider else ""),
        "urn": (setting.urn or "none") if setting else "none",
        "concern": concern.description,
        "category": concern.get_category_display().lower(),
        "raised_on": f"{concern.raised_on:%d/%m/%Y}",
        "stage": ConcernStage(escalation.stage).label,
        "stage_date": f"{escalation.started_on:%d/%m/%Y}",
        "officer": officer,
        "today": f"{timezone.localdate():%d/%m/%Y}",
    }


def concerns_escalate(*, concerns: Sequence[Concern], user: Actor) -> tuple[int, list[str]]:
    """The list action: escalate each; those that cannot be are reported, not fatal."""
    done, refused = 0, []
    with write_unit(user=user):
        for concern in concerns:
            try:
                if concern.stage + 1 == ConcernStage.SAFEGUARDING_PARTNERSHIP:
                    # Who was told is recorded on the concern's own Escalate page.
                    refused.append(f"{concern}: {SAFEGUARDING_PARTNERSHIP_REQUIRED}")
                    continue
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


# --- the daily reminder -----------------------------------------------------------------

REMINDER_KIND = "concern-stage"
REMINDER_LISTED = 30


def concern_stage_reminders_send(*, today: date | None = None) -> int:
    """One email a day to each concern owner (or, with none named, whoever raised
    it) listing their open concerns whose stage has run past the limit. Queued
    after commit; a second run the same day sends nothing. Returns emails queued."""
    today = today or timezone.localdate()
    overdue = (
        concerns_past_stage_limit(today=today)
        .select_related("owner", "raised_by", "provider", "setting")
        .order_by("stage_started_on", "pk")
    )
    by_email: dict[str, tuple[object, list[Concern]]] = {}
    for concern in overdue:
        owner = concern.owner or concern.raised_by
        if owner is None or not owner.is_active or not owner.email:
            continue
        by_email.setdefault(owner.email, (owner, []))[1].append(concern)
    queued = 0
    with write_unit(user=None, today=today) as unit:
        for email, (owner, concerns) in sorted(by_email.items()):
            if not reminder_claim(kind=REMINDER_KIND, recipient=email, today=today):
                continue
            subject = f"Provider concerns past their stage limit: {len(concerns)}"
            body = _reminder_body(owner=owner, concerns=concerns)
            unit.after_commit(
                lambda s=subject, b=body, r=[email]: email_enqueue(subject=s, body=b, recipients=r)
            )
            queued += 1
    logger.info(
        "concern_reminders.queued emails=%s concerns=%s",
        queued,
        sum(len(c) for _, c in by_email.values()),
        extra={"event": "concern_reminders.queued", "facts": {"emails": queued}},
    )
    return queued


def _reminder_body(*, owner, concerns: list[Concern]) -> str:
    lines = [
        f"Good morning {owner.first_name or owner.username},",
        "",
        f"No stage of a provider concern should last longer than {stage_limit().days} "
        "days. These concerns you own have run past that limit:",
        "",
    ]
    for concern in concerns[:REMINDER_LISTED]:
        lines.append(
            f"- {concern} (stage {concern.stage}, due {concern.stage_due_on:%d/%m/%Y}): "
            "escalate it or close it."
        )
    if len(concerns) > REMINDER_LISTED:
        lines.append(f"- and {len(concerns) - REMINDER_LISTED} more.")
    lines += ["", "Open 'Concerns' in the Commissioning Portal, filtered to 'stage overdue'."]
    return "\n".join(lines)
