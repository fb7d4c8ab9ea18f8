"""One answer to "may this user do this to this record?", for every path.

Django's admin asks only for model-wide permissions; guardian answers only
for a given object. Each check here asks both. Child records (a visit's
action items, a contract's reviews) take their object permissions from their
parent: the lead officer of a visit may change its action items.

``user=None`` is the portal acting for itself: the daily job, or an operator's
management command run without --user. No per-user restriction applies to it;
a request always has a user (anonymous or not), never None.
"""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Model, QuerySet
from guardian.shortcuts import get_objects_for_user

User = AbstractBaseUser | AnonymousUser
# Who a service acts for: a user, or None for the portal itself (see above).
Actor = AbstractBaseUser | None

# child model name -> the field naming its parent, whose permission governs it
PARENTS = {
    "actionitem": "visit",
    "contractvariation": "contract",
    "contractreview": "contract",
    "contractdocument": "contract",
}


def perm_name(action: str, model: type[Model] | Model) -> str:
    opts = model._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


def has_perm(user: User | None, perm: str, obj: Model | None = None) -> bool:
    if user is None:
        return True
    if not user.is_active:
        return False
    if user.has_perm(perm):
        return True
    return obj is not None and obj.pk is not None and user.has_perm(perm, obj)


def can(user: User | None, action: str, obj: Model) -> bool:
    return has_perm(user, perm_name(action, obj), obj)


def permitted(user: User | None, actions: tuple[str, ...], queryset: QuerySet) -> QuerySet:
    """The rows of ``queryset`` on which ``user`` holds any of ``actions``,
    directly or, for a child record, on its parent."""
    if user is None:
        return queryset
    if not user.is_active:
        return queryset.none()
    perms = [perm_name(action, queryset.model) for action in actions]
    if any(user.has_perm(perm) for perm in perms):
        return queryset
    parent_field = PARENTS.get(queryset.model._meta.model_name)
    if parent_field is not None:
        parent_model = queryset.model._meta.get_field(parent_field).related_model
        # Adding, changing or viewing a child is changing or viewing its parent.
        parent_actions = ("view", "change") if "view" in actions else ("change",)
        parents = permitted(user, parent_actions, parent_model._default_manager.all())
        return queryset.filter(**{f"{parent_field}__in": parents})
    return get_objects_for_user(
        user, perms, klass=queryset, any_perm=True, accept_global_perms=False
    )


def changeable_ids(user: User | None, model: type[Model], ids: Iterable) -> set:
    """Which of ``ids`` the user may change: one query, whatever the number."""
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return set()
    queryset = model._default_manager.filter(pk__in=ids)
    return set(permitted(user, ("change",), queryset).values_list("pk", flat=True))
