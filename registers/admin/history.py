"""History pages: never beyond what the user may see, and reverts for managers.

A revert saves the old version through the register's service, like any
other change, so it meets the same rules and is itself recorded.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from registers.permissions import has_perm

REVERT_PERMISSION = "registers.revert_history"


class HistoryMixin:
    history_list_per_page = 50
    object_history_list_template = "registers/admin/history_list.html"

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

    def change_reason(self, request, form, change: bool) -> str:
        reverting = getattr(request, "_portal_reverting", None)
        if reverting:
            return f"Reverted to the version of {reverting}"
        reason = ""
        if form is not None and hasattr(form, "cleaned_data"):
            reason = (form.cleaned_data.get("change_reason") or "").strip()
        if reason:
            return reason
        return "Changed in the portal" if change else "Created in the portal"
