"""Digest emails go out from a background task, not the request that caused them.

Callers render the message (cheap, and the records it names are read while the
transaction that changed them is still in hand) and enqueue it after commit;
a worker talks to the mail server, so a slow or failing SMTP relay never
holds up or breaks a user's save.
"""

import logging

from django.conf import settings as conf
from django.core.mail import send_mail
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def email_send_task(*, subject: str, body: str, recipients: list[str]) -> int:
    return send_mail(subject, body, conf.DEFAULT_FROM_EMAIL, recipients)


def email_enqueue(*, subject: str, body: str, recipients: list[str]) -> None:
    """Queue one email. Called from an after-commit callback."""
    result = email_send_task.enqueue(subject=subject, body=body, recipients=list(recipients))
    logger.info("email.queued task=%s recipients=%s", result.id, len(recipients))
