"""The approved provider list: adding and changing providers, and their approval.

Approval status moves only for holders of ``approve_provider``; Approved with
conditions, Suspended and Removed need a reason, and a new status never keeps
the old one's reason. The same rules hold on the approval page, in a
spreadsheet import and anywhere else a provider is written. Approving a
provider brings its settings into use, which the enhanced-monitoring check
then reviews. Approving one whose compliance documents have expired, or whose
settings lack a required one, needs a manager's override with a reason.
"""

import logging
from collections.abc import Sequence
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from registers.changes import Change, ErrorCollector, Refusal, change_from, raise_first
from registers.models import ApprovalStatus, Provider, Setting
from registers.models.providers import IN_USE_APPROVAL_STATUSES
from registers.permissions import Actor, has_perm
from registers.selectors.compliance import provider_compliance_gaps
from registers.services.checks import check_basics
from registers.services.monitoring import monitoring_queue
from registers.services.recording import log_write, record_changes, save_one
from registers.services.units import write_unit

logger = logging.getLogger(__name__)

REASON_REQUIRED = (
    ApprovalStatus.APPROVED_WITH_CONDITIONS,
    ApprovalStatus.SUSPENDED,
    ApprovalStatus.REMOVED,
)
# Set by the approval page: the reason typed there, even if it repeats the old one.
REASON_GIVEN = "approval_reason"
# Set by provider_close_review: the one path, besides monitoring, that moves a review.
REVIEW_CLOSED = "review_closed"
# Set by the approval page: the manager's reason for approving despite compliance gaps.
COMPLIANCE_OVERRIDE = "compliance_override"
REVIEW_FIELDS = ("approval_review_required", "approval_review_reason", "approval_review_since")


def providers_check(
    *, changes: Sequence[Change[Provider]], user: Actor, today: date | None = None
) -> list[Refusal]:
    today = today or timezone.localdate()
    errors = ErrorCollector()
    check_basics(
        changes,
        user=user,
        errors=errors,
        add_refused="You may not add providers.",
        change_refused="This is not a provider you may change.",
    )
    may_approve = has_perm(user, "registers.approve_provider")
    for change in changes:
        _approval(change, today=today, may_approve=may_approve, errors=errors)
        moved = change.changed(*REVIEW_FIELDS) and not change.context.get(REVIEW_CLOSED)
        if moved and (not change.is_new or change.obj.approval_review_required):
            errors.add(
                change,
                "An approval review opens when a setting is judged Inadequate and closes "
                "on its own page, not by editing.",
                "approval_review_required",
            )
    _compliance(changes, today=today, errors=errors)
    _unique_numbers(changes, errors)
    return errors.refusals()


def _compliance(changes: Sequence[Change[Provider]], *, today: date, errors) -> None:
    """Approving (into use) a provider with expired or missing required documents
    needs an override with a reason; every path to approval comes here."""
    approving = [
        c
        for c in changes
        if c.obj.pk is not None
        and c.obj.approval_status in IN_USE_APPROVAL_STATUSES
        and c.old("approval_status") not in IN_USE_APPROVAL_STATUSES
    ]
    if not approving:
        return
    gaps = provider_compliance_gaps([c.obj.pk for c in approving], today=today)
    for change in approving:
        found = gaps.get(change.obj.pk)
        override = change.context.get(COMPLIANCE_OVERRIDE)
        if override is not None and not str(override).strip():
            errors.add(change, "Give a reason for overriding the compliance check.", "override")
        elif found and override is None:
            errors.add(
                change,
                f"{change.obj} cannot be approved while compliance documents are "
                f"{found.describe()}. A manager may override this with a reason.",
                "approval_status",
            )


def _approval(change: Change[Provider], *, today: date, may_approve: bool, errors) -> None:
    provider = change.obj
    moved = change.changed("approval_status") and not (
        change.is_new and provider.approval_status == ApprovalStatus.APPLICANT
    )
    if not moved:
        return
    status = ApprovalStatus(provider.approval_status)
    if not may_approve:
        errors.add(
            change, "Only managers may approve, suspend or remove providers.", "approval_status"
        )
    given = change.context.get(REASON_GIVEN)
    if given is None:
        given = provider.approval_status_reason if change.changed("approval_status_reason") else ""
    provider.approval_status_reason = (given or "").strip()
    provider.approval_status_changed_on = change.context.get("on") or today
    if status in REASON_REQUIRED and not provider.approval_status_reason:
        errors.add(change, f"Give a reason for '{status.label}'.", "approval_status_reason")


