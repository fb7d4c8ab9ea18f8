"""Base classes every register's admin builds on.

They make each path to the data ask the same question (registers.permissions):
changelist rows, change and delete views, actions, list_editable, inlines,
history views, autocomplete and foreign-key choices. They also record who
changed what and why in the history.
"""

from django import forms
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, StackedInline, TabularInline
from unfold.widgets import UnfoldAdminTextInputWidget

from registers.permissions import has_perm, perm_name, permitted
from registers.services.history import stamp

REVERT_PERMISSION = "registers.revert_history"


class RegisterForm(forms.ModelForm):
    """Every register's form carries the reason recorded in the history."""

    change_reason = forms.CharField(
        label="Reason for this change",
        required=False,
        max_length=500,
        help_text="Recorded in the history beside your name.",
        widget=UnfoldAdminTextInputWidget,
    )


def labelled_formset(formset_class):
    """Give every input of a tabular formset an accessible name.

    Tabular inlines and list_editable cells show the field name only in the
    column header, which screen readers do not tie to each input.
    """

    class Labelled(formset_class):
        def add_fields(self, form, index):
            super().add_fields(form, index)
            row = "new row" if index is None else f"row {index + 1}"
            for field in form.fields.values():
                if not field.widget.is_hidden:
                    field.widget.attrs.setdefault("aria-label", f"{field.label}, {row}")

    Labelled.__name__ = formset_class.__name__
    return Labelled


class PermissionCache:
    """Per-request memo of "does this user hold any object grant on this model"."""

    @staticmethod
    def get(request, key, compute):
        cache = request.__dict__.setdefault("_portal_permission_cache", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]


class RegisterAdmin(SimpleHistoryAdmin, ModelAdmin):
    """A register's admin with object-level permissions on every path."""

    # For child records (action items, contract reviews): the parent field whose
    # permission governs them.
    parent_field: str | None = None
    # Foreign keys whose choices must be records the user may *change*
    # (an action item's visit), not merely see.
    changeable_fk_fields: tuple[str, ...] = ()
    list_per_page = 50
    list_filter_submit = True
    warn_unsaved_form = True
    compressed_fields = True
    history_list_per_page = 50
    object_history_list_template = "registers/admin/history_list.html"
    change_form_template = "registers/admin/change_form.html"
    form = RegisterForm

    # --- rows ---------------------------------------------------------------

    def get_queryset(self, request):
        return self.visible(request, super().get_queryset(request))

    def visible(self, request, queryset: QuerySet) -> QuerySet:
        return self.rows_with(request, ("view", "change"), queryset)

    def rows_with(self, request, actions: tuple[str, ...], queryset: QuerySet) -> QuerySet:
        """Rows on which the user holds any of ``actions``, directly or on the parent."""
        user = request.user
        if self.parent_field is None:
            return permitted(user, actions, queryset)
        if any(user.has_perm(perm_name(action, self.model)) for action in actions):
            return queryset
        parent_model = self.model._meta.get_field(self.parent_field).related_model
        parent_actions = ("view", "change") if "view" in actions else ("change",)
        parents = permitted(user, parent_actions, parent_model._default_manager.all())
        return queryset.filter(**{f"{self.parent_field}__in": parents})

    def has_object_grants(self, request, actions: tuple[str, ...]) -> bool:
        """Whether the user holds a per-record grant for any row of this model."""

        def compute():
            if not request.user.is_active:
                return False
            return self.rows_with(request, actions, self.model._default_manager.all()).exists()

        key = (self.model._meta.label, actions)
        return PermissionCache.get(request, key, compute)

    # --- permissions --------------------------------------------------------

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

    # --- forms ----------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f != "change_reason"]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        return fieldsets

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
            if db_field.name in self.changeable_fk_fields and isinstance(
                related_admin, RegisterAdmin
            ):
                queryset = related_admin.rows_with(request, ("change",), queryset)
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

    # --- saving with who and why ----------------------------------------------

    def change_reason(self, request, form, change: bool) -> str:
        reverting = getattr(request, "_portal_reverting", None)
        if reverting:
            return f"Reverted to the version of {reverting}"
        reason = (form.cleaned_data.get("change_reason") or "").strip() if form else ""
        if reason:
            return reason
        return "Changed in the portal" if change else "Created in the portal"

    def save_model(self, request, obj, form, change):
        stamp(obj, user=request.user, reason=self.change_reason(request, form, change))
        self.save_object(request, obj, form, change)

    def save_object(self, request, obj, form, change) -> None:
        """Hook for registers that save through a service."""
        obj.save()

    def save_formset(self, request, form, formset, change):
        reason = self.change_reason(request, form, change)
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            stamp(obj, user=request.user, reason=reason)
            obj.delete()
        for obj in instances:
            stamp(obj, user=request.user, reason=reason)
            self.save_inline_object(request, obj, formset)
        formset.save_m2m()

    def save_inline_object(self, request, obj, formset) -> None:
        obj.save()

    def delete_model(self, request, obj):
        stamp(obj, user=request.user, reason="Deleted in the portal")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    # --- history: never beyond what the user may see ---------------------------

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object_or_404(request, object_id)
        self.require(request, "view", obj)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not str(version_id).isdigit():
            raise Http404
        obj = self.get_object_or_404(request, object_id)
        self.require(request, "view", obj)
        if request.method == "POST":
            if not self.can_revert(request, obj):
                raise PermissionDenied
            version = self.model.history.filter(pk=version_id).first()
            if version is not None:
                when = timezone.localtime(version.history_date)
                request._portal_reverting = when.strftime("%d/%m/%Y %H:%M")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def can_revert(self, request, obj) -> bool:
        return has_perm(request.user, REVERT_PERMISSION) and self.has_change_permission(
            request, obj
        )

    def revert_disabled(self, request, obj=None):
        return obj is None or not self.can_revert(request, obj)

    def has_change_history_permission(self, request, obj=None):
        return obj is not None and self.can_revert(request, obj)

    def has_view_history_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)


