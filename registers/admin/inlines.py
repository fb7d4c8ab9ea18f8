"""Inlines: a record's child rows, saved through the child's service."""

from django import forms
from unfold.admin import TabularInline

from registers.admin.forms import (
    BlankChoiceFirstMixin,
    ServiceCheckedForm,
    labelled_formset,
    with_service_check,
)
from registers.admin.permissions import request_has_perm
from registers.permissions import owned_by, perm_name
from registers.services.recording import check_one, record_delete, save_one


class OwnedRowsMixin:
    """On a shared record (a provider, a setting), only the user's own councils'
    rows of an owned register (their contracts, their visits)."""

    def get_queryset(self, request):
        return owned_by(request.user, super().get_queryset(request))


class InlineMixin(BlankChoiceFirstMixin, OwnedRowsMixin):
    """An inline whose rights follow the parent record being edited, and whose
    rows go through ``service_check`` and ``service_write`` like any other."""

    service_check = None  # the child register's bulk check
    service_write = None  # the child register's bulk write
    form = ServiceCheckedForm

    def get_fields(self, request, obj=None):
        # The row's version rides on its id input (labelled_formset), not in a column.
        return [name for name in super().get_fields(request, obj) if name != "read_version"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        check = None
        if self.service_check is not None:
            service = type(self).service_check

            def check(instance):
                check_one(instance, check=service, user=request.user)

        formset.form = with_service_check(formset.form, check)
        return labelled_formset(formset)

    def save_record(self, obj, *, user, reason: str) -> None:
        save_one(
            obj,
            check=type(self).service_check,
            write=type(self).service_write,
            user=user,
            reason=reason,
        )

    def delete_record(self, obj, *, user, reason: str) -> None:
        record_delete(obj, user=user, reason=reason)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(field.widget, forms.Textarea):
            field.widget.attrs["rows"] = 2  # a table row, not a page
        return field

    def _parent_change(self, request, obj) -> bool:
        if obj is None:
            return True
        return request_has_perm(request, perm_name("change", obj), obj)

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
            else request_has_perm(request, perm_name("view", obj), obj)
            or (self._parent_change(request, obj))
        )


class SummaryInlineMixin(OwnedRowsMixin):
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


class SummaryTabularInline(SummaryInlineMixin, TabularInline):
    pass
