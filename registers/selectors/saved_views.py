"""Reads over saved views: whose they are, which lists they may open, and the
built-in "My contracts" and "All my visits"."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.apps import apps
from django.contrib import admin
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse

from registers import roles
from registers.models import SavedView
from registers.permissions import cached_grants

# Parameters of a page, not of the view: the page number, pop-ups, errors.
NOT_KEPT = frozenset({"p", "_popup", "_to_field", "_changelist_filters", "e", "all"})
MAX_QUERY = 2000


# The sidebar's saved views are read once per few minutes per user, not on
# every page (each page keeps within its query budget); every saved-view write
# moves the version on, so the writer's next page shows the change.
SIDEBAR_SECONDS = 300
VERSION_KEY = "saved-views:version"


@dataclass(frozen=True)
class BuiltInView:
    name: str
    model: str
    query: str
    icon: str
    roles: tuple[str, ...]


BUILT_IN = (
    BuiltInView(
        "My contracts",
        "registers.contract",
        "mine=yes",
        "assignment_ind",
        (roles.MANAGER, roles.COMMISSIONING_OFFICER),
    ),
    # "My visits" is the Quality assurance page of the lead's planned and overdue
    # visits; this is the list of every visit they lead, to filter and sort further.
    BuiltInView(
        "All my visits",
        "registers.visit",
        "mine=yes",
        "event_available",
        (roles.MANAGER, roles.QA_OFFICER),
    ),
)


@dataclass(frozen=True)
class SidebarView:
    name: str
    model: str
    query: str
    icon: str


def list_url(model_label: str, query: str = "") -> str:
    """The changelist of ``model_label`` with ``query``: the only place a view's
    address comes from (never a stored URL)."""
    app_label, model_name = model_label.split(".")
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    return f"{url}?{query}" if query else url


def may_list(user, model_label: str) -> bool:
    """Whether ``model_label`` names a list of the portal the user may open."""
    if not user.is_active or model_label.count(".") != 1:
        return False
    app_label, model_name = model_label.split(".")
    try:
        model = apps.get_model(app_label, model_name)
        list_url(model_label)
    except (LookupError, ValueError, NoReverseMatch):
        return False
    if not admin.site.is_registered(model):
        return False
    codenames = [f"{action}_{model_name}" for action in ("view", "change")]
    if any(user.has_perm(f"{app_label}.{codename}") for codename in codenames):
        return True
    return bool(cached_grants(user).any_of(codenames))


def clean_query(query: str) -> str:
    """The list's filters, search and ordering from a query string, re-encoded;
    page numbers and pop-up markers dropped."""
    params = QueryDict(query.lstrip("?"))
    kept = [
        (key, value)
        for key, values in sorted(params.lists())
        if key not in NOT_KEPT
        for value in values
    ]
    return urlencode(kept)


def views_of(user) -> QuerySet[SavedView]:
    """The user's own views, and those shared with one of their roles."""
    return SavedView.objects.filter(
        Q(user=user) | Q(shared_with__in=user.groups.values("pk"))
    ).select_related("user", "shared_with")


def role_names(user) -> frozenset[str]:
    return frozenset(user.groups.values_list("name", flat=True))


def built_in_views(user, names: frozenset[str]) -> list[BuiltInView]:
    return [view for view in BUILT_IN if names & set(view.roles) or user.is_superuser]


def _read_sidebar(user) -> list[SidebarView]:
    names = role_names(user)
    views = [SidebarView(v.name, v.model, v.query, v.icon) for v in built_in_views(user, names)]
    saved = SavedView.objects.filter(
        Q(user=user, pinned=True) | Q(shared_with__name__in=sorted(names))
    ).order_by("name", "id")
    for view in saved:
        icon = "bookmark" if view.user_id == user.pk else "group"
        views.append(SidebarView(view.name, view.model, view.query, icon))
    return views


def sidebar_views(user) -> list[SidebarView]:
    """The built-in views of the user's roles, their pinned views and those shared
    with their roles: two queries, at most once every few minutes."""
    if not user.is_authenticated:
        return []
    version = cache.get(VERSION_KEY, 0)
    joined = int(user.date_joined.timestamp())
    key = f"saved-views:sidebar:{user.pk}:{joined}:{version}"
    views = cache.get(key)
    if views is None:
        views = _read_sidebar(user)
        cache.set(key, views, SIDEBAR_SECONDS)
    return views


def sidebar_changed() -> None:
    """A saved view changed: every sidebar is read afresh."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, None)


def own_view(user, pk) -> SavedView | None:
    """One of the user's own views (None for anyone else's, shared or not)."""
    if not str(pk).isdigit():
        return None
    return SavedView.objects.filter(user=user, pk=pk).first()
