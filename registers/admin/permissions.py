"""Object-level permissions on every path the admin offers to the data.

Changelist rows, change and delete views, actions, list editing, inlines,
autocomplete and foreign-key choices all ask registers.permissions the same
question: may this user do this to this record?
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from registers.admin.forms import labelled_formset
from registers.permissions import (
    PARENTS,
    Grants,
    cached_grants,
    changeable_ids,
    has_perm,
    perm_name,
    permitted,
)
from registers.selectors.read_only import read_only_reason


def request_cache(request, key, compute):
    """Per-request memo, for answers many rows of one page ask."""
    cache = request.__dict__.setdefault("_portal_cache", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def request_has_perm(request, perm: str, obj: Model) -> bool:
    """has_perm for one record (answered once per request, see registers.permissions)."""
    return has_perm(request.user, perm, obj)


def request_grants(request) -> Grants:
    """The user's per-record grants, read once per request (one query)."""
    return cached_grants(request.user)


class ObjectPermissionsMixin:
    # Foreign keys whose choices must be records the user may *change*
    # (an action item's visit), not merely see.
    changeable_fk_fields: tuple[str, ...] = ()

    # --- rows ---------------------------------------------------------------------

    def get_queryset(self, request):
        return self.visible(request, super().get_queryset(request))

    def visible(self, request, queryset: QuerySet) -> QuerySet:
        return self.rows_with(request, ("view", "change"), queryset)

    def rows_with(self, request, actions: tuple[str, ...], queryset: QuerySet) -> QuerySet:
        """Rows on which the user holds any of ``actions``, directly or on the parent."""
        return permitted(request.user, actions, queryset, grants=lambda: request_grants(request))

    def has_object_grants(self, request, actions: tuple[str, ...]) -> bool:
        """Whether the user holds a per-record grant for any row of this model
        (or, for a child record, of its parent): from the request's one grants query."""
        if not request.user.is_active:
            return False
        grants = request_grants(request)
        model_name = self.model._meta.model_name
        parent_field = PARENTS.get(model_name)
        if parent_field is not None:
            parent = self.model._meta.get_field(parent_field).related_model._meta.model_name
            parent_actions = ("view", "change") if "view" in actions else ("change",)
            return bool(grants.any_of(f"{action}_{parent}" for action in parent_actions))
        return bool(grants.any_of(f"{action}_{model_name}" for action in actions))

    def changeable_on_page(self, request, objects) -> set:
        """The ids of ``objects`` the user may change: one query for the page,
        none when the user may change every row."""
        ids = [obj.pk for obj in objects]
        key = ("changeable", self.model._meta.label, tuple(sorted(ids)))
        return request_cache(
            request,
            key,
            lambda: changeable_ids(
                request.user, self.model, ids, grants=lambda: request_grants(request)
            ),
        )

    # --- permissions --------------------------------------------------------------

    def _allowed(self, request, action: str, obj) -> bool:
        perm = perm_name(action, self.model)
        if obj is None:
            return request.user.is_active and request.user.has_perm(perm)
        return request_has_perm(request, perm, obj)

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return (
                self._allowed(request, "view", None)
                or self._allowed(request, "change", None)
                or self.has_object_grants(request, ("view", "change"))
            )
        return self._allowed(request, "view", obj) or self._allowed(request, "change", obj)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self._allowed(request, "change", None) or self.has_object_grants(
                request, ("change",)
            )
        return self._allowed(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return self._allowed(request, "delete", None) or self.has_object_grants(
                request, ("delete",)
            )
        return self._allowed(request, "delete", obj)

    def has_add_permission(self, request):
        return self._allowed(request, "add", None)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None and not self.has_change_permission(request, obj):
            context["read_only_reason"] = read_only_reason(user=request.user, obj=obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def require(self, request, action: str, obj: Model) -> None:
        if not getattr(self, f"has_{action}_permission")(request, obj):
            raise PermissionDenied

    def objects_for_action(self, request, queryset: QuerySet, action: str = "change") -> list:
        """The selected objects, refusing the whole action if any is not allowed.

        Admin actions receive rows the user can see; a forged POST can name
        rows they can see but not change. Nothing is changed then.
        """
        objects = list(queryset)
        if action == "change":
            # One query for the selection, not one per row.
            allowed = self.changeable_on_page(request, objects)
            refused = any(obj.pk not in allowed for obj in objects)
        else:
            refused = any(
                not getattr(self, f"has_{action}_permission")(request, obj) for obj in objects
            )
        if refused:
            raise PermissionDenied
        return objects

    def get_object_or_404(self, request, object_id) -> Model:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        return obj

    # --- list editing, choices and autocomplete --------------------------------------

    def get_changelist_formset(self, request, **kwargs):
        # Forged extra forms must never create rows from the changelist.
        kwargs.setdefault("edit_only", True)
        formset_class = super().get_changelist_formset(request, **kwargs)
        admin = self

        class GuardedFormSet(formset_class):
            def _construct_form(self, i, **form_kwargs):
                form = super()._construct_form(i, **form_kwargs)
                # One permission query for the page's rows, not one per row.
                changeable = admin.changeable_on_page(request, self.get_queryset())
                if form.instance.pk and form.instance.pk not in changeable:
                    for field in form.fields.values():
                        field.disabled = True
                return form

        return labelled_formset(GuardedFormSet)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related_admin = self.admin_site._registry.get(db_field.related_model)
        if related_admin is not None and "queryset" not in kwargs:
            queryset = related_admin.get_queryset(request)
            if db_field.name in self.changeable_fk_fields:
                queryset = self.rows_with(request, ("change",), queryset)
            kwargs["queryset"] = queryset
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        source = self._autocomplete_source(request)
        if source is not None:
            source_admin, field_name = source
            if field_name in getattr(source_admin, "changeable_fk_fields", ()):
                queryset = self.rows_with(request, ("change",), queryset)
        return queryset, distinct

    def _autocomplete_source(self, request):
        if not request.path.endswith("/autocomplete/"):
            return None
        app_label = request.GET.get("app_label")
        model_name = request.GET.get("model_name")
        for model, model_admin in self.admin_site._registry.items():
            if model._meta.app_label == app_label and model._meta.model_name == model_name:
                return model_admin, request.GET.get("field_name")
        return None


class WrittenByThePortalMixin:
    """Records only the services write (import runs, the access trail): read-only
    to everyone, whatever their model permissions say."""

    change_form_template = "registers/admin/change_form.html"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["read_only_reason"] = (
                f"Read only: the portal writes {obj._meta.verbose_name_plural} as things "
                "happen, so that they can be trusted; nobody changes them."
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
