"""Idle and absolute session timeouts.

Django's SESSION_COOKIE_AGE slides forward whenever the session is saved, so on
its own it is neither: this middleware signs a user out after SESSION_IDLE_TIMEOUT
seconds without a request, and SESSION_ABSOLUTE_TIMEOUT seconds after signing in,
whatever they did in between. The session page (registers.session_views) reads
the time left without counting as activity.
"""

import logging
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse

logger = logging.getLogger(__name__)

SIGNED_IN_AT = "_portal_signed_in_at"
LAST_SEEN = "_portal_last_seen"
# Activity is written at most once a minute: a session save on every request
# would cost queries on every page for no real precision.
TOUCH_EVERY = 60


def session_times(session, now: float) -> tuple[float, float]:
    """Seconds left before the idle and the absolute timeout."""
    started = session.get(SIGNED_IN_AT, now)
    last = session.get(LAST_SEEN, now)
    return (
        settings.SESSION_IDLE_TIMEOUT - (now - last),
        settings.SESSION_ABSOLUTE_TIMEOUT - (now - started),
    )


def session_touch(session, now: float) -> None:
    session.setdefault(SIGNED_IN_AT, now)
    session[LAST_SEEN] = now


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            idle_left, absolute_left = session_times(request.session, now)
            if idle_left <= 0 or absolute_left <= 0:
                return self._sign_out(request, idle=idle_left <= 0)
            if not request.path_info.startswith(reverse("session:status")) and (
                SIGNED_IN_AT not in request.session
                or now - request.session.get(LAST_SEEN, 0) >= TOUCH_EVERY
            ):
                session_touch(request.session, now)
        return self.get_response(request)

    def _sign_out(self, request, *, idle: bool):
        logger.info(
            "Signed out %s after %s", request.user.get_username(), "idling" if idle else "8 hours"
        )
        logout(request)
        if request.path_info.startswith(reverse("session:status")):
            return JsonResponse({"signed_in": False}, status=401)
        minutes = settings.SESSION_IDLE_TIMEOUT // 60
        messages.info(
            request,
            f"You were signed out because you had not done anything for {minutes} minutes."
            if idle
            else "You were signed out because you signed in more than 8 hours ago.",
        )
        target = reverse("admin:login")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)
