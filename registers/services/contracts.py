"""The contracts register: adding and changing contracts, extensions,
terminations and the written authorisation of spot purchases.

Rules that read other records live here, once: a call-off names a lot of the
right kind of framework and its provider is admitted to that lot; a setting
belongs to the contract's provider; only an eligible person manages a
contract, and only managers and business support hand it to someone else; a
spot purchase's justification is fixed once authorised. The contract manager
holds change permission on the contract, and it moves with them. A contract
naming a setting may bring it into use, which enhanced monitoring reviews.
"""

import logging
from collections.abc import Sequence
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from registers.changes import (
    GIVEN_REASON,
    Change,
    ErrorCollector,
    Refusal,
    change_from,
    raise_first,
)
from registers.dates import add_months
from registers.models import (
    ApprovalStatus,
    AuthoriserRole,
    Contract,
    FrameworkKind,
    Lot,
    ProcurementRoute,
    Provider,
    Setting,
)
from registers.models.contracts import CALL_OFF_ROUTES
from registers.models.providers import IN_USE_APPROVAL_STATUSES
from registers.permissions import Actor, has_perm
from registers.selectors.users import contract_manager_candidates
from registers.services.access import move_change_permission
from registers.services.authorities import staff_membership_check
from registers.services.checks import check_basics
from registers.services.monitoring import monitoring_queue
from registers.services.recording import log_write, record_changes, save_one
from registers.services.units import write_unit

logger = logging.getLogger(__name__)


def contract_manager_editable(*, user: Actor) -> bool:
    """Who may hand a contract to another manager: managers and business support,
    not the commissioning officer who manages it."""
    return has_perm(user, "registers.change_contract")


def contract_justification_locked(*, contract: Contract) -> bool:
    """Once authorised in writing, a spot purchase's justification is fixed."""
    return bool(contract.spot_authorised_on)


def contracts_check(*, changes: Sequence[Change[Contract]], user: Actor, **_) -> list[Refusal]:
    errors = ErrorCollector()
    check_basics(
        changes,
        user=user,
        errors=errors,
        add_refused="You may not add contracts.",
        change_refused="This is not a contract you may change.",
    )
    may_hand_over = contract_manager_editable(user=user)
    new_managers = {
        id(c) for c in changes if c.obj.contract_manager_id and c.changed("contract_manager")
    }
    candidates = (
        set(contract_manager_candidates().values_list("pk", flat=True)) if new_managers else set()
    )
    lots = _lots(changes)
    setting_owners = dict(
        Setting.objects.filter(pk__in={c.obj.setting_id for c in changes} - {None}).values_list(
            "pk", "provider_id"
        )
    )
    for change in changes:
        contract = change.obj
        if not change.is_new and change.changed("contract_manager") and not may_hand_over:
            errors.add(
                change,
                "Only managers and business support hand a contract to another manager.",
                "contract_manager",
            )
        elif id(change) in new_managers and contract.contract_manager_id not in candidates:
            errors.add(
                change,
                f"{contract.contract_manager} is not an active commissioning officer or manager.",
                "contract_manager",
            )
        _call_off_errors(change, lots, errors)
        owner = setting_owners.get(contract.setting_id)
        if contract.setting_id and owner not in (None, contract.provider_id):
            errors.add(change, f"{contract.setting} is run by another provider.", "setting")
        if (
            not change.is_new
            and contract_justification_locked(contract=change.before)
            and change.changed("spot_justification")
        ):
            errors.add(
                change,
                "The justification was authorised in writing and cannot change now.",
                "spot_justification",
            )
        _spot_requester(change, user)
    _unapproved_providers(changes, errors)
    staff_membership_check(
        [c for c in changes if id(c) in new_managers],
        field="contract_manager",
        errors=errors,
        label="contract manager",
    )
    return errors.refusals()


def _unapproved_providers(changes: Sequence[Change[Contract]], errors: ErrorCollector) -> None:
    """Contracting with a provider that is not approved (an applicant, a suspended
    or removed one) needs a reason, which the history keeps (issue 15)."""
    naming = [c for c in changes if c.obj.provider_id and (c.is_new or c.changed("provider"))]
    if not naming:
        return
    statuses = dict(
        Provider.objects.filter(pk__in={c.obj.provider_id for c in naming}).values_list(
            "pk", "approval_status"
        )
    )
    for change in naming:
        status = statuses.get(change.obj.provider_id)
        if status is None or status in IN_USE_APPROVAL_STATUSES:
            continue
        if not str(change.context.get(GIVEN_REASON) or "").strip():
            errors.add(
                change,
                f"{change.obj.provider} is {ApprovalStatus(status).label.lower()}, not approved: "
                "to contract with it anyway, give the reason in 'Reason for this change'.",
                "provider",
            )


def _lots(changes: Sequence[Change[Contract]]) -> dict[int, tuple[str, str, set[int]]]:
    """lot id -> (label, framework kind, admitted provider ids), in two queries."""
    ids = {c.obj.lot_id for c in changes} - {None}
    if not ids:
        return {}
    lots = {
        lot.pk: (str(lot), lot.framework.kind, set())
        for lot in Lot.objects.select_related("framework").filter(pk__in=ids)
    }
    for lot_id, provider_id in Lot.providers.through.objects.filter(lot_id__in=ids).values_list(
        "lot_id", "provider_id"
    ):
        lots[lot_id][2].add(provider_id)
    return lots


