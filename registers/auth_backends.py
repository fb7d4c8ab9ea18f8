"""Child records take their object permissions from their parent.

A QA officer who leads a visit may change its action items; a contract manager
may change the reviews, variations and documents of their contract. Guardian
holds the parent's permission; this backend answers for the child, so every
path that asks ``user.has_perm(perm, child)`` gets the same answer.
"""

from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q

from registers.ownership import PARENTS

ACTIONS = ("view", "add", "change")


class RolePermissionBackend(ModelBackend):
    """Django's ModelBackend, with a user's own and role (group) permissions read
    in one query instead of two. Cached on the user object, which a request
    loads once, as ModelBackend caches them."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            rows = (
                Permission.objects.filter(Q(user=user_obj) | Q(group__user=user_obj))
                .values_list("content_type__app_label", "codename")
                .distinct()
            )
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache


class ParentObjectPermissionBackend(BaseBackend):
    def has_perm(self, user_obj, perm, obj=None):
        if obj is None or not user_obj.is_active:
            return False
        app_label, _, codename = perm.partition(".")
        action, _, model_name = codename.partition("_")
        if app_label != "registers" or action not in ACTIONS or model_name not in PARENTS:
            return False
        if obj._meta.model_name != model_name:
            return False
        parent = getattr(obj, PARENTS[model_name], None)
        if parent is None:
            return False
        # Adding, changing or viewing a child is changing or viewing its parent.
        parent_action = "view" if action == "view" else "change"
        parent_perm = f"registers.{parent_action}_{parent._meta.model_name}"
        return user_obj.has_perm(parent_perm) or user_obj.has_perm(parent_perm, parent)
