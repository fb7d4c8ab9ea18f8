"""History pages: never beyond what the user may see, and reverts for managers.

A revert saves the old version through the register's service, like any
other change, so it meets the same rules and is itself recorded.
"""

from datetime import date, datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.utils import timezone
from simple_history.template_utils import HistoricalRecordContextHelper

from registers.permissions import has_perm

REVERT_PERMISSION = "registers.revert_history"
EMPTY = "—"


class ReadableChanges(HistoricalRecordContextHelper):
    """A history entry's changes as people read them: field labels (simple-history's),
    choice labels, DD/MM/YYYY, Yes/No and "—" for empty, never raw codes or "None"."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if value is None or value == "" or value == []:
            return EMPTY
        if getattr(field, "flatchoices", None):
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, datetime):
            return timezone.localtime(value).strftime("%d/%m/%Y %H:%M:%S")
        if isinstance(value, date):
            return value.strftime("%d/%m/%Y")
        return value


class HistoryMixin:
    history_list_per_page = 50
    object_history_list_template = "registers/admin/history_list.html"
    object_history_form_template = "registers/admin/history_form.html"

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
            if not request.POST.get("change_reason", "").strip():
                # A revert undoes others' work: the history must say why.
                messages.error(
                    request, "Give the reason for reverting in 'Reason for this change'."
                )
                return HttpResponseRedirect(request.get_full_path())
            version = self.model.history.filter(pk=version_id).first()
            if version is not None:
                when = timezone.localtime(version.history_date)
                request._portal_reverting = (
                    f"{when:%d/%m/%Y %H:%M:%S} (version {version.history_id})"
                )
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableChanges(self.model, historical_record)

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

    def change_reason(self, request, form, change: bool) -> str:
        reason = ""
        if form is not None and hasattr(form, "cleaned_data"):
            reason = (form.cleaned_data.get("change_reason") or "").strip()
        reverting = getattr(request, "_portal_reverting", None)
        if reverting:
            return f"Reverted to the version of {reverting}: {reason}"
        if reason:
            return reason
        return "Changed in the portal" if change else "Created in the portal"
