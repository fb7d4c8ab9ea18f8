"""Reminders and digests go out at most once a day per kind and recipient: the
daily job may run twice, and a second run sends nothing new."""

from datetime import date

from django.db import IntegrityError, transaction

from registers.models import ReminderLog


def reminder_claim(*, kind: str, recipient: str, today: date) -> bool:
    """Log the reminder as sent today; False if it already was."""
    try:
        with transaction.atomic():
            ReminderLog.objects.create(kind=kind, recipient=recipient, sent_on=today)
    except IntegrityError:
        return False
    return True
