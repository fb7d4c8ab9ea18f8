"""The portal's 403, 404 and 500 pages: its own look, a plain-English reason and
a way back. The 500 page needs no request context and no database: whatever
broke may be the database."""

import logging

from django.contrib import admin
from django.http import HttpResponseForbidden, HttpResponseNotFound, HttpResponseServerError
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

logger = logging.getLogger(__name__)

FORBIDDEN = (
    "Your role does not let you open this page, or do this to this record. If you need to, "
    "ask a commissioning manager."
)
NOT_FOUND = (
    "There is no page at this address. The record may have been deleted, or the link "
    "may be mistyped or out of date."
)


def permission_denied(request, exception=None):
    # A refusal the portal words for the user ("You cannot change your own
    # permissions.") is shown; Django's bare ones are not.
    said = str(exception or "").strip()
    reason = said if said.endswith(".") and " " in said else FORBIDDEN
    body = _render(request, "403.html", {"title": "You cannot open this page", "reason": reason})
    return HttpResponseForbidden(body)


def page_not_found(request, exception=None):
    body = _render(request, "404.html", {"title": "Page not found", "reason": NOT_FOUND})
    return HttpResponseNotFound(body)


def server_error(request):
    # No request, no context processors, no queries: the template is all static.
    return HttpResponseServerError(loader.get_template("500.html").render())


def _render(request, template: str, context: dict) -> str:
    try:
        site = admin.site.each_context(request)
    except Exception:  # the error page must render whatever else is wrong
        logger.exception("error_page.context_failed template=%s", template)
        site = {}
    back = request.META.get("HTTP_REFERER", "")
    safe_back = url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    signed_in = getattr(getattr(request, "user", None), "is_authenticated", False)
    return loader.render_to_string(
        template,
        {
            **site,
            **context,
            "home_url": reverse("admin:index"),
            "signed_in": signed_in,
            "back_url": back if safe_back and back != request.build_absolute_uri() else "",
        },
        request,
    )
