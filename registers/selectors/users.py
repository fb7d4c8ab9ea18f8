"""Reads over staff: who may hold which responsibility."""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from registers.models import Contract
from registers.roles import COMMISSIONING_OFFICER, MANAGER, QA_OFFICER

BY_NAME = ("first_name", "last_name", "username")


def active_users_in(*roles: str) -> QuerySet:
    """Active users holding any of ``roles``, each once, by name."""
    user_model = get_user_model()
    members = user_model.objects.filter(is_active=True, groups__name__in=roles).values("pk")
    return user_model.objects.filter(pk__in=members).order_by(*BY_NAME)


def lead_officer_candidates() -> QuerySet:
    """Who may lead a QA visit: active QA officers and managers."""
    return active_users_in(QA_OFFICER, MANAGER)


def contract_manager_candidates() -> QuerySet:
    """Who may manage a contract: active commissioning officers and managers."""
    return active_users_in(COMMISSIONING_OFFICER, MANAGER)


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


def contract_manager_choices(*, contract_id=None) -> QuerySet:
    """The people a contract's form offers: the candidates, and its manager now."""
    current = []
    if contract_id is not None and str(contract_id).isdigit():
        current = Contract.objects.filter(pk=contract_id, contract_manager__isnull=False).values(
            "contract_manager"
        )
    return with_current(contract_manager_candidates(), current)
