"""QA visits: who may plan, lead and change them, and their lifecycle.

Planned -> Completed -> Report issued, or Planned -> Cancelled. A new visit
may be recorded in any status (a past visit entered afterwards) as long as it
carries what that status needs. The lead officer holds change permission on
the visit, and it moves with the lead.
"""

import logging
from collections.abc import Sequence
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from registers.changes import Change, ErrorCollector, Refusal, has_value
from registers.models import Visit, VisitStatus
from registers.permissions import Actor, authority_scope, has_perm
from registers.selectors.users import lead_officer_candidates, staff_scope, with_current
from registers.services.access import move_change_permission
from registers.services.authorities import staff_membership_check
from registers.services.checks import check_basics
from registers.services.recording import log_write, record_changes, save_one
from registers.services.units import write_unit

logger = logging.getLogger(__name__)

ASSIGN = "registers.assign_visit"

TRANSITIONS: dict[str, tuple[str, ...]] = {
    VisitStatus.PLANNED: (VisitStatus.PLANNED, VisitStatus.COMPLETED, VisitStatus.CANCELLED),
    VisitStatus.COMPLETED: (VisitStatus.COMPLETED, VisitStatus.REPORT_ISSUED),
    VisitStatus.REPORT_ISSUED: (VisitStatus.REPORT_ISSUED,),
    VisitStatus.CANCELLED: (VisitStatus.CANCELLED,),
}


def allowed_statuses(current: str | None) -> tuple[str, ...]:
    """The statuses a visit may move to; any, for a visit not yet recorded."""
    if current is None:
        return tuple(VisitStatus.values)
    return TRANSITIONS[current]


def _status_errors(
    visit: Visit, previous: str | None, today: date, errors: ErrorCollector, change
) -> None:
    status = visit.status
    if status not in allowed_statuses(previous):
        errors.add(
            change,
            f"A visit cannot go from {VisitStatus(previous).label} to {VisitStatus(status).label}.",
            "status",
        )
    if status in (VisitStatus.COMPLETED, VisitStatus.REPORT_ISSUED):
        if not visit.actual_date:
            errors.add(change, "Give the date of the visit to complete it.", "actual_date")
        elif visit.actual_date > today:
            errors.add(
                change, "A visit cannot be completed with a date in the future.", "actual_date"
            )
        if not visit.rag:
            errors.add(change, "Give a RAG outcome to complete the visit.", "rag")
        if not (visit.findings or "").strip():
            errors.add(change, "Record the findings to complete the visit.", "findings")
    if status == VisitStatus.REPORT_ISSUED:
        if not visit.report_issued_on:
            errors.add(change, "Give the date the report was issued.", "report_issued_on")
        elif visit.actual_date and visit.report_issued_on < visit.actual_date:
            errors.add(change, "The report cannot be issued before the visit.", "report_issued_on")
    if status == VisitStatus.CANCELLED and not (visit.cancellation_reason or "").strip():
        errors.add(change, "Give the reason the visit was cancelled.", "cancellation_reason")
    if status == VisitStatus.PLANNED and visit.actual_date:
        errors.add(
            change, "A planned visit has no visit date yet: mark it completed.", "actual_date"
        )


def _lead_refusal(*, lead_id, user: Actor, candidates: set, may_assign: bool) -> str:
    """The one rule of who may be made a visit's lead, by whom."""
    if lead_id is None:
        return "" if may_assign else "Only managers may leave a visit without a lead officer."
    if lead_id not in candidates:
        return "is not an active QA officer or manager."
    if lead_id != getattr(user, "pk", None) and not may_assign:
        return "Only managers may assign a visit to another officer."
    return ""


def lead_officer_choices(*, user: Actor, visit_id=None) -> QuerySet:
    """Whom this user may make a visit's lead (staff of the user's own councils,
    on a shared install), and whoever leads it now."""
    staff = lead_officer_candidates(authority_ids=staff_scope(authority_scope(user).member_ids))
    candidates = set(staff.values_list("pk", flat=True))
    may_assign = has_perm(user, ASSIGN)
    allowed = [
        pk
        for pk in candidates
        if not _lead_refusal(lead_id=pk, user=user, candidates=candidates, may_assign=may_assign)
    ]
    current = []
    if visit_id is not None and str(visit_id).isdigit():
        current = Visit.objects.filter(pk=visit_id, lead_officer__isnull=False).values(
            "lead_officer"
        )
    return with_current(staff.filter(pk__in=allowed), current)


