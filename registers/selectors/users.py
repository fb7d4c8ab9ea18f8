"""Reads over staff: who may hold which responsibility."""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from registers.models import Authority, Contract
from registers.permissions import authority_names
from registers.roles import COMMISSIONING_OFFICER, MANAGER, QA_OFFICER

BY_NAME = ("first_name", "last_name", "username")

# "Mine": the field naming the person responsible for a record, per model.
MINE_FIELDS = {
    "contract": "contract_manager",
    "visit": "lead_officer",
    "actionitem": "visit__lead_officer",
}


def mine_q(model, user) -> Q:
    """The records ``user`` is responsible for: contracts they manage, visits
    they lead, the actions of those visits."""
    return Q(**{MINE_FIELDS[model._meta.model_name]: user})


def active_users_in(*roles: str, authority_ids=None) -> QuerySet:
    """Active users holding any of ``roles``, each once, by name; with
    ``authority_ids``, only members of those authorities."""
    user_model = get_user_model()
    members = user_model.objects.filter(is_active=True, groups__name__in=roles)
    if authority_ids is not None:
        members = members.filter(authorities__in=sorted(authority_ids))
    return user_model.objects.filter(pk__in=members.values("pk")).order_by(*BY_NAME)


def lead_officer_candidates(*, authority_ids=None) -> QuerySet:
    """Who may lead a QA visit: active QA officers and managers (of these authorities)."""
    return active_users_in(QA_OFFICER, MANAGER, authority_ids=authority_ids)


def contract_manager_candidates(*, authority_ids=None) -> QuerySet:
    """Who may manage a contract: active commissioning officers and managers."""
    return active_users_in(COMMISSIONING_OFFICER, MANAGER, authority_ids=authority_ids)


def several_authorities() -> bool:
    """Whether this install is shared by several councils (from the request's scope query)."""
    return len(authority_names()) > 1


def staff_scope(authority_ids) -> frozenset | None:
    """The authorities whose staff may hold a council's responsibility: None (anyone)
    on an install of one council, where nobody need be made a member."""
    return frozenset(authority_ids) if several_authorities() else None


def memberships(*, user_ids) -> dict[int, set[int]]:
    """Each user's authorities, in one query."""
    through = Authority.members.through.objects.filter(user_id__in=sorted(set(user_ids)))
    found: dict[int, set[int]] = {}
    for user_id, authority_id in through.values_list("user_id", "authority_id"):
        found.setdefault(user_id, set()).add(authority_id)
    return found


def with_current(candidates: QuerySet, current_ids) -> QuerySet:
    """The candidates, and whoever holds the responsibility now (a form must show them).
    ``current_ids`` may be a subquery: no query of its own."""
    if isinstance(current_ids, QuerySet):
        return (
            get_user_model()
            .objects.filter(Q(pk__in=candidates.values("pk")) | Q(pk__in=current_ids))
            .order_by(*BY_NAME)
        )
    current_ids = [pk for pk in current_ids if pk is not None]
    if not current_ids:
        return candidates
    return (
        get_user_model()
        .objects.filter(Q(pk__in=candidates.values("pk")) | Q(pk__in=current_ids))
        .order_by(*BY_NAME)
    )


def contract_manager_choices(*, contract_id=None, authority_ids=None) -> QuerySet:
    """The people a contract's form offers: the candidates (of the user's own
    councils, on a shared install), and its manager now."""
    current = []
    if contract_id is not None and str(contract_id).isdigit():
        current = Contract.objects.filter(pk=contract_id, contract_manager__isnull=False).values(
            "contract_manager"
        )
    candidates = contract_manager_candidates(authority_ids=staff_scope(authority_ids or ()))
    return with_current(candidates, current)


def grant_candidates(*, authority_ids, exclude_id=None) -> QuerySet:
    """Whom a manager may grant a record's permissions: active staff (of the
    manager's councils, on a shared install), by name, never the manager."""
    people = get_user_model().objects.filter(is_active=True, is_staff=True)
    scope = staff_scope(authority_ids)
    if scope is not None:
        people = people.filter(authorities__in=sorted(scope)).distinct()
    if exclude_id is not None:
        people = people.exclude(pk=exclude_id)
    return people.order_by(*BY_NAME)
