"""Brokerage rounds (seed 004): sending the anonymised referral to providers,
their personal links, Part B responses, closing a round, and the next round.

Each provider gets one email with a link that works for that provider, that
referral and that round only, until the deadline: 5 working days in England,
or 2 if urgent. Only a SHA-256 of the link's secret is stored. The email and
the page show the referral's number, never the child's initials or case ID.
"""

import logging
import secrets
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings as conf
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.utils import timezone

from registers.changes import change_from
from registers.dates import add_working_days
from registers.models import (
    Referral,
    ReferralInvitation,
    ReferralResponse,
    ReferralRound,
    ReferralStatus,
    ResponseChannel,
    RoundKind,
)
from registers.models.referral_rounds import OFF_FRAMEWORK_ROUNDS, ROUND_ORDER, hash_token
from registers.permissions import Actor, has_perm
from registers.selectors.referrals import (
    referral_candidates,
    referral_current_round,
    referral_forget,
    referral_has_offer,
    referral_hours_per_week,
    referrals_due_to_close,
)
from registers.services.recording import log_write, record_changes
from registers.services.referral_emails import referral_email_after_commit
from registers.services.referrals import (
    referral_links_revoke,
    referral_send_check,
    referral_set_status,
)
from registers.services.units import write_unit

logger = logging.getLogger(__name__)

RESPOND = "registers.respond_referral"


class LinkRefused(Exception):
    """Why a provider's link shows no referral: ``gone`` for an expired or revoked one."""

    def __init__(self, message: str, *, gone: bool):
        super().__init__(message)
        self.gone = gone


def response_deadline(*, sent_on: date, urgent: bool) -> date:
    days = conf.REFERRAL_URGENT_RESPONSE_DAYS if urgent else conf.REFERRAL_RESPONSE_DAYS
    return add_working_days(sent_on, days)


def link_expiry(deadline: date) -> datetime:
    """A link works to the end of the deadline day, London time."""
    return timezone.make_aware(datetime.combine(deadline + timedelta(days=1), time.min))


def referral_next_round_kind(*, referral: Referral) -> str | None:
    """The seed's order: framework, off framework, revised on, revised off; None after."""
    current = referral_current_round(referral=referral)
    if current is None or referral_has_offer(referral=referral):
        # A first send, or a placement reopened after an award: the framework first.
        return RoundKind.FRAMEWORK
    position = ROUND_ORDER.index(current.kind)
    return ROUND_ORDER[position + 1] if position + 1 < len(ROUND_ORDER) else None


def referral_send_allowed(*, referral: Referral, user: Actor) -> bool:
    if not has_perm(user, "registers.change_referral", referral):
        return False
    if referral.status == ReferralStatus.APPROVED:
        return referral_next_round_kind(referral=referral) is not None
    # After a framework round with no offer, the off-framework round goes out as it
    # is; the revised framework round follows referral_revise.
    return (
        referral.status == ReferralStatus.CLOSED
        and referral_next_round_kind(referral=referral) in OFF_FRAMEWORK_ROUNDS
        and not referral_has_offer(referral=referral)
    )