def visits_check(
    *, changes: Sequence[Change[Visit]], user: Actor, today: date | None = None
) -> list[Refusal]:
    """Every rule a visit meets, however it is saved. One query per rule, not per row."""
    today = today or timezone.localdate()
    errors = ErrorCollector()
    check_basics(
        changes,
        user=user,
        errors=errors,
        add_refused="You may not plan visits.",
        change_refused="This is not a visit you may change.",
    )
    may_assign = has_perm(user, ASSIGN)
    # A lead named, or an existing visit left without one.
    new_leads = {
        id(c)
        for c in changes
        if c.changed("lead_officer") and (c.obj.lead_officer_id or not c.is_new)
    }
    candidates = set(lead_officer_candidates().values_list("pk", flat=True)) if new_leads else set()
    for change in changes:
        visit = change.obj
        if not has_value(visit, "setting") and not has_value(visit, "provider"):
            errors.add(change, "Choose the setting visited, or the provider's office.", "setting")
        if id(change) in new_leads:
            refusal = _lead_refusal(
                lead_id=visit.lead_officer_id,
                user=user,
                candidates=candidates,
                may_assign=may_assign,
            )
            if refusal:
                who = f"{visit.lead_officer} " if refusal.startswith("is ") else ""
                errors.add(change, who + refusal, "lead_officer")
        _status_errors(visit, change.old("status"), today, errors, change)
    staff_membership_check(
        [c for c in changes if id(c) in new_leads and not errors.has(c)],
        field="lead_officer",
        errors=errors,
        label="lead officer",
    )
    return errors.refusals()


def visits_write(*, changes: Sequence[Change[Visit]], user: Actor, reason: str, **_) -> None:
    """Write checked visits, and move each lead's permission with the visit."""
    with write_unit(user=user):
        created, updated = record_changes(changes, user=user, reason=reason)
        move_change_permission(
            model=Visit,
            moves=[
                (c.obj, c.old("lead_officer"), c.obj.lead_officer_id)
                for c in changes
                if c.changed("lead_officer")
            ],
        )
    log_write(logger, "visits.written", user=user, created=len(created), updated=len(updated))


def visit_save(*, visit: Visit, user: Actor, reason: str = "", today: date | None = None) -> Visit:
    return save_one(
        visit,
        check=visits_check,
        write=visits_write,
        user=user,
        reason=reason or ("Visit saved" if visit.pk else "Visit planned"),
        today=today,
    )


def visit_plan(
    *, user: Actor, planned_date: date, lead_officer=None, reason: str = "routine", **fields
) -> Visit:
    visit = Visit(
        planned_date=planned_date, lead_officer=lead_officer or user, reason=reason, **fields
    )
    return visit_save(visit=visit, user=user, reason="Visit planned")


def visit_complete(
    *,
    visit: Visit,
    user: Actor,
    actual_date: date,
    rag: str,
    findings: str,
    recommendations: str = "",
    today: date | None = None,
) -> Visit:
    visit.status = VisitStatus.COMPLETED
    visit.actual_date = actual_date
    visit.rag = rag
    visit.findings = findings
    visit.recommendations = recommendations
    return visit_save(visit=visit, user=user, reason="Visit completed", today=today)


def visit_issue_report(
    *, visit: Visit, user: Actor, issued_on: date | None = None, reason: str = ""
) -> Visit:
    """Mark the visit's report issued (services/visit_reports.py issues the PDF through it)."""
    visit.status = VisitStatus.REPORT_ISSUED
    visit.report_issued_on = issued_on or timezone.localdate()
    return visit_save(visit=visit, user=user, reason=reason or "Visit report issued")


def visits_issue_reports(*, visits: Sequence[Visit], user: Actor) -> int:
    """The list action: issue the report of each completed visit; others are left."""
    with write_unit(user=user):
        issued = 0
        for visit in visits:
            if visit.status == VisitStatus.COMPLETED:
                visit_issue_report(visit=visit, user=user)
                issued += 1
    return issued


def visit_cancel(*, visit: Visit, user: Actor, reason: str) -> Visit:
    visit.status = VisitStatus.CANCELLED
    visit.cancellation_reason = reason
    return visit_save(visit=visit, user=user, reason=f"Visit cancelled: {reason}")
