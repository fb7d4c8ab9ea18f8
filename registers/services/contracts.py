"""Contract rules: validation, extensions, price variations, spot purchases."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from registers.dates import add_months
from registers.models import (
    AuthoriserRole,
    Contract,
    ContractVariation,
    ProcurementRoute,
    VariationKind,
)
from registers.models.contracts import CALL_OFF_ROUTES
from registers.permissions import has_perm
from registers.services.access import sync_contract_manager
from registers.services.history import save_with_history

PENNY = Decimal("0.01")


def validate_contract(*, contract: Contract) -> None:
    """Rules every contract meets, however it is saved. Raises ValidationError."""
    errors: dict[str, str] = {}
    if contract.start_date and contract.end_date and contract.end_date < contract.start_date:
        errors["end_date"] = "The end date cannot be before the start date."
    if contract.review_date and contract.start_date and contract.review_date < contract.start_date:
        errors["review_date"] = "The review date cannot be before the start date."
    route = contract.procurement_route
    lot = contract.lot if contract.lot_id else None
    if route in CALL_OFF_ROUTES:
        if lot is None:
            errors["lot"] = "A call-off names the framework lot it is called off from."
        else:
            expected_kind = CALL_OFF_ROUTES[route]
            if lot.framework.kind != expected_kind:
                errors["lot"] = (
                    f"{lot} belongs to a {lot.framework.get_kind_display().lower()}, "
                    f"not to a {ProcurementRoute(route).label.lower()}."
                )
            elif (
                contract.provider_id and not lot.providers.filter(pk=contract.provider_id).exists()
            ):
                errors["provider"] = (
                    f"{contract.provider} is not admitted to {lot}: admit it to the lot first, "
                    "or use another route."
                )
    elif lot is not None:
        errors["lot"] = "Only a framework, DPS or FPS call-off names a lot."
    if (
        contract.setting_id
        and contract.provider_id
        and contract.setting.provider_id not in (None, contract.provider_id)
    ):
        errors["setting"] = (
            f"{contract.setting} is run by {contract.setting.provider}, not this provider."
        )
    if contract.terminated_on:
        if not (contract.termination_reason or "").strip():
            errors["termination_reason"] = "Give the reason the contract was terminated."
        if contract.start_date and contract.terminated_on < contract.start_date:
            errors["terminated_on"] = "A contract cannot end before it starts."
    if contract.extension_options and not contract.extension_months:
        errors["extension_months"] = "Give the length of each extension option."
    if errors:
        raise ValidationError(errors)


def save_contract(*, contract: Contract, user, previous_manager=None, reason: str = "") -> Contract:
    """Save a contract from a form: records the requester of a spot purchase,
    moves the manager's permission, and starts the RI process for a setting
    that comes into use."""
    creating = contract.pk is None
    with transaction.atomic():
        if creating and contract.is_spot_purchase and contract.spot_requested_by_id is None:
            contract.spot_requested_by = user
        save_with_history(contract, user=user, reason=reason or "Contract saved")
        if contract.contract_manager_id != getattr(previous_manager, "pk", None):
            sync_contract_manager(contract=contract, previous_manager=previous_manager)
        if contract.setting_id:
            from registers.services.ofsted import respond_to_settings

            respond_to_settings(setting_ids=[contract.setting_id], user=user)
    return contract


def extend_contract(*, contract: Contract, user, today: date | None = None) -> Contract:
    """Use one extension option: move the end date by its length."""
    today = today or timezone.localdate()
    if contract.terminated_on:
        raise ValidationError(f"{contract} was terminated and cannot be extended.")
    if contract.end_date < today:
        raise ValidationError(
            f"{contract} ended on {contract.end_date:%d/%m/%Y}: it cannot be extended."
        )
    if contract.extensions_used >= contract.extension_options:
        raise ValidationError(
            f"{contract} has no extension option left: it allowed "
            f"{contract.extension_options} and {contract.extensions_used} used."
        )
    old_end = contract.end_date
    contract.end_date = add_months(old_end, contract.extension_months)
    contract.extensions_used += 1
    return save_with_history(
        contract,
        user=user,
        reason=(
            f"Extension {contract.extensions_used} of {contract.extension_options} used: "
            f"end date moved from {old_end:%d/%m/%Y} to {contract.end_date:%d/%m/%Y}"
        ),
    )


def varied_value(
    *,
    current: Decimal | None,
    kind: str,
    percentage: Decimal | None = None,
    new_annual_value: Decimal | None = None,
) -> Decimal:
    """The annual value after a variation, to the penny (half up)."""
    if kind == VariationKind.UPLIFT:
        if current is None:
            raise ValidationError("The contract has no annual value to uplift.")
        if percentage is None:
            raise ValidationError({"percentage": "An uplift needs a percentage."})
        value = current * (Decimal(100) + Decimal(percentage)) / Decimal(100)
        return value.quantize(PENNY, rounding=ROUND_HALF_UP)
    if new_annual_value is None:
        raise ValidationError({"new_annual_value": "A new rate needs the new annual value."})
    return Decimal(new_annual_value).quantize(PENNY)


def record_variation(
    *, variation: ContractVariation, user, today: date | None = None
) -> ContractVariation:
    """Save a variation; apply it now if it is already in effect."""
    today = today or timezone.localdate()
    with transaction.atomic():
        if variation.kind == VariationKind.UPLIFT and variation.contract.annual_value is None:
            raise ValidationError("The contract has no annual value to uplift.")
        save_with_history(variation, user=user, reason="Variation recorded")
        if variation.effective_date <= today and variation.applied_on is None:
            apply_due_variations(contract=variation.contract, user=user, today=today)
    return variation


def apply_due_variations(
    *, user, today: date | None = None, contract: Contract | None = None
) -> int:
    """Apply every variation now in effect, oldest first. Returns how many."""
    today = today or timezone.localdate()
    due = ContractVariation.objects.filter(applied_on__isnull=True, effective_date__lte=today)
    if contract is not None:
        due = due.filter(contract=contract)
    applied = 0
    with transaction.atomic():
        for variation in due.select_related("contract").order_by("effective_date", "id"):
            target = contract if contract is not None else variation.contract
            before = target.annual_value
            after = varied_value(
                current=before,
                kind=variation.kind,
                percentage=variation.percentage,
                new_annual_value=variation.new_annual_value,
            )
            target.annual_value = after
            save_with_history(
                target,
                user=user,
                reason=(
                    f"Annual value changed from {_pounds(before)} to {_pounds(after)}: "
                    f"{variation.get_kind_display().lower()} from "
                    f"{variation.effective_date:%d/%m/%Y}, approved by {variation.approved_by}"
                ),
            )
            variation.previous_annual_value = before
            variation.resulting_annual_value = after
            variation.applied_on = today
            save_with_history(variation, user=user, reason="Variation applied to the contract")
            applied += 1
    return applied


def _pounds(value: Decimal | None) -> str:
    return "nothing" if value is None else f"£{value:,.2f}"


def authorise_spot_purchase(
    *, contract: Contract, user, role: str, on: date | None = None
) -> Contract:
    """Record the written authorisation of a spot purchase (manuals 000, 003)."""
    if not contract.is_spot_purchase:
        raise ValidationError(f"{contract} is not a spot purchase.")
    if contract.spot_authorised_on:
        raise ValidationError(
            f"{contract} was authorised on {contract.spot_authorised_on:%d/%m/%Y}."
        )
    if not has_perm(user, "registers.authorise_spot_purchase", contract):
        raise PermissionDenied("Only a Head of Service or Director may authorise a spot purchase.")
    if contract.spot_requested_by_id == user.pk:
        raise PermissionDenied("You asked for this spot purchase: someone else must authorise it.")
    if not (contract.spot_justification or "").strip():
        raise ValidationError(
            {"spot_justification": "Write why the framework could not meet the need first."}
        )
    role = AuthoriserRole(role)
    contract.spot_authorised_by = user
    contract.spot_authoriser_role = role
    contract.spot_authorised_on = on or timezone.localdate()
    return save_with_history(
        contract,
        user=user,
        reason=(
            f"Spot purchase authorised in writing by {user.get_full_name() or user} ({role.label})"
        ),
    )


def terminate_contract(*, contract: Contract, user, terminated_on: date, reason: str) -> Contract:
    contract.terminated_on = terminated_on
    contract.termination_reason = reason
    validate_contract(contract=contract)
    return save_with_history(contract, user=user, reason=f"Terminated: {reason}")
