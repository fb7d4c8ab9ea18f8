"""Visit reports: the PDF a completed visit produces, issued to the provider.

Issuing renders the report (findings, RAG, recommendations and the action
plan) in the council's layout, keeps it as a new version, moves the visit to
"Report issued" through the visits service, and emails the provider the PDF
with a response deadline, after commit. QA officers issue reports and record
the provider's response for the visits they may change (the visits they lead);
managers for any visit of their councils.
"""

import logging
from collections.abc import Sequence
from datetime import date, datetime, time
from functools import partial

from django.conf import settings as conf
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.template.loader import render_to_string
from django.utils import timezone

from registers.changes import Change, ErrorCollector, Refusal, change_from, raise_first
from registers.dates import add_working_days
from registers.models import Visit, VisitReport, VisitStatus
from registers.pdfs import pdf_render
from registers.permissions import Actor, can, changeable_ids
from registers.selectors.visit_reports import has_reports, next_report_version, report_actions
from registers.services.checks import check_versions
from registers.services.emails import email_enqueue
from registers.services.recording import log_write, record_changes, save_one
from registers.services.units import write_unit
from registers.services.visits import visit_issue_report

logger = logging.getLogger(__name__)

ISSUABLE = (VisitStatus.COMPLETED, VisitStatus.REPORT_ISSUED)
NOT_COMPLETED = "Only a completed visit's report can be issued: complete the visit first."
NOT_YOURS = "This is not a visit whose report you may issue or record."
# What recording a response may change: a report as issued is never rewritten.
RESPONSE_FIELDS = {"provider_response", "response_received_on", "response_recorded_by"}


def _provider(visit: Visit):
    if visit.provider_id:
        return visit.provider
    return visit.setting.provider if visit.setting_id else None


def visit_report_recipient(*, visit: Visit) -> str:
    """The provider's main contact email, the default address of the report."""
    provider = _provider(visit)
    return provider.contact_email if provider is not None else ""


def visit_report_issue_allowed(*, visit: Visit, user: Actor) -> bool:
    """Whether the visit's page offers "Issue report" to this user (the answer
    the page's own change permission gave, cached for the request)."""
    return visit.status in ISSUABLE and can(user, "change", visit)


def visit_report_response_allowed(*, visit: Visit, user: Actor) -> bool:
    """Whether the page offers "Record provider response": a report issued here."""
    return (
        visit.status == VisitStatus.REPORT_ISSUED
        and can(user, "change", visit)
        and has_reports(visit)
    )


def visit_report_pdf(
    *,
    visit: Visit,
    version: int | None = None,
    issued_on: date | None = None,
    issued_by: Actor = None,
    response_due: date | None = None,
) -> bytes:
    """The report in the owning council's layout; without a version, a draft."""
    setting = visit.setting if visit.setting_id else None
    address = ""
    if setting is not None:
        parts = (setting.address_line_1, setting.address_line_2, setting.town, setting.postcode)
        address = ", ".join(part for part in parts if part)
    lead = visit.lead_officer
    return pdf_render(
        template="registers/pdf/visit_report.html",
        context={
            "title": "Quality assurance visit report",
            "authority_name": visit.authority.name,
            "document_label": f"Version {version}" if version else "Draft",
            "draft": version is None,
            "version": version,
            "visit": visit,
            "address": address,
            "provider": _provider(visit),
            "lead_officer": (lead.get_full_name() or lead.username) if lead else "",
            "issued_on": issued_on,
            "issued_by": (issued_by.get_full_name() or issued_by.username) if issued_by else "",
            "response_due": response_due,
            "actions": report_actions(visit=visit),
        },
    )


def visit_reports_check(
    *, changes: Sequence[Change[VisitReport]], user: Actor, today: date | None = None, **_
) -> list[Refusal]:
    """A report is of a completed visit the user may change; its response, once
    given, is dated on or after the issue and not in the future."""
    today = today or timezone.localdate()
    errors = ErrorCollector()
    visit_ids = [c.obj.visit_id for c in changes]
    allowed = changeable_ids(user, Visit, visit_ids)
    for change in changes:
        report = change.obj
        if report.visit_id not in allowed:
            errors.add(change, NOT_YOURS)
            continue
        if change.is_new and report.visit.status not in ISSUABLE:
            errors.add(change, NOT_COMPLETED, "status")
        if not change.is_new and set(change.changed_fields()) - RESPONSE_FIELDS:
            errors.add(change, "An issued report cannot change: issue a new version.")
        try:
            validate_email(report.sent_to)
        except ValidationError:
            errors.add(
                change,
                "Give the email address to send the report to (the provider has no "
                "main contact email)."
                if not report.sent_to
                else f"'{report.sent_to}' is not an email address.",
                "sent_to",
            )
        _response_errors(change, today, errors)
    check_versions(changes, errors=errors)
    return errors.refusals()


