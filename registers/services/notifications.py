"""Emails to the commissioning managers: rendered here, sent by a background task
(services/emails.py) once the change that caused them has committed."""

import logging

from django.conf import settings as conf
from django.template.loader import render_to_string

from registers.roles import MANAGER
from registers.selectors.users import active_users_in
from registers.services.emails import email_enqueue

logger = logging.getLogger(__name__)


def ri_digest_recipients(*, authority_id: int | None = None) -> list[str]:
    """The configured recipients or, by default, the active managers (of the
    given authority, when the install has several)."""
    if conf.RI_NOTIFICATION_RECIPIENTS:
        return list(conf.RI_NOTIFICATION_RECIPIENTS)
    managers = active_users_in(MANAGER).filter(email__gt="")
    if authority_id is not None:
        managers = managers.filter(authorities=authority_id)
    return sorted(set(managers.values_list("email", flat=True)))


def ri_digest_send(*, items, recipients: list[str]) -> int:
    """One email summarising every newly flagged setting. Returns emails queued."""
    return _digest_queue(
        event="ri_digest",
        subject_template=conf.RI_NOTIFICATION_SUBJECT_TEMPLATE,
        body_template=conf.RI_NOTIFICATION_BODY_TEMPLATE,
        items=items,
        recipients=recipients,
    )


def registration_ended_send(*, items, recipients: list[str]) -> int:
    """One email listing every setting in use whose registration ended."""
    return _digest_queue(
        event="registration_ended",
        subject_template="registers/email/registration_ended_subject.txt",
        body_template="registers/email/registration_ended_body.txt",
        items=items,
        recipients=recipients,
    )


def _digest_queue(
    *, event: str, subject_template: str, body_template: str, items, recipients: list[str]
) -> int:
    """Render one digest of ``items`` and queue it to every recipient."""
    if not recipients or not items:
        return 0
    context = {"items": items, "count": len(items)}
    subject = " ".join(render_to_string(subject_template, context).split())
    body = render_to_string(body_template, context)
    email_enqueue(subject=subject, body=body, recipients=recipients)
    facts = {"settings": len(items), "recipients": len(recipients)}
    logger.info(
        "%s.queued settings=%s recipients=%s",
        event,
        len(items),
        len(recipients),
        extra={"event": f"{event}.queued", "facts": facts},
    )
    return 1  # one message to every recipient
