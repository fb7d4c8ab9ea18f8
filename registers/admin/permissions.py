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
from registers.permissions import has_perm, perm_name, permitted


def request_cache(request, key, compute):
    """Per-request memo, for answers many rows of one page ask."""
    cache = request.__dict__.setdefault("_portal_cache", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


class ObjectPermissionsMixin:
    # Foreign keys whose choices must be records the user may *change*
    # (an action item's visit), not merely see.
    changeable_fk_fields: tuple[str, ...] = ()

    # --- rows ---------------------------------------------------------------------

    def get_queryset(self, request):
        return self.visible(request, super().get_queryset(request))

    def visible(self, request, queryset: QuerySet) -> QuerySet:
        return permitted(request.user, ("view", "change"), queryset)

    def rows_with(self, request, actions: tuple[str, ...], queryset: QuerySet) -> QuerySet:
        """Rows on which the user holds any of ``actions``, directly or on the parent."""
        return permitted(request.user, actions, queryset)

    def has_object_grants(self, request, actions: tuple[str, ...]) -> bool:
        """Whether the user holds a per-record grant for any row of this model."""

        def compute():
            if not request.user.is_active:
                return False
            return self.rows_with(request, actions, self.model._default_manager.all()).exists()

        return request_cache(request, ("grants", self.model._meta.label, actions), compute)

    # --- permissions --------------------------------------------------------------

    def _allowed(self, request, action: str, obj) -> bool:
        perm = perm_name(action, self.model)
        if obj is None:
            return request.user.is_active and request.user.has_perm(perm)
        return has_perm(request.user, perm, obj)

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

    def require(self, request, action: str, obj: Model) -> None:
        if not getattr(self, f"has_{action}_permission")(request, obj):
            raise PermissionDenied

    def objects_for_action(self, request, queryset: QuerySet, action: str = "change") -> list:
        """The selected objects, refusing the whole action if any is not allowed.

        Admin actions receive rows the user can see; a forged POST can name
        rows they can see but not change. Nothing is changed then.
        """
        objects = list(queryset)
        if any(not getattr(self, f"has_{action}_permission")(request, obj) for obj in objects):
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
                if form.instance.pk and not admin.has_change_permission(request, form.instance):
                    for field in form.fields.values():
                        field.disabled = True
                return form

        return labelled_formset(GuardedFormSet)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related_admin = self.admin_site._registry.get(db_field.related_model)
        if related_admin is not None and "queryset" not in kwargs:
            queryset = related_admin.get_queryset(request)
            if db_field.name in self.changeable_fk_fields:
                queryset = permitted(request.user, ("change",), queryset)
            kwargs["queryset"] = queryset
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        source = self._autocomplete_source(request)
        if source is not None:
            source_admin, field_name = source
            if field_name in getattr(source_admin, "changeable_fk_fields", ()):
                queryset = permitted(request.user, ("change",), queryset)
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
