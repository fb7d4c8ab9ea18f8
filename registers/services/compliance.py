"""Compliance documents and their kinds, and the daily digest of what is expiring.

Business support keeps the documents; managers keep the list of kinds. A
document left without an expiry date takes its kind's default validity from
its issue date. Recording a check date records who checked.
"""

import logging
from collections.abc import Sequence
from datetime import date

from django.conf import settings as conf
from django.core.mail import send_mail
from django.utils import timezone

from registers.changes import Change, ErrorCollector, Refusal
from registers.dates import add_months
from registers.models import Authority, ComplianceDocument, ComplianceDocumentKind
from registers.permissions import Actor
from registers.roles import BUSINESS_SUPPORT, MANAGER
from registers.selectors.compliance import expired_documents, expiring_documents
from registers.selectors.users import active_users_in
from registers.services.checks import check_basics, write_records
from registers.services.recording import save_one
from registers.services.reminders import reminder_claim
from registers.services.units import write_unit

logger = logging.getLogger(__name__)


# --- kinds (a managed list) ---------------------------------------------------------


def compliance_kinds_check(
    *, changes: Sequence[Change[ComplianceDocumentKind]], user: Actor, **_
) -> list[Refusal]:
    errors = ErrorCollector()
    check_basics(
        changes,
        user=user,
        errors=errors,
        add_refused="Only managers may add kinds of compliance document.",
        change_refused="Only managers may change kinds of compliance document.",
    )
    return errors.refusals()


def compliance_kinds_write(*, changes: Sequence[Change], user: Actor, reason: str, **_) -> None:
    write_records(
        changes, user=user, reason=reason, logger=logger, event="compliance_kinds.written"
    )


def compliance_kind_save(
    *, kind: ComplianceDocumentKind, user: Actor, reason: str = ""
) -> ComplianceDocumentKind:
    return save_one(
        kind,
        check=compliance_kinds_check,
        write=compliance_kinds_write,
        user=user,
        reason=reason or "Kind of compliance document saved",
    )


# --- documents ----------------------------------------------------------------------


def default_expiry(*, kind: ComplianceDocumentKind, issue_date: date | None) -> date | None:
    """The issue date plus the kind's default validity (None when either is missing)."""
    if issue_date is None or kind.default_validity_months is None:
        return None
    return add_months(issue_date, kind.default_validity_months)


def compliance_documents_check(
    *, changes: Sequence[Change[ComplianceDocument]], user: Actor, **_
) -> list[Refusal]:
    errors = ErrorCollector()
    for change in changes:
        document = change.obj
        if document.expiry_date is None and document.kind_id is not None:
            document.expiry_date = default_expiry(
                kind=document.kind, issue_date=document.issue_date
            )
        if change.changed("checked_on"):
            # The check date and who recorded it go together.
            document.checked_by = user if document.checked_on else None
    check_basics(
        changes,
        user=user,
        errors=errors,
        add_refused="You may not add compliance documents.",
        change_refused="You may not change compliance documents.",
    )
    return errors.refusals()


def compliance_documents_write(*, changes: Sequence[Change], user: Actor, reason: str, **_) -> None:
    write_records(
        changes, user=user, reason=reason, logger=logger, event="compliance_documents.written"
    )


def compliance_document_save(
    *, document: ComplianceDocument, user: Actor, reason: str = ""
) -> ComplianceDocument:
    return save_one(
        document,
        check=compliance_documents_check,
        write=compliance_documents_write,
        user=user,
        reason=reason or ("Changed in the portal" if document.pk else "Compliance document added"),
    )


# --- the daily digest -----------------------------------------------------------------

# Documents listed in one digest; the rest are counted.
DIGEST_LISTED = 100


def compliance_digest_recipients(*, authority_id: int | None) -> list[str]:
    """The authority's business support and managers, each once. ``None``: the
    install's only authority, to which everyone belongs (members listed or not)."""
    users = active_users_in(BUSINESS_SUPPORT, MANAGER).filter(email__gt="")
    if authority_id is not None:
        users = users.filter(authorities=authority_id)
    return sorted(set(users.values_list("email", flat=True)))


def _digest_body(*, authority: Authority, expiring: list, expired_count: int, today: date) -> str:
    lines = [
        f"Compliance documents for {authority.name}, {today:%d/%m/%Y}.",
        "",
        f"Expiring in the next {conf.COMPLIANCE_DIGEST_DAYS} days:",
    ]
    for document in expiring[:DIGEST_LISTED]:
        holder = document.setting.display_name if document.setting_id else document.provider
        lines.append(f"- {document.expiry_date:%d/%m/%Y}: {document.kind.name}, {holder}")
    if len(expiring) > DIGEST_LISTED:
        lines.append(f"- and {len(expiring) - DIGEST_LISTED} more.")
    if expired_count:
        lines += ["", f"{expired_count} document(s) have expired and not been replaced."]
    lines += ["", "Open 'Compliance documents' in the Commissioning Portal for details."]
    return "\n".join(lines)


def compliance_digest_claim(*, authority_id: int) -> str:
    """The once-a-day claim of an authority's compliance digest (services/reminders.py):
    the personal digest takes it for each user it reaches (services/digests.py)."""
    return f"compliance-digest-{authority_id}"


def compliance_digest_send(*, today: date | None = None) -> int:
    """One email per authority, to its business support and managers, listing the
    documents expiring soon. Documents are shared, so each authority hears of
    the same documents; each sends after the job's transaction commits.
    Returns how many digests were queued."""
    today = today or timezone.localdate()
    expiring = list(
        expiring_documents(today=today, within_days=conf.COMPLIANCE_DIGEST_DAYS)
        .select_related("kind", "provider", "setting")
        .order_by("expiry_date", "pk")
    )
    if not expiring:
        return 0
    expired_count = expired_documents(today=today).count()
    queued = 0
    with write_unit(user=None, today=today) as unit:
        authorities = list(Authority.objects.order_by("pk"))
        for authority in authorities:
            kind = compliance_digest_claim(authority_id=authority.pk)
            # One council: everyone belongs to it (see permissions.authority_scope).
            scope = authority.pk if len(authorities) > 1 else None
            recipients = [
                email
                for email in compliance_digest_recipients(authority_id=scope)
                if reminder_claim(kind=kind, recipient=email, today=today)
            ]
            if not recipients:
                continue
            subject = f"Compliance documents expiring: {len(expiring)} ({authority.name})"
            body = _digest_body(
                authority=authority, expiring=expiring, expired_count=expired_count, today=today
            )
            unit.after_commit(
                lambda s=subject, b=body, r=recipients: send_mail(s, b, conf.DEFAULT_FROM_EMAIL, r)
            )
            queued += 1
    logger.info(
        "compliance_digest.queued digests=%s documents=%s",
        queued,
        len(expiring),
        extra={"event": "compliance_digest.queued", "facts": {"digests": queued}},
    )
    return queued