def _unique_numbers(changes: Sequence[Change[Provider]], errors: ErrorCollector) -> None:
    numbered = [c for c in changes if c.obj.company_number and c.changed("company_number")]
    if not numbered:
        return
    taken = dict(
        Provider.objects.filter(
            company_number__in={c.obj.company_number for c in numbered}
        ).values_list("company_number", "pk")
    )
    seen: dict[str, Change] = {}
    for change in numbered:
        number = change.obj.company_number
        owner = taken.get(number)
        if (owner is not None and owner != change.obj.pk) or number in seen:
            errors.add(
                change, "Another provider has this Companies House number.", "company_number"
            )
        seen[number] = change


def providers_write(
    *, changes: Sequence[Change[Provider]], user: Actor, reason: str, today: date | None = None
) -> None:
    with write_unit(user=user, today=today) as unit:
        created, updated = record_changes(changes, user=user, reason=reason)
        came_into_use = [
            c.obj.pk
            for c in changes
            if c.obj.approval_status in IN_USE_APPROVAL_STATUSES
            and c.old("approval_status") not in IN_USE_APPROVAL_STATUSES
        ]
        if came_into_use:
            setting_ids = Setting.objects.filter(provider_id__in=came_into_use).values_list(
                "pk", flat=True
            )
            monitoring_queue(setting_ids=setting_ids, unit=unit)
    log_write(logger, "providers.written", user=user, created=len(created), updated=len(updated))


def provider_save(
    *, provider: Provider, user: Actor, reason: str = "", today: date | None = None
) -> Provider:
    return save_one(
        provider,
        check=providers_check,
        write=providers_write,
        user=user,
        reason=reason or ("Changed in the portal" if provider.pk else "Created in the portal"),
        today=today,
    )


def provider_change_approval(
    *,
    provider: Provider,
    user: Actor,
    status: str,
    reason: str = "",
    on: date | None = None,
    override_reason: str | None = None,
) -> Provider:
    """The approval page: move the provider to ``status`` with a reason.
    ``override_reason`` (a manager's) approves despite compliance gaps."""
    status = ApprovalStatus(status)
    if provider.approval_status == status:
        raise ValidationError({"approval_status": f"{provider} is already {status.label.lower()}."})
    change = change_from(provider)
    provider.approval_status = status
    change.context.update({REASON_GIVEN: reason, "on": on})
    if override_reason is not None:
        change.context[COMPLIANCE_OVERRIDE] = override_reason
    raise_first(providers_check(changes=[change], user=user))
    note = f": {provider.approval_status_reason}" if provider.approval_status_reason else ""
    if override_reason:
        note += f" (compliance check overridden: {override_reason.strip()})"
    providers_write(
        changes=[change], user=user, reason=f"Approval status changed to {status.label}{note}"
    )
    return provider


def provider_close_review(*, provider: Provider, user: Actor, note: str) -> Provider:
    if not has_perm(user, "registers.approve_provider", provider):
        raise PermissionDenied("Only managers may close an approval review.")
    if not provider.approval_review_required:
        raise ValidationError(f"{provider} has no open approval review.")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Record the outcome of the review."})
    change = change_from(provider)
    change.context[REVIEW_CLOSED] = True
    provider.approval_review_required = False
    provider.approval_review_reason = f"{provider.approval_review_reason}\nClosed: {note}"
    raise_first(providers_check(changes=[change], user=user))
    providers_write(changes=[change], user=user, reason=f"Approval review closed: {note}")
    return provider


def provider_review_allowed(*, provider: Provider, user: Actor) -> bool:
    """Whether the approval review can be closed now, by this user."""
    return provider.approval_review_required and has_perm(
        user, "registers.approve_provider", provider
    )


def provider_approval_allowed(*, provider: Provider, user: Actor) -> bool:
    return has_perm(user, "registers.approve_provider", provider)
