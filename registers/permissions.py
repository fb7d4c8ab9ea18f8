"""One answer to "may this user do this to this record?", for every path.

Django's admin asks only for model-wide permissions; guardian answers only
for a given object. Each check here asks both.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Model, QuerySet
from guardian.shortcuts import get_objects_for_user

User = AbstractBaseUser | AnonymousUser


def perm_name(action: str, model: type[Model] | Model) -> str:
    opts = model._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


def has_perm(user: User, perm: str, obj: Model | None = None) -> bool:
    if not user.is_active:
        return False
    if user.has_perm(perm):
        return True
    return obj is not None and obj.pk is not None and user.has_perm(perm, obj)


def can(user: User, action: str, obj: Model) -> bool:
    return has_perm(user, perm_name(action, obj), obj)


def permitted(user: User, actions: tuple[str, ...], queryset: QuerySet) -> QuerySet:
    """The rows of ``queryset`` on which ``user`` holds any of ``actions``."""
    if not user.is_active:
        return queryset.none()
    perms = [perm_name(action, queryset.model) for action in actions]
    if any(user.has_perm(perm) for perm in perms):
        return queryset
    return get_objects_for_user(
        user, perms, klass=queryset, any_perm=True, accept_global_perms=False
    )
