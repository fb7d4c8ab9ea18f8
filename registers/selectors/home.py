"""The figures of each role's home page. Every figure is counted with the rule
its list filters by (the same Q or QuerySet method), over the rows the user's
list shows: ``visible`` is the admin's own read (permitted, per authority)."""

from datetime import date

from django.db.models import Count, QuerySet
from django.db.models.functions import Coalesce

from registers import roles
from registers.models import (
    AccessEvent,
    ActionItem,
    ComplianceDocument,
    Concern,
    Contract,
    Provider,
    Setting,
    Visit,
)
from registers.models.action_items import overdue_q as action_overdue_q
from registers.models.visits import overdue_q as visit_overdue_q
from registers.permissions import authority_scope, owned_by, permitted
from registers.selectors.compliance import expiring_documents
from registers.selectors.contracts import (
    awaiting_authorisation_q,
    decisions_due_q,
    ending_within_q,
    missing_review_q,
    with_status,
)
from registers.selectors.enforcements import under_enforcement_q
from registers.selectors.providers import approval_review_open_q
from registers.selectors.settings import monitored_for_q, to_match_q
from registers.selectors.users import mine_q
from registers.selectors.visits import action_provider, awaiting_report_q, this_week_q

# A list shows the rows the user may view or change (ObjectPermissionsMixin.visible).
LIST_ACTIONS = ("view", "change")
# The windows the home page's figures use, as their lists' filters offer them.
DECISION_MONTHS = 3
ENDING_MONTHS = 6
EXPIRY_DAYS = 30
# The home page each role sees, first match wins for someone holding several.
HOME_ORDER = (
    roles.MANAGER,
    roles.QA_OFFICER,
    roles.COMMISSIONING_OFFICER,
    roles.BUSINESS_SUPPORT,
    roles.AUDITOR,
    roles.REGIONAL_LEAD,
)


def home_role(user) -> str | None:
    """The role whose home page the user sees (a set-up superuser: the manager's)."""
    if not user.is_active:
        return None
    if user.is_superuser:
        return roles.MANAGER
    names = set(user.groups.values_list("name", flat=True))
    return next((role for role in HOME_ORDER if role in names), None)


def visible(user, queryset: QuerySet) -> QuerySet:
    return permitted(user, LIST_ACTIONS, queryset)


def contract_counts(user, *, today: date) -> dict[str, int]:
    """All the contract figures, the user's own ("my_") and their councils', in one query."""
    contracts = with_status(visible(user, Contract.objects.all()), today=today)
    mine = mine_q(Contract, user)
    rules = {
        "decisions_due": decisions_due_q(today=today, within_months=DECISION_MONTHS),
        "ending": ending_within_q(today=today, months=ENDING_MONTHS),
        "reviews_missing": missing_review_q(today=today),
        "awaiting_authorisation": awaiting_authorisation_q(),
    }
    counts = {name: Count("pk", filter=rule) for name, rule in rules.items()}
    counts |= {f"my_{name}": Count("pk", filter=rule & mine) for name, rule in rules.items()}
    return contracts.aggregate(**counts)


def setting_counts(user) -> dict[str, int]:
    scope = authority_scope(user)
    return visible(user, Setting.objects.all()).aggregate(
        enhanced_monitoring=Count("pk", filter=monitored_for_q(authority_ids=scope.member_ids)),
        to_match=Count("pk", filter=to_match_q()),
        under_enforcement=Count("pk", filter=under_enforcement_q()),
    )


def approval_reviews_open(user) -> int:
    return visible(user, Provider.objects.filter(approval_review_open_q())).count()


def visit_counts(user, *, today: date) -> dict[str, int]:
    """The team's overdue visits, and the user's own this week, overdue and awaiting a report."""
    mine = mine_q(Visit, user)
    return visible(user, Visit.objects.all()).aggregate(
        overdue=Count("pk", filter=visit_overdue_q(today=today)),
        my_this_week=Count("pk", filter=mine & this_week_q(today=today)),
        my_overdue=Count("pk", filter=mine & visit_overdue_q(today=today)),
        my_awaiting_report=Count("pk", filter=mine & awaiting_report_q()),
    )


def my_overdue_actions_by_provider(user, *, today: date, limit: int = 10) -> list[dict]:
    """Overdue actions of the user's visits, by provider, most first: one query."""
    rows = (
        visible(user, ActionItem.objects.filter(action_overdue_q(today=today)))
        .filter(mine_q(ActionItem, user))
        .annotate(
            provider_id=action_provider(),
            provider_name=Coalesce("visit__setting__provider__name", "visit__provider__name"),
        )
        .order_by()
        .values("provider_id", "provider_name")
        .annotate(actions=Count("pk"))
        .order_by("-actions", "provider_name")
    )
    return list(rows[:limit])


def documents_expiring(user, *, today: date) -> int:
    expiring = expiring_documents(today=today, within_days=EXPIRY_DAYS)
    return visible(user, ComplianceDocument.objects.filter(pk__in=expiring.values("pk"))).count()


def open_concerns(user) -> QuerySet[Concern]:
    return visible(user, Concern.objects.open())


# The registers whose recent changes an auditor's home page lists.
RECENT_MODELS = (Contract, Visit, Provider, Concern)


def recent_changes(user, *, limit: int = 10) -> list:
    """The latest history entries of the main registers the user may see (their
    councils' own records only): one query per register."""
    rows = []
    for model in RECENT_MODELS:
        history = owned_by(user, model.history.model.objects.all())
        rows += list(history.select_related("history_user").order_by("-history_date")[:limit])
    rows.sort(key=lambda row: row.history_date, reverse=True)
    return rows[:limit]


def recent_access_changes(*, limit: int = 10) -> list[AccessEvent]:
    return list(AccessEvent.objects.select_related("actor")[:limit])