def _response_errors(change: Change[VisitReport], today: date, errors: ErrorCollector) -> None:
    report = change.obj
    received = report.response_received_on
    if received is None:
        if (report.provider_response or "").strip():
            errors.add(change, "Give the date the response was received.", "response_received_on")
        return
    if not (report.provider_response or "").strip():
        errors.add(change, "Record the provider's response.", "provider_response")
    if received > today:
        errors.add(change, "A response cannot be received in the future.", "response_received_on")
    elif report.issued_at and received < timezone.localtime(report.issued_at).date():
        errors.add(
            change,
            "A response cannot be received before the report was issued "
            f"({timezone.localtime(report.issued_at):%d/%m/%Y}).",
            "response_received_on",
        )


def visit_reports_write(
    *, changes: Sequence[Change[VisitReport]], user: Actor, reason: str, **_
) -> None:
    with write_unit(user=user):
        created, updated = record_changes(changes, user=user, reason=reason)
    log_write(
        logger, "visit_reports.written", user=user, created=len(created), updated=len(updated)
    )


def visit_report_issue(
    *, visit: Visit, user: Actor, sent_to: str = "", today: date | None = None
) -> VisitReport:
    """Issue the visit's report: a new version, the visit marked "Report issued",
    and the PDF emailed to ``sent_to`` (by default the provider's main contact)
    with the response deadline, once the transaction commits."""
    today = today or timezone.localdate()
    with write_unit(user=user, today=today) as unit:
        # One issue at a time per visit: the version numbers stay a sequence.
        visit = (
            Visit.objects.select_for_update(of=("self",))
            .select_related("authority", "setting__provider", "provider", "lead_officer")
            .get(pk=visit.pk)
        )
        report = VisitReport(
            visit=visit,
            version=next_report_version(visit=visit),
            issued_at=_issued_at(today),
            issued_by=user,
            sent_to=(sent_to or visit_report_recipient(visit=visit)).strip(),
            response_due=add_working_days(today, conf.VISIT_REPORT_RESPONSE_DAYS),
        )
        # Refused before anything is rendered or stored.
        raise_first(visit_reports_check(changes=[Change(obj=report)], user=user, today=today))
        pdf = visit_report_pdf(
            visit=visit,
            version=report.version,
            issued_on=today,
            issued_by=user,
            response_due=report.response_due,
        )
        name = f"visit-{visit.pk}-report-v{report.version}.pdf"
        report.file.save(name, ContentFile(pdf), save=False)
        save_one(
            report,
            check=visit_reports_check,
            write=visit_reports_write,
            user=user,
            reason=f"Report version {report.version} issued to {report.sent_to}",
            today=today,
        )
        visit_issue_report(
            visit=visit,
            user=user,
            issued_on=today,
            reason=f"Visit report version {report.version} issued",
        )
        if not unit.quiet:
            unit.after_commit(partial(_email_report, report=report, user=user))
    return report


def _issued_at(today: date) -> datetime:
    """Now; or midday of ``today`` when a report is recorded as issued on another
    day (the demo's history, a test's calendar)."""
    if today == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(today, time(12)))


def _email_report(*, report: VisitReport, user: Actor) -> None:
    visit = report.visit
    provider = _provider(visit)
    context = {
        "visit": visit,
        "version": report.version,
        "response_due": report.response_due,
        "authority_name": visit.authority.name,
        "place": visit.setting.display_name if visit.setting_id else str(provider),
        "contact_name": provider.contact_name if provider is not None else "",
        "issued_by": (user.get_full_name() or user.username) if user else "",
    }
    subject = " ".join(
        render_to_string("registers/email/visit_report_subject.txt", context).split()
    )
    body = render_to_string("registers/email/visit_report_body.txt", context)
    filename = f"visit-report-{visit.pk}-v{report.version}.pdf"
    email_enqueue(
        subject=subject,
        body=body,
        recipients=[report.sent_to],
        attachments=[(report.file.name, filename)],
    )


def visit_report_record_response(
    *,
    report: VisitReport,
    user: Actor,
    response: str,
    received_on: date,
    today: date | None = None,
) -> VisitReport:
    """Record the provider's response to an issued report."""
    change = change_from(report)
    report.provider_response = response.strip()
    report.response_received_on = received_on
    report.response_recorded_by = user
    raise_first(visit_reports_check(changes=[change], user=user, today=today))
    visit_reports_write(changes=[change], user=user, reason="Provider's response recorded")
    return report
