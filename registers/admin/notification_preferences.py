"""Reminders users choose: "My reminders" for every user, and each role's default
reminders in the council, for its managers. Both pages save through
services/notification_preferences.py."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from unfold.admin import ModelAdmin
from unfold.widgets import UnfoldAdminCheckboxSelectMultipleWidget, UnfoldAdminSelectWidget

from registers.admin.forms import add_service_errors
from registers.models import NotificationPreference, ReminderKind
from registers.permissions import authority_scope, has_perm
from registers.roles import ROLES
from registers.services.notification_preferences import (
    notification_preference_save,
    reminder_kinds_for,
    role_defaults_table,
    role_reminder_default_save,
)


class KindsForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label="Send me a daily email about",
        choices=ReminderKind.choices,
        required=False,
        widget=UnfoldAdminCheckboxSelectMultipleWidget,
        help_text="At most one email a day, holding only what you tick, each part "
        "linking to its list. Tick nothing to receive none.",
    )


class RoleDefaultsForm(KindsForm):
    role = forms.ChoiceField(
        label="Role", choices=[(role, role) for role in ROLES], widget=UnfoldAdminSelectWidget
    )
    authority = forms.TypedChoiceField(label="Council", coerce=int, widget=UnfoldAdminSelectWidget)

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kinds"].label = "The role's default reminders"
        self.fields["kinds"].help_text = "What the role's users get until they choose their own."
        self.fields["authority"].choices = [
            (pk, scope.names[pk]) for pk in sorted(scope.member_ids, key=scope.names.get)
        ]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ModelAdmin):
    """No list of its own: the two pages below (role defaults have no list either:
    every change goes through the page and its service)."""

    def has_module_permission(self, request):
        return False

    def has_view_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("mine/", wrap(self.my_reminders_view), name="my_reminders"),
            path("role-defaults/", wrap(self.role_defaults_view), name="reminder_defaults"),
            # Django's own (list, record) stay named, and refuse everyone.
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        # The register's list is the user's own choice: their reminders page.
        return self.my_reminders_view(request)

    def _page(self, request, title: str, **context):
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request,
            "registers/admin/reminders.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": title,
                "action_form": None,  # no bulk actions here
                **context,
            },
        )

    def my_reminders_view(self, request):
        initial = {"kinds": sorted(reminder_kinds_for(user=request.user))}
        form = KindsForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            notification_preference_save(user=request.user, kinds=form.cleaned_data["kinds"])
            messages.success(request, "Your reminders are saved.")
            return HttpResponseRedirect(reverse("admin:my_reminders"))
        return self._page(request, "My reminders", form=form, submit_label="Save my reminders")

    def role_defaults_view(self, request):
        if not has_perm(request.user, "registers.change_rolereminderdefault"):
            raise PermissionDenied
        scope = authority_scope(request.user)
        form = RoleDefaultsForm(request.POST or None, scope=scope)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                role_reminder_default_save(
                    authority_id=data["authority"],
                    role=data["role"],
                    kinds=data["kinds"],
                    user=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"The default reminders of {data['role']} are saved.")
                return HttpResponseRedirect(reverse("admin:reminder_defaults"))
        table = role_defaults_table(authority_ids=scope.member_ids)
        defaults = [
            (role, [label for kind, label in ReminderKind.choices if kind in table[role]])
            for role in ROLES
        ]
        return self._page(
            request,
            "Default reminders by role",
            form=form,
            defaults=defaults,
            submit_label="Save the role's defaults",
        )
