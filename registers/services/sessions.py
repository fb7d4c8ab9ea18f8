"""End every session of a user: on sign-out, a password change and deactivation.

Sessions live in the database (django.contrib.sessions' default), keyed only by
session key, so a user's sessions are found by decoding the live ones. A council
team has at most a few hundred live sessions, so this stays cheap.
"""

import logging

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone

logger = logging.getLogger(__name__)


def sessions_end_all(*, user_id: int, keep: str | None = None) -> int:
    """Delete every live session of the user except ``keep``; returns how many."""
    ended = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.session_key != keep
        and str(session.get_decoded().get(SESSION_KEY)) == str(user_id)
    ]
    Session.objects.filter(session_key__in=ended).delete()
    if ended:
        logger.info("Ended %d session(s) of user %s", len(ended), user_id)
    return len(ended)