class InlineMixin:
    """An inline whose rights follow the parent record being edited."""

    def get_formset(self, request, obj=None, **kwargs):
        return labelled_formset(super().get_formset(request, obj, **kwargs))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(field.widget, forms.Textarea):
            field.widget.attrs["rows"] = 2  # a table row, not a page
        return field

    def _parent_change(self, request, obj) -> bool:
        if obj is None:
            return True
        perm = perm_name("change", obj)
        return has_perm(request.user, perm, obj)

    def has_add_permission(self, request, obj=None):
        if obj is None:
            # The parent's add form: whoever may add the parent may add its children.
            return request.user.has_perm(perm_name("add", self.parent_model)) or (
                request.user.has_perm(perm_name("add", self.model))
            )
        return self._parent_change(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._parent_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._parent_change(request, obj) and request.user.has_perm(
            perm_name("delete", self.model)
        )

    def has_view_permission(self, request, obj=None):
        return (
            True
            if obj is None
            else has_perm(request.user, perm_name("view", obj), obj)
            or (self._parent_change(request, obj))
        )


class SummaryInlineMixin:
    """A read-only list of related records, each linking to its own page."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class EditableTabularInline(InlineMixin, TabularInline):
    extra = 0


class EditableStackedInline(InlineMixin, StackedInline):
    extra = 0


class SummaryTabularInline(SummaryInlineMixin, TabularInline):
    pass


class ActionFormView:
    """A page with a small form that runs one service on one record.

    Used for Approve, Extend, Authorise, Escalate and the like: plain pages,
    usable with a keyboard, whose POST re-checks permission before the
    service runs and shows the service's refusal as a form error.
    """

    action_form_template = "registers/admin/action_form.html"

    def run_action_form(
        self,
        request,
        object_id,
        *,
        form_class,
        title: str,
        allowed,
        perform,
        submit_label: str = "Confirm",
        intro: str = "",
    ):
        from django.contrib import messages
        from django.core.exceptions import ValidationError
        from django.http import HttpResponseRedirect
        from django.template.response import TemplateResponse
        from django.urls import reverse

        obj = self.get_object_or_404(request, object_id)
        if not allowed(obj):
            raise PermissionDenied
        form = form_class(request.POST or None, instance_obj=obj, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                message = perform(obj, form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, message)
                opts = self.model._meta
                return HttpResponseRedirect(
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": title,
            "form": form,
            "submit_label": submit_label,
            "intro": intro,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.action_form_template, context)


class ActionForm(forms.Form):
    """Base of the small forms behind ActionFormView pages, in Unfold's widgets."""

    def __init__(self, *args, instance_obj=None, user=None, **kwargs):
        self.instance_obj = instance_obj
        self.user = user
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget = _unfold_widget(field)


def _unfold_widget(field: forms.Field) -> forms.Widget:
    from unfold import widgets

    widget = field.widget
    if isinstance(field, forms.BooleanField):
        return widgets.UnfoldBooleanWidget()
    if isinstance(field, forms.DateField):
        return widgets.UnfoldAdminSingleDateWidget()
    if isinstance(field, forms.ChoiceField):
        if isinstance(widget, forms.RadioSelect):
            return widgets.UnfoldAdminRadioSelectWidget(choices=field.choices)
        return widgets.UnfoldAdminSelectWidget(choices=field.choices)
    if isinstance(widget, forms.Textarea):
        return widgets.UnfoldAdminTextareaWidget(attrs=widget.attrs)
    return widgets.UnfoldAdminTextInputWidget(attrs=widget.attrs)
