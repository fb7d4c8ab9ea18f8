"""Deciding a referral and Part C, the individual placement agreement (seed 004).

Awarding one positive response creates the contract in the contracts register
(route "Individual placement agreement") through the contracts service; the
agreement is printed for signature, and once the copies signed by both sides
are among the contract's documents the placement is agreed. The allocated
worker is told each outcome by email, after commit.
"""

import logging
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from registers.models import (
    Contract,
    ContractDocument,
    DocumentKind,
    ProcurementRoute,
    Referral,
    ReferralResponse,
    ReferralStatus,
)
from registers.pdfs import pdf_render
from registers.permissions import Actor, has_perm
from registers.selectors.referrals import (
    positive_responses,
    referral_current_round,
    referral_hours_per_week,
)
from registers.services.contract_records import contract_document_save
from registers.services.contracts import contract_save, contract_terminate
from registers.services.referral_emails import referral_worker_notify
from registers.services.referrals import referral_set_status
from registers.services.units import write_unit

logger = logging.getLogger(__name__)

WEEKS_A_YEAR = Decimal(52)
SIGNED_BY_PROVIDER = "Agreement signed by the provider"
SIGNED_BY_COUNCIL = "Agreement signed by the council"
SIGNED_TITLES = {"provider": SIGNED_BY_PROVIDER, "council": SIGNED_BY_COUNCIL}


def referral_award_allowed(*, referral: Referral, user: Actor) -> bool:
    current = referral_current_round(referral=referral)
    return (
        referral.status == ReferralStatus.CLOSED
        and current is not None
        and has_perm(user, "registers.change_referral", referral)
    )


def weekly_cost(*, referral: Referral, response: ReferralResponse) -> Decimal:
    hours = referral_hours_per_week(referral=referral)
    return (response.hourly_rate * hours).quantize(Decimal("0.01"))


def referral_award(
    *, referral: Referral, user: Actor, response: ReferralResponse, reason: str
) -> Contract:
    """Award the referral to one positive response of the current round, with a reason;
    the placement agreement becomes a contract."""
    if not referral_award_allowed(referral=referral, user=user):
        raise PermissionDenied("This referral cannot be awarded now, or not by you.")
    current = referral_current_round(referral=referral)
    if not positive_responses(round=current).filter(pk=response.pk).exists():
        raise ValidationError({"response": "Choose a positive response of the current round."})
    if not (reason or "").strip():
        raise ValidationError({"reason": "Give the reason for the award."})
    provider = response.invitation.provider
    weekly = weekly_cost(referral=referral, response=response)
    start = max(referral.start_date, response.start_date or referral.start_date)
    end = max(referral.end_date, start)
    weeks = Decimal((end - start).days + 1) / 7
    earlier = Contract.objects.filter(reference__startswith=f"IPA-{referral.number}").count()
    contract = Contract(
        authority_id=referral.authority_id,
        reference=f"IPA-{referral.number}" + (f"-{earlier + 1}" if earlier else ""),
        title=f"Individual placement agreement, referral {referral.number}",
        description=(
            f"{referral.get_service_type_display()}: {referral_hours_per_week(referral=referral)} "
            f"hours a week at £{response.hourly_rate:,.2f} an hour (£{weekly:,.2f} a week)."
        ),
        provider=provider,
        procurement_route=ProcurementRoute.INDIVIDUAL_PLACEMENT,
        contract_manager_id=referral.allocated_worker_id,
        start_date=start,
        end_date=end,
        annual_value=(weekly * WEEKS_A_YEAR).quantize(Decimal("0.01")),
        total_value=(weekly * weeks).quantize(Decimal("0.01")),
    )
    who = getattr(user, "username", "the portal")
    with write_unit(user=user):
        # The award is the permitted act (checked above): the contract is its
        # consequence, written by the portal on the officer's behalf.
        contract_save(
            contract=contract,
            user=None,
            reason=f"Created by the award of referral {referral.number} by {who}",
        )
        referral_set_status(
            referral=referral,
            user=user,
            status=ReferralStatus.AWARDED,
            reason=f"Awarded to {provider}: {reason.strip()}",
            awarded_provider=provider,
            award_reason=reason.strip(),
            contract=contract,
        )
        referral_worker_notify(referral=referral, outcome=f"awarded to {provider}")
    return contract