def referral_send(
    *, referral: Referral, user: Actor, provider_ids, today: date | None = None
) -> ReferralRound:
    """Send the next round to the providers the officer confirmed (a subset of the candidates)."""
    today = today or timezone.localdate()
    if not referral_send_allowed(referral=referral, user=user):
        raise PermissionDenied("This referral cannot be sent now, or not by you.")
    problems = referral_send_check(referral=referral, today=today)
    if problems.errors:
        raise ValidationError(problems.errors)
    kind = referral_next_round_kind(referral=referral)
    candidates = {p.pk: p for p in referral_candidates(referral=referral, kind=kind)}
    chosen = {int(pk) for pk in provider_ids}
    if not chosen:
        raise ValidationError({"providers": "Choose at least one provider to send it to."})
    strangers = chosen - set(candidates)
    if strangers:
        raise ValidationError({"providers": "Only the listed providers can be sent this referral."})
    deadline = response_deadline(sent_on=today, urgent=referral.urgent)
    with write_unit(user=user):
        # Two officers sending at once: the second waits, then finds it already sent.
        locked = Referral.objects.select_for_update().filter(pk=referral.pk).first()
        if locked is None or locked.status != referral.status:
            raise ValidationError("Someone else sent or changed this referral: reload it.")
        referral_forget(referral)
        current = referral_current_round(referral=referral)
        round_ = ReferralRound(
            referral=referral,
            number=(current.number + 1) if current else 1,
            kind=kind,
            sent_on=today,
            deadline=deadline,
            sent_by=user,
        )
        record_changes(
            [change_from(round_)], user=user, reason=f"Sent: {round_.get_kind_display()}"
        )
        links = []
        invitations = []
        for pk in sorted(chosen):
            token = secrets.token_urlsafe(32)
            provider = candidates[pk]
            invitations.append(
                change_from(
                    ReferralInvitation(
                        round=round_,
                        provider=provider,
                        email=provider.contact_email or "",
                        token_hash=hash_token(token),
                        expires_at=link_expiry(deadline),
                    )
                )
            )
            links.append((provider, token))
        record_changes(invitations, user=user, reason="Personal link issued")
        referral_set_status(
            referral=referral,
            user=user,
            status=ReferralStatus.SENT,
            response_deadline=deadline,
            reason=f"Round {round_.number} sent to {len(chosen)} provider(s); "
            f"responses by {deadline:%d/%m/%Y}",
        )
        hours = referral_hours_per_week(referral=referral)
        for provider, token in links:
            if provider.contact_email:
                subject, body = _invitation_email(referral, round_, token, hours)
                referral_email_after_commit(
                    subject=subject, body=body, recipients=[provider.contact_email]
                )
    log_write(logger, "referral.sent", user=user, providers=len(chosen), round=round_.number)
    return round_


def respond_url(token: str) -> str:
    return f"{conf.PORTAL_URL}/respond/{token}/"


def _invitation_email(referral, round_, token, hours) -> tuple[str, str]:
    context = {
        "referral": referral,
        "round": round_,
        "url": respond_url(token),
        "hours": hours,
        "schedule": list(referral.schedule.all()),
    }
    subject = f"Referral {referral.number}: can you meet it? Reply by {round_.deadline:%d/%m/%Y}"
    return subject, render_to_string("registers/email/referral_invitation.txt", context)


# --- the link -----------------------------------------------------------------------