def _call_off_errors(change: Change[Contract], lots, errors: ErrorCollector) -> None:
    contract = change.obj
    route = contract.procurement_route
    if route not in CALL_OFF_ROUTES:
        return
    if not contract.lot_id:
        errors.add(change, "A call-off names the framework lot it is called off from.", "lot")
        return
    label, kind, admitted = lots[contract.lot_id]
    if kind != CALL_OFF_ROUTES[route]:
        errors.add(
            change,
            f"{label} belongs to a {FrameworkKind(kind).label.lower()}, not to a "
            f"{ProcurementRoute(route).label.lower()}.",
            "lot",
        )
    elif contract.provider_id and contract.provider_id not in admitted:
        errors.add(
            change,
            f"{contract.provider} is not admitted to {label}: admit it to the lot first, or "
            "use another route.",
            "provider",
        )


def _spot_requester(change: Change[Contract], user: Actor) -> None:
    """Who asked for a spot purchase is recorded when it is made."""
    contract = change.obj
    if change.is_new:
        if contract.is_spot_purchase:
            contract.spot_requested_by = contract.spot_requested_by or user
        else:
            contract.spot_requested_by = None


def contracts_write(*, changes: Sequence[Change[Contract]], user: Actor, reason: str, **_) -> None:
    with write_unit(user=user) as unit:
        created, updated = record_changes(changes, user=user, reason=reason)
        move_change_permission(
            model=Contract,
            moves=[
                (c.obj, c.old("contract_manager"), c.obj.contract_manager_id)
                for c in changes
                if c.changed("contract_manager")
            ],
        )
        # A live contract naming a setting brings it into use.
        setting_ids = {c.obj.setting_id for c in changes} | {c.old("setting") for c in changes}
        monitoring_queue(setting_ids=setting_ids - {None}, unit=unit)
    log_write(logger, "contracts.written", user=user, created=len(created), updated=len(updated))


def contract_save(*, contract: Contract, user: Actor, reason: str = "") -> Contract:
    return save_one(
        contract,
        check=contracts_check,
        write=contracts_write,
        user=user,
        reason=reason or ("Contract saved" if contract.pk else "Contract created"),
        context={GIVEN_REASON: reason},
    )


def contract_extension_end(*, contract: Contract) -> date:
    """The end date one more extension option would give."""
    return add_months(contract.end_date, contract.extension_months)


def contract_extend(
    *, contract: Contract, user: Actor, reason: str, today: date | None = None
) -> Contract:
    """Use one extension option: move the end date by its length, for a reason."""
    today = today or timezone.localdate()
    refusal = contract_extension_refusal(contract=contract, today=today)
    if refusal:
        raise ValidationError(refusal)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Give the reason for extending the contract."})
    change = change_from(contract)
    old_end = contract.end_date
    contract.end_date = contract_extension_end(contract=contract)
    contract.extensions_used += 1
    raise_first(contracts_check(changes=[change], user=user))
    contracts_write(
        changes=[change],
        user=user,
        reason=(
            f"Extension {contract.extensions_used} of {contract.extension_options} used: "
            f"end date moved from {old_end:%d/%m/%Y} to {contract.end_date:%d/%m/%Y}. "
            f"Reason: {reason.strip()}"
        ),
    )
    return contract


def contract_extension_refusal(*, contract: Contract, today: date | None = None) -> str:
    """Why the contract cannot be extended now; empty when it can."""
    today = today or timezone.localdate()
    if contract.terminated_on:
        return f"{contract} was terminated and cannot be extended."
    if contract.end_date < today:
        return f"{contract} ended on {contract.end_date:%d/%m/%Y}: it cannot be extended."
    if contract.extensions_used >= contract.extension_options:
        return (
            f"{contract} has no extension option left: it allowed "
            f"{contract.extension_options} and {contract.extensions_used} used."
        )
    return ""


def contract_terminate(
    *, contract: Contract, user: Actor, terminated_on: date, reason: str
) -> Contract:
    change = change_from(contract)
    contract.terminated_on = terminated_on
    contract.termination_reason = (reason or "").strip()
    raise_first(contracts_check(changes=[change], user=user))
    contracts_write(changes=[change], user=user, reason=f"Terminated: {reason}")
    return contract


def contract_authorisation_allowed(*, contract: Contract, user: Actor) -> bool:
    """Whether this user may authorise this contract now (the page is offered)."""
    return (
        contract.is_spot_purchase
        and not contract.spot_authorised_on
        and contract.spot_requested_by_id != getattr(user, "pk", None)
        and has_perm(user, "registers.authorise_spot_purchase", contract)
    )


def contract_authorise_spot(
    *, contract: Contract, user: Actor, role: str, on: date | None = None
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
    change = change_from(contract)
    role = AuthoriserRole(role)
    contract.spot_authorised_by = user
    contract.spot_authoriser_role = role
    contract.spot_authorised_on = on or timezone.localdate()
    raise_first(contracts_check(changes=[change], user=user))
    contracts_write(
        changes=[change],
        user=user,
        reason=(
            f"Spot purchase authorised in writing by {user.get_full_name() or user} ({role.label})"
        ),
    )
    return contract
