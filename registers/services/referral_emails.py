"""Emails about brokerage referrals to council staff, sent after commit: the
allocated worker hears each outcome; brokerage officers hear of deadlines today."""

import logging
from datetime import date
from functools import partial

from django.template.loader import render_to_string

from registers.models import Referral
from registers.selectors.referrals import referrals_deadline_today
from registers.services.emails import email_enqueue
from registers.services.reminders import reminder_claim
from registers.services.units import write_unit

logger = logging.getLogger(__name__)


def referral_email_after_commit(*, subject: str, body: str, recipients: list[str]) -> None:
    """Queue an email once the change commits; none while the demo is seeded."""
    with write_unit(user=None) as unit:
        if not unit.quiet:
            unit.after_commit(
                partial(email_enqueue, subject=subject, body=body, recipients=recipients)
            )


def referral_worker_notify(*, referral: Referral, outcome: str) -> None:
    """Tell the allocated worker the referral's outcome, once the change commits."""
    worker = referral.allocated_worker
    if not worker.email:
        return
    body = render_to_string(
        "registers/email/referral_outcome.txt", {"referral": referral, "outcome": outcome}
    )
    referral_email_after_commit(
        subject=f"Referral {referral.number}: {outcome}", body=body, recipients=[worker.email]
    )


def referral_deadline_reminders_send(*, today: date) -> int:
    """The daily job: each officer with referrals whose responses close today gets one
    email listing them (at most once a day, however often the job runs)."""
    by_officer: dict[str, list[Referral]] = {}
    for referral in referrals_deadline_today(today=today).select_related("allocated_worker"):
        email = referral.allocated_worker.email
        if email and referral.allocated_worker.is_active:
            by_officer.setdefault(email, []).append(referral)
    sent = 0
    for email, rows in by_officer.items():
        if not reminder_claim(kind="referral-deadline", recipient=email, today=today):
            continue
        lines = ["Responses to these referrals close today:", ""]
        lines += [f"- {r.number} (case {r.case_id}): {r.get_service_type_display()}" for r in rows]
        lines += ["", "Open 'Awaiting responses' in the Commissioning Portal's referrals."]
        referral_email_after_commit(
            subject=f"Referral responses closing today ({len(rows)})",
            body="\n".join(lines),
            recipients=[email],
        )
        sent += 1
    return sent
