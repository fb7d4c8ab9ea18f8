"""When REQUIRE_MFA is on, a signed-in user reaches nothing but the sign-in,
second-factor and static pages until a second factor is verified this session."""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse

logger = logging.getLogger(__name__)

# URL names (namespace:name, or a whole namespace) open before the second factor.
OPEN_NAMES = {"admin:login", "admin:logout", "admin:jsi18n"}
OPEN_NAMESPACES = {"second_factor", "otp_webauthn"}


def _is_open(path: str) -> bool:
    if path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return True
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.view_name in OPEN_NAMES or bool(set(match.namespaces) & OPEN_NAMESPACES)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.REQUIRE_MFA
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not _is_open(request.path_info)
        ):
            target = reverse("second_factor:verify")
            next_url = request.get_full_path() if request.method == "GET" else ""
            if next_url:
                target += "?" + urlencode({"next": next_url})
            return HttpResponseRedirect(target)
        return self.get_response(request)
