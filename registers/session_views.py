"""The session's time left, for the "you are about to be signed out" warning, and
"Stay signed in", which counts as activity."""

import time

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.middleware.session_timeouts import session_times, session_touch


@never_cache
@require_http_methods(["GET", "POST"])
def status(request):
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    now = time.time()
    if request.method == "POST":
        session_touch(request.session, now)
    idle_left, absolute_left = session_times(request.session, now)
    return JsonResponse(
        {
            "signed_in": True,
            "seconds_left": int(min(idle_left, absolute_left)),
            "idle_timeout": settings.SESSION_IDLE_TIMEOUT,
            "warn_before": settings.SESSION_WARNING_SECONDS,
        }
    )
