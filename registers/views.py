"""Views outside the admin: the iCal feed, which calendar apps fetch without a
login, and uploaded documents, served only to those who may see their record."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from registers.models import (
    ComplianceDocument,
    ConcernEscalation,
    ContractDocument,
    RegulationReport,
    VisitReport,
)
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


def _serve(request, name: str, *, model, related: str, record, field: str = "file"):
    """Stream the file ``name`` of a ``model`` row to a user who may view ``record(row)``."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    # PostgreSQL refuses a NUL byte in a text comparison: no stored name has one.
    row = (
        None
        if "\x00" in name
        else model.objects.select_related(related).filter(**{field: name}).first()
    )
    if row is None:
        raise Http404("No such document.")
    target = record(row)
    if not (can(request.user, "view", target) or can(request.user, "change", target)):
        raise PermissionDenied
    stored = getattr(row, field)
    return FileResponse(stored.open("rb"), as_attachment=True, filename=name.rsplit("/", 1)[-1])


@require_GET
def contract_document(request, name: str):
    """A contract document, to a user who may view its contract."""
    return _serve(
        request, name, model=ContractDocument, related="contract", record=lambda d: d.contract
    )


@require_GET
def compliance_document(request, name: str):
    """A compliance document, to a user who may view compliance documents."""
    return _serve(request, name, model=ComplianceDocument, related="kind", record=lambda d: d)


@require_GET
def regulation_report(request, name: str):
    """A Regulation 44/45 report, to a user who may view the reports."""
    return _serve(request, name, model=RegulationReport, related="setting", record=lambda r: r)


@require_GET
def visit_report(request, name: str):
    """A visit report's PDF, to a user who may view its visit (of their own council)."""
    return _serve(request, name, model=VisitReport, related="visit", record=lambda r: r.visit)


@require_GET
def concern_letter(request, name: str):
    """A concern's escalation letter, to a user who may view the concern (its authority's)."""
    return _serve(
        request,
        name,
        model=ConcernEscalation,
        related="concern",
        record=lambda e: e.concern,
        field="letter",
    )
