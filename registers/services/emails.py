"""Digest emails go out from a background task, not the request that caused them.

Callers render the message (cheap, and the records it names are read while the
transaction that changed them is still in hand) and enqueue it after commit;
a worker talks to the mail server, so a slow or failing SMTP relay never
holds up or breaks a user's save.
"""

import logging
import mimetypes

from django.conf import settings as conf
from django.core.files.storage import storages
from django.core.mail import EmailMessage, send_mail
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def email_send_task(
    *,
    subject: str,
    body: str,
    recipients: list[str],
    attachments: list[tuple[str, str]] | None = None,
) -> int:
    if not attachments:
        return send_mail(subject, body, conf.DEFAULT_FROM_EMAIL, recipients)
    message = EmailMessage(subject, body, conf.DEFAULT_FROM_EMAIL, recipients)
    # Attachments are stored files, named: a task's arguments are JSON, not bytes.
    storage = storages["default"]
    for name, filename in attachments:
        with storage.open(name, "rb") as handle:
            content = handle.read()
        mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        message.attach(filename, content, mimetype)
    return message.send()


def email_enqueue(
    *,
    subject: str,
    body: str,
    recipients: list[str],
    attachments: list[tuple[str, str]] | None = None,
) -> None:
    """Queue one email, with files of the default storage attached: (stored name,
    file name the recipient sees) pairs. Called from an after-commit callback."""
    files = [list(pair) for pair in attachments or ()] or None
    result = email_send_task.enqueue(
        subject=subject, body=body, recipients=list(recipients), attachments=files
    )
    logger.info("email.queued task=%s recipients=%s", result.id, len(recipients))
