"""Views outside the admin: the iCal feed, which calendar apps fetch without a
login, and contract documents, served only to those who may see the contract."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from registers.models import ContractDocument
from registers.permissions import can
from registers.services.calendar_feeds import calendar_feed_render, calendar_feed_user


@never_cache
@require_GET
def calendar_feed(request, token: str):
    user = calendar_feed_user(token)
    if user is None:
        raise Http404("No such calendar.")
    response = HttpResponse(
        calendar_feed_render(user=user), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="qa-visits.ics"'
    return response


@require_GET
def contract_document(request, name: str):
    """Stream a contract document to a user who may view its contract."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    # PostgreSQL refuses a NUL byte in a text comparison: no stored name has one.
    document = (
        None
        if "\x00" in name
        else ContractDocument.objects.select_related("contract").filter(file=name).first()
    )
    if document is None:
        raise Http404("No such document.")
    if not (
        can(request.user, "view", document.contract)
        or can(request.user, "change", document.contract)
    ):
        raise PermissionDenied
    return FileResponse(
        document.file.open("rb"), as_attachment=True, filename=name.rsplit("/", 1)[-1]
    )
