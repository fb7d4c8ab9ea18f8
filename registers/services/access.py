"""Object-level permissions that follow a record's responsible user.

The lead officer of a visit may change it (and, through the parent backend,
its action items); the manager of a contract may change it. When the
responsible user changes, the old one loses the permission and the new one
gains it in the same transaction as the change itself.
"""

from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from registers.models import Contract, Visit

CHANGE_VISIT = "registers.change_visit"
CHANGE_CONTRACT = "registers.change_contract"


def _move_permission(*, perm: str, obj, previous_user, current_user) -> None:
    with transaction.atomic():
        if previous_user is not None and previous_user != current_user:
            remove_perm(perm, previous_user, obj)
        if current_user is not None:
            assign_perm(perm, current_user, obj)


def sync_visit_lead(*, visit: Visit, previous_lead=None) -> None:
    _move_permission(
        perm=CHANGE_VISIT, obj=visit, previous_user=previous_lead, current_user=visit.lead_officer
    )


def sync_contract_manager(*, contract: Contract, previous_manager=None) -> None:
    _move_permission(
        perm=CHANGE_CONTRACT,
        obj=contract,
        previous_user=previous_manager,
        current_user=contract.contract_manager,
    )
