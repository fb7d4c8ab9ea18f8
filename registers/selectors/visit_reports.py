"""Reads over visit reports: each visit's versions, and responses overdue.

One rule for "the provider's response is overdue" (VisitReportQuerySet.
response_overdue: the latest version's deadline has passed with no response),
used by the visit list's flag and filter and the QA officer's My visits.
"""

from datetime import date

from django.db.models import BooleanField, Exists, ExpressionWrapper, Max, OuterRef, Q, QuerySet

from registers.models import ActionItem, Visit, VisitReport
from registers.permissions import owned_by


def response_overdue_visit_q(*, today: date) -> Q:
    """Visits whose latest report's response is overdue."""
    overdue = VisitReport.objects.response_overdue(today=today).filter(visit=OuterRef("pk"))
    return Q(Exists(overdue))


def reports_issued_expression() -> Exists:
    """Whether a visit has a report issued in the portal, for an annotation."""
    return Exists(VisitReport.objects.filter(visit=OuterRef("pk")))


def has_reports(visit: Visit) -> bool:
    """From the annotation when the visit was read with it; else one query."""
    annotated = getattr(visit, "reports_issued", None)
    if annotated is not None:
        return annotated
    return VisitReport.objects.filter(visit=visit).exists()


def with_response_overdue(queryset: QuerySet[Visit], *, today: date) -> QuerySet[Visit]:
    """Annotate ``response_overdue`` on visits: no query of its own."""
    return queryset.annotate(
        response_overdue=ExpressionWrapper(response_overdue_visit_q(today=today), BooleanField())
    )


def responses_overdue_for_officer(*, user, today: date) -> QuerySet[VisitReport]:
    """The latest reports of ``user``'s visits (of their authorities) whose
    response is overdue."""
    visits = owned_by(user, Visit.objects.filter(lead_officer=user))
    return (
        VisitReport.objects.response_overdue(today=today)
        .filter(visit__in=visits)
        .select_related("visit__setting", "visit__provider")
        .order_by("response_due", "pk")
    )


def next_report_version(*, visit: Visit) -> int:
    latest = VisitReport.objects.filter(visit=visit).aggregate(latest=Max("version"))["latest"]
    return (latest or 0) + 1


def latest_report(*, visit: Visit) -> VisitReport | None:
    return VisitReport.objects.filter(visit=visit).order_by("-version").first()


def report_actions(*, visit: Visit) -> list[ActionItem]:
    """The visit's action plan, as the report prints it."""
    return list(ActionItem.objects.filter(visit=visit).order_by("due_date", "pk"))
