"""The visit lifecycle: Planned -> Completed -> Report issued, or Planned -> Cancelled."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from registers.models import Visit, VisitStatus
from registers.permissions import has_perm
from registers.services.access import sync_visit_lead
from registers.services.history import save_with_history

TRANSITIONS: dict[str, tuple[str, ...]] = {
    VisitStatus.PLANNED: (VisitStatus.PLANNED, VisitStatus.COMPLETED, VisitStatus.CANCELLED),
    VisitStatus.COMPLETED: (VisitStatus.COMPLETED, VisitStatus.REPORT_ISSUED),
    VisitStatus.REPORT_ISSUED: (VisitStatus.REPORT_ISSUED,),
    VisitStatus.CANCELLED: (VisitStatus.CANCELLED,),
}


def allowed_statuses(current: str | None) -> tuple[str, ...]:
    return TRANSITIONS[current or VisitStatus.PLANNED]


def validate_visit(*, visit: Visit, previous_status: str | None, today: date | None = None) -> None:
    """The rules a visit must meet in its new status. Raises ValidationError."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    status = visit.status
    if status not in allowed_statuses(previous_status):
        previous = VisitStatus(previous_status or VisitStatus.PLANNED).label
        errors["status"] = f"A visit cannot go from {previous} to {VisitStatus(status).label}."
    if status in (VisitStatus.COMPLETED, VisitStatus.REPORT_ISSUED):
        if not visit.actual_date:
            errors["actual_date"] = "Give the date of the visit to complete it."
        elif visit.actual_date > today:
            errors["actual_date"] = "A visit cannot be completed with a date in the future."
        if not visit.rag:
            errors["rag"] = "Give a RAG outcome to complete the visit."
        if not (visit.findings or "").strip():
            errors["findings"] = "Record the findings to complete the visit."
    if status == VisitStatus.REPORT_ISSUED:
        if not visit.report_issued_on:
            errors["report_issued_on"] = "Give the date the report was issued."
        elif visit.actual_date and visit.report_issued_on < visit.actual_date:
            errors["report_issued_on"] = "The report cannot be issued before the visit."
    if status == VisitStatus.CANCELLED and not (visit.cancellation_reason or "").strip():
        errors["cancellation_reason"] = "Give the reason the visit was cancelled."
    if status == VisitStatus.PLANNED and visit.actual_date:
        errors["actual_date"] = "A planned visit has no visit date yet: mark it completed."
    if errors:
        raise ValidationError(errors)


def check_lead_officer(*, user, lead_officer, previous_lead=None) -> None:
    """Only holders of ``assign_visit`` may make someone else the lead."""
    if lead_officer in (previous_lead, user):
        return
    if not has_perm(user, "registers.assign_visit"):
        raise PermissionDenied("Only managers may assign a visit to another officer.")


def save_visit(*, visit: Visit, user, previous_lead=None, reason: str = "") -> Visit:
    """Save a visit made or changed in a form, and move the lead's permission."""
    with transaction.atomic():
        save_with_history(visit, user=user, reason=reason or "Visit saved")
        if visit.lead_officer_id != getattr(previous_lead, "pk", None):
            sync_visit_lead(visit=visit, previous_lead=previous_lead)
    return visit


def plan_visit(*, user, planned_date: date, lead_officer=None, reason: str = "routine", **fields):
    lead_officer = lead_officer or user
    check_lead_officer(user=user, lead_officer=lead_officer)
    visit = Visit(planned_date=planned_date, lead_officer=lead_officer, reason=reason, **fields)
    visit.full_clean()
    return save_visit(visit=visit, user=user, reason="Visit planned")


def complete_visit(
    *,
    visit: Visit,
    user,
    actual_date: date,
    rag: str,
    findings: str,
    recommendations: str = "",
    today: date | None = None,
) -> Visit:
    previous = visit.status
    visit.status = VisitStatus.COMPLETED
    visit.actual_date = actual_date
    visit.rag = rag
    visit.findings = findings
    visit.recommendations = recommendations
    validate_visit(visit=visit, previous_status=previous, today=today)
    return save_with_history(visit, user=user, reason="Visit completed")


def issue_report(*, visit: Visit, user, issued_on: date | None = None) -> Visit:
    previous = visit.status
    visit.status = VisitStatus.REPORT_ISSUED
    visit.report_issued_on = issued_on or timezone.localdate()
    validate_visit(visit=visit, previous_status=previous)
    return save_with_history(visit, user=user, reason="Visit report issued")


def cancel_visit(*, visit: Visit, user, reason: str) -> Visit:
    previous = visit.status
    visit.status = VisitStatus.CANCELLED
    visit.cancellation_reason = reason
    validate_visit(visit=visit, previous_status=previous)
    return save_with_history(visit, user=user, reason=f"Visit cancelled: {reason}")
