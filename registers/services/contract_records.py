"""A contract's follow-up records: price variations, quarterly reviews, documents.

Whoever may change a contract may add these to it. A variation in effect
changes the contract's annual value, with the old value kept in the history;
one dated later waits for the daily job.
"""

import logging
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from registers.changes import Change, ErrorCollector, Refusal, change_from
from registers.models import (
    Contract,
    ContractDocument,
    ContractReview,
    ContractVariation,
    VariationKind,
)
from registers.permissions import Actor, changeable_ids
from registers.services.checks import check_versions, write_records
from registers.services.contracts import contracts_write
from registers.services.recording import save_one
from registers.services.units import write_unit

logger = logging.getLogger(__name__)

PENNY = Decimal("0.01")


def contract_children_check(*, changes: Sequence[Change], user: Actor, **_) -> list[Refusal]:
    """Variations, reviews and documents: own rules, and the contract's permission."""
    errors = ErrorCollector()
    contract_ids = [c.obj.contract_id for c in changes] + [c.old("contract") for c in changes]
    allowed = changeable_ids(user, Contract, contract_ids)
    for change in changes:
        record = change.obj
        try:
            record.clean()
        except ValidationError as exc:
            errors.add_error(change, exc)
        if record.contract_id not in allowed or (
            not change.is_new and change.old("contract") not in allowed
        ):
            errors.add(change, "This is not a contract you may change.")
        if isinstance(record, ContractVariation):
            _variation_errors(change, errors)
        if isinstance(record, ContractReview) and change.is_new:
            record.reviewer = record.reviewer or user
        if isinstance(record, ContractDocument) and change.is_new:
            record.uploaded_by = record.uploaded_by or user
    check_versions(changes, errors=errors)
    return errors.refusals()


def _variation_errors(change: Change[ContractVariation], errors: ErrorCollector) -> None:
    variation = change.obj
    if not change.is_new and change.before.applied_on:
        errors.add(change, "An applied variation cannot change: record a new one.")
    if variation.kind == VariationKind.UPLIFT and variation.contract.annual_value is None:
        errors.add(change, "The contract has no annual value to uplift.", "kind")


def contract_children_write(*, changes: Sequence[Change], user: Actor, reason: str, **_) -> None:
    write_records(
        changes, user=user, reason=reason, logger=logger, event="contract_records.written"
    )


def contract_review_save(
    *, review: ContractReview, user: Actor, reason: str = ""
) -> ContractReview:
    return save_one(
        review,
        check=contract_children_check,
        write=contract_children_write,
        user=user,
        reason=reason or "Quarterly review recorded",
    )


def contract_document_save(
    *, document: ContractDocument, user: Actor, reason: str = ""
) -> ContractDocument:
    return save_one(
        document,
        check=contract_children_check,
        write=contract_children_write,
        user=user,
        reason=reason or "Document uploaded",
    )


def variation_value(
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
    return Decimal(new_annual_value).quantize(PENNY, rounding=ROUND_HALF_UP)


def contract_variation_record(
    *, variation: ContractVariation, user: Actor, reason: str = "", today: date | None = None
) -> ContractVariation:
    """Save a variation; apply it now if it is already in effect."""
    today = today or timezone.localdate()
    with write_unit(user=user, today=today):
        save_one(
            variation,
            check=contract_children_check,
            write=contract_children_write,
            user=user,
            reason=reason or "Variation recorded",
        )
        if variation.effective_date <= today and variation.applied_on is None:
            contract_variations_apply_due(user=user, today=today, contract=variation.contract)
            variation.refresh_from_db()
    return variation


def contract_variations_apply_due(
    *, user: Actor, today: date | None = None, contract: Contract | None = None
) -> int:
    """Apply every variation now in effect, oldest first. Returns how many."""
    today = today or timezone.localdate()
    due = ContractVariation.objects.filter(applied_on__isnull=True, effective_date__lte=today)
    if contract is not None:
        due = due.filter(contract=contract)
    applied = 0
    variations = list(due.order_by("effective_date", "id"))
    # One object per contract, so that each variation starts from the value the
    # one before it left.
    contracts = (
        {contract.pk: contract}
        if contract is not None
        else Contract.objects.in_bulk({v.contract_id for v in variations})
    )
    with write_unit(user=user, today=today):
        for variation in variations:
            target = contracts[variation.contract_id]
            before = target.annual_value
            after = variation_value(
                current=before,
                kind=variation.kind,
                percentage=variation.percentage,
                new_annual_value=variation.new_annual_value,
            )
            change = change_from(target)
            target.annual_value = after
            contracts_write(
                changes=[change],
                user=user,
                reason=(
                    f"Annual value changed from {_pounds(before)} to {_pounds(after)}: "
                    f"{variation.get_kind_display().lower()} from "
                    f"{variation.effective_date:%d/%m/%Y}, approved by {variation.approved_by}"
                ),
            )
            applied_change = change_from(variation)
            variation.previous_annual_value = before
            variation.resulting_annual_value = after
            variation.applied_on = today
            contract_children_write(
                changes=[applied_change], user=user, reason="Variation applied to the contract"
            )
            applied += 1
    return applied


def _pounds(value: Decimal | None) -> str:
    return "nothing" if value is None else f"£{value:,.2f}"
