"""One answer to "may this user do this to this record?", for every path.

Django's admin asks only for model-wide permissions; guardian answers only
for a given object. Each check here asks both. Child records (a visit's
action items, a contract's reviews) take their object permissions from their
parent: the lead officer of a visit may change its action items.

``user=None`` is the portal acting for itself: the daily job, or an operator's
management command run without --user. No per-user restriction applies to it;
a request always has a user (anonymous or not), never None.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import CharField, Exists, Model, OuterRef, Q, QuerySet, Value
from guardian.models import (
    GroupObjectPermission,
    GroupObjectPermissionBase,
    UserObjectPermission,
    UserObjectPermissionBase,
)
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from registers.ownership import OWNED, PARENTS

User = AbstractBaseUser | AnonymousUser
# Who a service acts for: a user, or None for the portal itself (see above).
Actor = AbstractBaseUser | None


def perm_name(action: str, model: type[Model] | Model) -> str:
    opts = model._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


# Answers cached per request (PermissionCacheMiddleware); none outside a request.
_cache: ContextVar[dict | None] = ContextVar("permission_cache", default=None)


@contextmanager
def permission_cache() -> Iterator[None]:
    token = _cache.set({})
    try:
        yield
    finally:
        _cache.reset(token)


def _cached(key: tuple, compute: Callable[[], object]):
    cache = _cache.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


# --- authorities -------------------------------------------------------------------
# The one boundary between councils: every read path goes through permitted(),
# changeable_ids() or has_perm(), each applying owned_by() or in_scope() with the
# owned models of registers.ownership.


@dataclass(frozen=True)
class Scope:
    """The install's authorities, and those whose records the user may see (all, with one)."""

    all_ids: tuple[int, ...] = ()
    member_ids: frozenset[int] = frozenset()
    names: dict[int, str] = field(default_factory=dict)

    @property
    def multi(self) -> bool:
        return len(self.all_ids) > 1


def authority_scope(user: User | None) -> Scope:
    """One query (cached per request): every authority, and whether the user is a member."""
    key = ("scope", "system") if user is None else ("scope", user.pk)
    scope = _cached(key, lambda: _read_scope(user))
    cache = _cache.get()
    if cache is not None:
        cache.setdefault(("authority-names",), scope.names)
    return scope


def authority_names() -> dict[int, str]:
    """Every authority's name by id: from the request's scope query when it ran."""
    return _cached(("authority-names",), lambda: _read_scope(None).names)


def _read_scope(user: User | None) -> Scope:
    authority = apps.get_model("registers", "Authority")
    membership = authority.members.through.objects.filter(
        authority=OuterRef("pk"), user=getattr(user, "pk", None)
    )
    rows = list(
        authority.objects.annotate(member=Exists(membership)).values_list("pk", "name", "member")
    )
    all_ids = tuple(pk for pk, _, _ in rows)
    names = {pk: name for pk, name, _ in rows}
    if user is None or len(rows) <= 1 or getattr(user, "is_superuser", False):
        # The portal itself, a single council, and set-up superusers see every authority.
        return Scope(all_ids=all_ids, member_ids=frozenset(all_ids), names=names)
    member_ids = frozenset(pk for pk, _, member in rows if member)
    return Scope(all_ids=all_ids, member_ids=member_ids, names=names)


def owned_path(model: type[Model]) -> str | None:
    return OWNED.get(model._meta.model_name)


def owned_by(user: User | None, queryset: QuerySet) -> QuerySet:
    """The rows of ``queryset`` the user's authorities own (shared models: every row)."""
    path = owned_path(queryset.model)
    if path is None or user is None:
        return queryset
    scope = authority_scope(user)
    if not scope.multi:
        return queryset
    return queryset.filter(**{f"{path}__in": sorted(scope.member_ids)})


def authority_id_of(obj: Model) -> int | None:
    """The authority owning ``obj`` (through its parent for a child record)."""
    path = owned_path(type(obj))
    if path is None:
        return None
    *parents, _ = path.split("__")
    for name in parents:
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj.authority_id


