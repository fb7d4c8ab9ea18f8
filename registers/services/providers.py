"""Approval of providers: who may approve, suspend or remove, and what follows."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from registers.models import ApprovalStatus, Provider
from registers.models.providers import IN_USE_APPROVAL_STATUSES
from registers.permissions import has_perm
from registers.services.history import save_with_history

REASON_REQUIRED = {
    ApprovalStatus.APPROVED_WITH_CONDITIONS,
    ApprovalStatus.SUSPENDED,
    ApprovalStatus.REMOVED,
}


def change_approval_status(
    *,
    provider: Provider,
    status: str,
    user,
    reason: str = "",
    on: date | None = None,
) -> Provider:
    """Move a provider to ``status``. Only holders of ``approve_provider`` may.

    Approving a provider brings its settings into use, so any Requires
    improvement or Inadequate rating they carry starts the RI process.
    """
    if not has_perm(user, "registers.approve_provider", provider):
        raise PermissionDenied("Only managers may approve, suspend or remove providers.")
    status = ApprovalStatus(status)
    reason = (reason or "").strip()
    if status in REASON_REQUIRED and not reason:
        raise ValidationError({"approval_status_reason": f"Give a reason for '{status.label}'."})
    if provider.approval_status == status:
        raise ValidationError(f"{provider} is already {status.label.lower()}.")
    was_in_use = provider.approval_status in IN_USE_APPROVAL_STATUSES
    with transaction.atomic():
        provider.approval_status = status
        provider.approval_status_changed_on = on or timezone.localdate()
        provider.approval_status_reason = reason
        save_with_history(
            provider,
            user=user,
            reason=f"Approval status changed to {status.label}" + (f": {reason}" if reason else ""),
        )
        if status in IN_USE_APPROVAL_STATUSES and not was_in_use:
            from registers.services.ofsted import respond_to_settings

            respond_to_settings(
                setting_ids=provider.settings.values_list("pk", flat=True), user=user
            )
    return provider


def close_approval_review(*, provider: Provider, user, note: str) -> Provider:
    if not has_perm(user, "registers.approve_provider", provider):
        raise PermissionDenied("Only managers may close an approval review.")
    if not provider.approval_review_required:
        raise ValidationError(f"{provider} has no open approval review.")
    if not (note or "").strip():
        raise ValidationError("Record the outcome of the review.")
    provider.approval_review_required = False
    provider.approval_review_reason = f"{provider.approval_review_reason}\nClosed: {note.strip()}"
    return save_with_history(provider, user=user, reason=f"Approval review closed: {note.strip()}")
