"""The base of every register's admin: permissions on every path, history,
and every save, inline row, list edit, revert and delete handed to the
register's services. A register's admin names its services and holds no rules.
"""

from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin

from registers.admin.authorities import AuthorityFieldMixin
from registers.admin.changelist import PageFirstMixin
from registers.admin.forms import (
    BlankChoiceFirstMixin,
    RegisterForm,
    ServiceCheckedForm,
    with_service_check,
)
from registers.admin.history import HistoryMixin
from registers.admin.permissions import ObjectPermissionsMixin, request_cache
from registers.admin.safe_input import SafeInputMixin
from registers.services.recording import check_one, record_delete, save_one
from registers.services.units import write_unit

# Form fields the templates place themselves, never in a fieldset.
FORM_ONLY = ("change_reason", "read_version")


class RegisterAdmin(
    BlankChoiceFirstMixin,
    AuthorityFieldMixin,
    SafeInputMixin,
    PageFirstMixin,
    HistoryMixin,
    ObjectPermissionsMixin,
    SimpleHistoryAdmin,
    ModelAdmin,
):
    """A register's admin. Subclasses set ``service_check`` and ``service_write``
    to the register's bulk check and write (one record is a bulk of one)."""

    service_check = None
    service_write = None
    list_per_page = 50
    # One COUNT per page, of the filtered rows; not a second of the whole table.
    show_full_result_count = False
    list_filter_submit = True
    warn_unsaved_form = True
    compressed_fields = True
    change_form_template = "registers/admin/change_form.html"
    # "Save this view" above every register's list (registers/saved_view_views.py).
    list_before_template = "registers/admin/save_view.html"
    form = RegisterForm

    # --- one transaction per page, so follow-on work runs once ----------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method in ("GET", "HEAD"):
            # Showing a form writes nothing: no transaction (and its savepoints).
            return super().changeform_view(request, object_id, form_url, extra_context)
        with write_unit(user=request.user):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        if request.method != "POST":
            return super().changelist_view(request, extra_context)
        with write_unit(user=request.user):
            return super().changelist_view(request, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        with write_unit(user=request.user):
            return super().delete_view(request, object_id, extra_context)

    # --- forms ask the service ------------------------------------------------

    def get_object(self, request, object_id, from_field=None):
        # A page and its action buttons read the record once. Only on GET: a POST's
        # form alters the record it was given, and later checks need the stored one.
        if request.method != "GET" or from_field is not None:
            return super().get_object(request, object_id, from_field)
        return request_cache(
            request,
            ("record", self.model._meta.label, str(object_id)),
            lambda: super(RegisterAdmin, self).get_object(request, object_id),
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return with_service_check(form, self._checker(request))

    def get_changelist_form(self, request, **kwargs):
        kwargs.setdefault("form", ServiceCheckedForm)
        form = super().get_changelist_form(request, **kwargs)
        return with_service_check(form, self._checker(request))

    def _checker(self, request):
        if self.service_check is None:
            return None
        service = type(self).service_check

        def check(instance):
            check_one(instance, check=service, user=request.user)

        return check

    def get_fieldsets(self, request, obj=None):
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in FORM_ONLY]})
            for name, options in super().get_fieldsets(request, obj)
        ]

    # --- saves go through the services ------------------------------------------

    def save_model(self, request, obj, form, change):
        save_one(
            obj,
            check=type(self).service_check,
            write=type(self).service_write,
            user=request.user,
            reason=self.change_reason(request, form, change),
        )

    def save_formset(self, request, form, formset, change):
        inline = self._inline_for(request, form.instance, formset.model)
        reason = self.change_reason(request, form, change)
        for obj in formset.save(commit=False):
            inline.save_record(obj, user=request.user, reason=reason)
        for obj in formset.deleted_objects:
            inline.delete_record(obj, user=request.user, reason=f"Deleted in the portal: {reason}")
        formset.save_m2m()

    def _inline_for(self, request, obj, model):
        for inline in self.get_inline_instances(request, obj):
            if inline.model is model:
                return inline
        raise LookupError(f"No inline for {model.__name__}")

    def delete_model(self, request, obj):
        record_delete(obj, user=request.user, reason="Deleted in the portal")

    def delete_queryset(self, request, queryset):
        with write_unit(user=request.user):
            for obj in queryset:
                self.delete_model(request, obj)