def in_scope(user: User | None, obj: Model) -> bool:
    """Whether ``obj`` is shared, or owned by one of the user's authorities.
    A record not yet given its authority is the services' to place."""
    if user is None or owned_path(type(obj)) is None:
        return True
    scope = authority_scope(user)
    if not scope.multi:
        return True
    authority_id = authority_id_of(obj)
    return authority_id is None or authority_id in scope.member_ids


def has_perm(user: User | None, perm: str, obj: Model | None = None) -> bool:
    """A role permission, a per-record grant on ``obj`` or, for a child record,
    the same on its parent (the answer guardian and ParentObjectPermissionBackend
    give), in at most one query per record: the user's grants are read once."""
    if user is None:
        return True
    if not user.is_active:
        return False
    if obj is not None and not in_scope(user, obj):
        return False
    if user.has_perm(perm):
        return True
    if obj is None or obj.pk is None:
        return False
    return _cached(
        ("perm", user.pk, perm, obj._meta.label, obj.pk), lambda: _object_perm(user, perm, obj)
    )


def cached_grants(user: User) -> "Grants":
    return _cached(("grants", user.pk), lambda: user_grants(user))


def _object_perm(user: User, perm: str, obj: Model) -> bool:
    codename = perm.partition(".")[2]
    grants = cached_grants(user)
    held = _cached(
        ("object-codenames", user.pk, obj._meta.label, obj.pk),
        lambda: object_codenames(user, obj, grants=grants),
    )
    if codename in held:
        return True
    parent_field = PARENTS.get(obj._meta.model_name)
    action = codename.partition("_")[0]
    if parent_field is None or action not in ("view", "add", "change"):
        return False
    parent = getattr(obj, parent_field, None)
    if parent is None:
        return False
    # Adding, changing or viewing a child is changing or viewing its parent.
    parent_action = "view" if action == "view" else "change"
    return has_perm(user, perm_name(parent_action, parent), parent)


def can(user: User | None, action: str, obj: Model) -> bool:
    return has_perm(user, perm_name(action, obj), obj)


@dataclass(frozen=True)
class Grants:
    """The per-record grants a user holds, in every table: which permission
    codenames they hold on at least one record and, for guardian's generic
    tables (rarely used here), on which records."""

    codenames: frozenset[str] = frozenset()
    generic: dict[str, frozenset[str]] = field(default_factory=dict)

    def any_of(self, codenames: Iterable[str]) -> list[str]:
        return [codename for codename in codenames if codename in self.codenames]


def _direct_tables() -> list[tuple[type[Model], str]]:
    """Guardian's direct-foreign-key tables (one per register that has them),
    each with the lookup from a row to the user it grants to."""
    tables = []
    for model in apps.get_models():
        if model._meta.abstract or model in (UserObjectPermission, GroupObjectPermission):
            continue
        if issubclass(model, UserObjectPermissionBase):
            tables.append((model, "user"))
        elif issubclass(model, GroupObjectPermissionBase):
            tables.append((model, "group__user"))
    return tables


def user_grants(user: User) -> Grants:
    """Every per-record grant of the user, from guardian's generic tables and the
    direct-foreign-key tables: one query (a UNION), whatever the number of registers."""
    if user is None or not user.is_active or user.is_anonymous:
        return Grants()
    blank = Value("", output_field=CharField())
    parts = [
        UserObjectPermission.objects.filter(user=user).values_list(
            "permission__codename", "object_pk"
        ),
        GroupObjectPermission.objects.filter(group__user=user).values_list(
            "permission__codename", "object_pk"
        ),
    ]
    for table, owner in _direct_tables():
        parts.append(
            table.objects.filter(**{owner: user})
            .annotate(no_pk=blank)
            .values_list("permission__codename", "no_pk")
            .distinct()
        )
    codenames: set[str] = set()
    generic: dict[str, set[str]] = {}
    for codename, object_pk in parts[0].union(*parts[1:]):
        codenames.add(codename)
        if object_pk:
            generic.setdefault(codename, set()).add(object_pk)
    return Grants(
        codenames=frozenset(codenames),
        generic={codename: frozenset(pks) for codename, pks in generic.items()},
    )


