"""The daily digest: each user gets at most one email a day, holding the kinds of
reminder they chose (services/notification_preferences.py), each linking to the
filtered list behind it. It replaces the QA officers' daily reminder, and takes
the compliance documents' digest for whoever it reaches: one email, one rule. A
digest that lists the user's concerns past their stage limit stands for that day's
concern reminder (services/concerns.py), which runs after it."""

import logging
from datetime import date

from django.conf import settings as conf
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string

from registers.models import Authority, ReminderKind, ReminderLog
from registers.selectors.compliance import expiring_documents
from registers.selectors.reminders import digest_sections
from registers.services.compliance import compliance_digest_claim
from registers.services.concerns import REMINDER_KIND as CONCERN_REMINDER
from registers.services.emails import email_enqueue
from registers.services.notification_preferences import reminder_kinds_by_user
from registers.services.reminders import reminder_claim

logger = logging.getLogger(__name__)

DIGEST = "daily-digest"


def digest_recipients():
    """Active staff with an email address, each once."""
    return (
        get_user_model().objects.filter(is_active=True, is_staff=True, email__gt="").order_by("pk")
    )


def daily_digests_send(*, today: date) -> int:
    """One digest per user with something to report. A second run the same day
    sends nothing new (reminder_claim). Returns how many were queued."""
    done = set(
        ReminderLog.objects.filter(kind=DIGEST, sent_on=today).values_list("recipient", flat=True)
    )
    users = [user for user in digest_recipients() if user.email not in done]
    if not users:
        return 0
    kinds_of = reminder_kinds_by_user(users=users)
    documents_due = expiring_documents(
        today=today, within_days=conf.COMPLIANCE_DIGEST_DAYS
    ).exists()
    authority_ids = list(Authority.objects.values_list("pk", flat=True)) if documents_due else []
    sent = 0
    for user in users:
        kinds = kinds_of[user.pk]
        for authority_id in authority_ids:
            # Documents come once, in the kinds the user chose: this digest takes the
            # compliance digest's claim for each user it reaches.
            reminder_claim(
                kind=compliance_digest_claim(authority_id=authority_id),
                recipient=user.email,
                today=today,
            )
        sections = digest_sections(user, kinds, today) if kinds else []
        if not sections or not reminder_claim(kind=DIGEST, recipient=user.email, today=today):
            continue
        if any(section.kind == ReminderKind.CONCERN_STAGES for section in sections):
            reminder_claim(kind=CONCERN_REMINDER, recipient=user.email, today=today)
        context = {
            "user": user,
            "sections": sections,
            "today": today,
            "base_url": conf.PORTAL_BASE_URL.rstrip("/"),
        }
        subject = f"Your reminders for {today:%d/%m/%Y}"
        body = render_to_string("registers/email/daily_digest.txt", context)
        transaction.on_commit(
            lambda s=subject, b=body, r=[user.email]: email_enqueue(subject=s, body=b, recipients=r)
        )
        sent += 1
    logger.info("daily_digests.queued digests=%s", sent, extra={"event": "daily_digests.queued"})
    return sent