def invitation_for_token(*, token: str, now: datetime | None = None) -> ReferralInvitation:
    """The invitation a link opens, or LinkRefused: no such link (404), or one
    expired, revoked or closed (410)."""
    now = now or timezone.now()
    if not token or len(token) > 100 or not token.isascii():
        raise LinkRefused("No such link.", gone=False)
    invitation = (
        ReferralInvitation.objects.select_related("round__referral", "provider")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise LinkRefused("No such link.", gone=False)
    if invitation.revoked_at is not None:
        raise LinkRefused("This link was withdrawn by the brokerage team.", gone=True)
    if invitation.expires_at <= now:
        raise LinkRefused("The deadline for this referral has passed.", gone=True)
    if invitation.round.referral.status != ReferralStatus.SENT:
        raise LinkRefused("This referral is no longer taking responses.", gone=True)
    return invitation


def invitation_revoke(*, invitation: ReferralInvitation, user: Actor, reason: str) -> None:
    if not has_perm(user, "registers.change_referral", invitation.round.referral):
        raise PermissionDenied("This is not a referral you may change.")
    change = change_from(invitation)
    invitation.revoked_at = timezone.now()
    with write_unit(user=user):
        record_changes([change], user=user, reason=f"Link revoked: {reason}")


# --- Part B responses -------------------------------------------------------------------


def response_record(
    *,
    invitation: ReferralInvitation,
    user: Actor,
    answer: str,
    channel: str,
    parts: str = "",
    hourly_rate: Decimal | None = None,
    start_date: date | None = None,
    notes: str = "",
    now: datetime | None = None,
) -> ReferralResponse:
    """A provider's answer: through their link (``user`` None, until the deadline), or
    taken by phone or email by brokerage staff (until the award). Kept with history."""
    now = now or timezone.now()
    referral = invitation.round.referral
    if channel == ResponseChannel.LINK:
        invitation_open = (
            invitation.revoked_at is None
            and invitation.expires_at > now
            and referral.status == ReferralStatus.SENT
        )
        if not invitation_open:
            raise ValidationError("This link no longer takes responses.")
    else:
        if not has_perm(user, RESPOND, referral):
            raise PermissionDenied("You may not record responses to referrals.")
        current = referral_current_round(referral=referral)
        if referral.status not in (ReferralStatus.SENT, ReferralStatus.CLOSED) or (
            current is None or current.pk != invitation.round_id
        ):
            raise ValidationError("Responses are recorded only for the current round.")
    errors = {}
    positive = answer in ("full", "part")
    if answer not in ("full", "part", "none"):
        errors["answer"] = "Say whether you can meet the referral in full, in part, or not."
    if answer == "part" and not (parts or "").strip():
        errors["parts"] = "Say which parts you can meet."
    if positive and hourly_rate is None:
        errors["hourly_rate"] = "Give your hourly rate."
    if hourly_rate is not None and hourly_rate < 0:
        errors["hourly_rate"] = "The hourly rate cannot be negative."
    if positive and start_date is None:
        errors["start_date"] = "Give the date you could start."
    if errors:
        raise ValidationError(errors)
    how = ResponseChannel(channel).label.lower()
    referral_forget(referral)
    with write_unit(user=user):
        # One answer per link: two posts at once take turns on the invitation's row.
        ReferralInvitation.objects.select_for_update().filter(pk=invitation.pk).first()
        response = ReferralResponse.objects.filter(invitation=invitation).first()
        change = change_from(response or ReferralResponse(invitation=invitation))
        response = change.obj
        response.answer = answer
        response.parts = (parts or "").strip() if answer == "part" else ""
        response.hourly_rate = hourly_rate if positive else None
        response.start_date = start_date if positive else None
        response.notes = (notes or "").strip()
        response.channel = channel
        response.recorded_by = user
        record_changes(
            [change],
            user=user,
            reason=f"Response {'changed' if not change.is_new else 'received'} by {how}",
        )
    log_write(logger, "referral.response", user=user, channel=channel)
    return response


# --- closing a round, and the next ----------------------------------------------------


def referral_close_allowed(*, referral: Referral, user: Actor, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        referral.status == ReferralStatus.SENT
        and referral.response_deadline is not None
        and referral.response_deadline < today
        and has_perm(user, "registers.change_referral", referral)
    )


def referral_close_responses(
    *, referral: Referral, user: Actor, today: date | None = None
) -> Referral:
    if not referral_close_allowed(referral=referral, user=user, today=today):
        raise ValidationError("Responses close once the deadline has passed.")
    return referral_set_status(
        referral=referral, user=user, status=ReferralStatus.CLOSED, reason="Responses closed"
    )


def referrals_close_due(*, today: date) -> int:
    """The daily job: close every round whose deadline has passed."""
    closed = 0
    for referral in referrals_due_to_close(today=today).select_related("allocated_worker"):
        referral_set_status(
            referral=referral,
            user=None,
            status=ReferralStatus.CLOSED,
            reason=f"Responses closed: the deadline {referral.response_deadline:%d/%m/%Y} passed",
        )
        closed += 1
    return closed


def referral_revise_allowed(*, referral: Referral, user: Actor) -> bool:
    return (
        referral.status == ReferralStatus.CLOSED
        and referral_next_round_kind(referral=referral) == RoundKind.REVISED_FRAMEWORK
        and not referral_has_offer(referral=referral)
        and has_perm(user, "registers.change_referral", referral)
    )


def referral_revise(*, referral: Referral, user: Actor, reason: str) -> Referral:
    """No offer on or off the framework: the worker revises the package (Part A opens
    again) and it goes round the framework a second time."""
    if not referral_revise_allowed(referral=referral, user=user):
        raise ValidationError("A referral is revised after both first rounds had no offer.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say what flexibility there is in the package."})
    with write_unit(user=user):
        referral_links_revoke(referral=referral, user=user, reason="Referral revised")
        return referral_set_status(
            referral=referral,
            user=user,
            status=ReferralStatus.APPROVED,
            reason=f"Revised for a second round: {reason.strip()}",
        )