# --- Part C ---------------------------------------------------------------------------


def referral_agreement_pdf(*, referral: Referral, user: Actor) -> bytes:
    if not has_perm(user, "registers.view_referral", referral) or referral.contract_id is None:
        raise PermissionDenied("There is no agreement of this referral for you to see.")
    response = (
        ReferralResponse.objects.filter(
            invitation__round__referral=referral,
            invitation__provider_id=referral.awarded_provider_id,
        )
        .order_by("-invitation__round__number")
        .first()
    )
    context = {
        "title": f"Individual placement agreement {referral.number}",
        "document_label": "Part C: individual placement agreement",
        "authority_name": referral.authority.name,
        "referral": referral,
        "contract": referral.contract,
        "response": response,
        "schedule": list(referral.schedule.all()),
        "hours": referral_hours_per_week(referral=referral),
        "weekly": weekly_cost(referral=referral, response=response) if response else None,
    }
    return pdf_render(template="registers/pdf/referral_agreement.html", context=context)


def referral_signed_copies(*, referral: Referral) -> set[str]:
    if referral.contract_id is None:
        return set()
    titles = set(
        ContractDocument.objects.filter(
            contract_id=referral.contract_id, kind=DocumentKind.SIGNED_IPA
        ).values_list("title", flat=True)
    )
    return {side for side, title in SIGNED_TITLES.items() if title in titles}


def referral_upload_allowed(*, referral: Referral, user: Actor) -> bool:
    return referral.status in (ReferralStatus.AWARDED, ReferralStatus.AGREED) and has_perm(
        user, "registers.change_referral", referral
    )


def referral_signed_copy_upload(
    *, referral: Referral, user: Actor, side: str, file: UploadedFile
) -> ContractDocument:
    """A signed copy goes to the contract's documents; with both, the placement is agreed."""
    if not referral_upload_allowed(referral=referral, user=user):
        raise PermissionDenied("This is not a referral whose agreement you may upload.")
    if side not in SIGNED_TITLES:
        raise ValidationError({"side": "Say who signed this copy."})
    document = ContractDocument(
        contract=referral.contract,
        kind=DocumentKind.SIGNED_IPA,
        title=SIGNED_TITLES[side],
        file=file,
        uploaded_by=user,
    )
    with write_unit(user=user):
        # The referral's permission governs its agreement's upload, as for the award.
        contract_document_save(
            document=document, user=None, reason=f"{SIGNED_TITLES[side]}, uploaded by {user}"
        )
        if referral.status == ReferralStatus.AWARDED and referral_signed_copies(
            referral=referral
        ) == set(SIGNED_TITLES):
            referral_set_status(
                referral=referral,
                user=user,
                status=ReferralStatus.AGREED,
                reason="Placement agreed: both signed copies received",
            )
            referral_worker_notify(referral=referral, outcome="placement agreed")
    return document


# --- changes after the award -------------------------------------------------------------


def referral_reopen_allowed(*, referral: Referral, user: Actor) -> bool:
    return referral.status in (ReferralStatus.AWARDED, ReferralStatus.AGREED) and has_perm(
        user, "registers.change_referral", referral
    )


def referral_reopen(
    *, referral: Referral, user: Actor, reason: str, on: date | None = None
) -> Referral:
    """The provider can no longer deliver: its agreement ends and the referral goes out
    again (back to approved, to be sent from the first round's kind onwards)."""
    if not referral_reopen_allowed(referral=referral, user=user):
        raise PermissionDenied("This referral cannot be reopened now, or not by you.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the provider can no longer deliver."})
    on = on or timezone.localdate()
    with write_unit(user=user):
        contract = referral.contract
        if contract is not None and not contract.terminated_on:
            contract_terminate(
                contract=contract,
                user=None,
                terminated_on=max(on, contract.start_date),
                reason=f"The provider can no longer deliver ({user}): {reason}",
            )
        referral_set_status(
            referral=referral,
            user=user,
            status=ReferralStatus.APPROVED,
            reason=f"Reopened, the provider can no longer deliver: {reason}",
            awarded_provider=None,
            award_reason="",
            contract=None,
        )
        referral_worker_notify(
            referral=referral, outcome="reopened: the provider can no longer deliver"
        )
    return referral