def object_codenames(user: User, obj: Model, *, grants: Grants) -> set[str]:
    """The permission codenames ``user`` holds on this one record by a per-record
    grant. Guardian's generic tables are answered from ``grants`` (no query); a
    direct-foreign-key table takes one query for all the codenames at once."""
    suffix = f"_{obj._meta.model_name}"
    held = {
        codename
        for codename, pks in grants.generic.items()
        if codename.endswith(suffix) and str(obj.pk) in pks
    }
    if not any(codename.endswith(suffix) for codename in grants.codenames - held):
        return held
    parts = [
        table.objects.filter(content_object_id=obj.pk, **{owner: user}).values_list(
            "permission__codename", flat=True
        )
        for table, owner in (
            (get_user_obj_perms_model(obj), "user"),
            (get_group_obj_perms_model(obj), "group__user"),
        )
        if not table.objects.is_generic()
    ]
    if parts:
        held |= set(parts[0].union(*parts[1:]))
    return held


def permitted(
    user: User | None,
    actions: tuple[str, ...],
    queryset: QuerySet,
    *,
    grants: "Grants | Callable[[], Grants] | None" = None,
) -> QuerySet:
    """The rows of ``queryset`` on which ``user`` holds any of ``actions``,
    directly or, for a child record, on its parent.

    ``grants`` (user_grants, or a function giving it, cached per request by the
    admin) saves its query; it is not asked for when a role permission answers.
    The object grants are joined by foreign key (direct tables) or matched
    against the few generic grants' ids: never a cast of every row's id.
    """
    if user is None:
        return queryset
    if not user.is_active:
        return queryset.none()
    queryset = owned_by(user, queryset)
    perms = [perm_name(action, queryset.model) for action in actions]
    if any(user.has_perm(perm) for perm in perms):
        return queryset
    if grants is None:
        grants = cached_grants(user)
    elif callable(grants):
        grants = grants()
    parent_field = PARENTS.get(queryset.model._meta.model_name)
    if parent_field is not None:
        parent_model = queryset.model._meta.get_field(parent_field).related_model
        # Adding, changing or viewing a child is changing or viewing its parent.
        parent_actions = ("view", "change") if "view" in actions else ("change",)
        if any(user.has_perm(perm_name(action, parent_model)) for action in parent_actions):
            return queryset
        # Joined on each row's parent id: no list of every permitted parent.
        return queryset.filter(
            granted_q(user, parent_model, parent_actions, grants, outer=parent_field)
        )
    return queryset.filter(granted_q(user, queryset.model, actions, grants))


def granted_q(
    user: User,
    model: type[Model],
    actions: tuple[str, ...],
    grants: Grants,
    *,
    outer: str = "pk",
) -> Q:
    """Rows on which the user holds a per-record grant of any of ``actions`` on
    ``model``: the row itself (``outer="pk"``) or the record its ``outer``
    foreign key names (a child's parent)."""
    codenames = grants.any_of(f"{action}_{model._meta.model_name}" for action in actions)
    generic_ids = {pk for codename in codenames for pk in grants.generic.get(codename, ())}
    pk_field = model._meta.pk
    condition = Q(**{f"{outer}__in": sorted({pk_field.to_python(pk) for pk in generic_ids})})
    if not codenames:
        return condition
    for table, owner in (
        (get_user_obj_perms_model(model), {"user": user}),
        (get_group_obj_perms_model(model), {"group__user": user}),
    ):
        if table.objects.is_generic():
            continue
        rows = table.objects.filter(
            content_object=OuterRef(outer),
            permission__codename__in=codenames,
            permission__content_type__app_label=model._meta.app_label,
            **owner,
        )
        condition |= Q(Exists(rows))
    return condition


def changeable_ids(
    user: User | None,
    model: type[Model],
    ids: Iterable,
    *,
    grants: "Grants | Callable[[], Grants] | None" = None,
) -> set:
    """Which of ``ids`` the user may change: one query, whatever the number
    (none when the user may change every row, or holds no grant)."""
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return set()
    if user is None:
        return ids
    queryset = model._default_manager.filter(pk__in=ids)
    if user.is_active and user.has_perm(perm_name("change", model)):
        if owned_path(model) is None or not authority_scope(user).multi:
            return ids
        return set(owned_by(user, queryset).values_list("pk", flat=True))
    return set(permitted(user, ("change",), queryset, grants=grants).values_list("pk", flat=True))
