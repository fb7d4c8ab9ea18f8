"""Sign-in security for managers (reset a second factor, clear a lockout) and the
access trail, which managers and auditors read. The admin only wires pages to
registers.services.security; the rules live there."""

from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from unfold.admin import ModelAdmin
from unfold.widgets import UnfoldAdminTextareaWidget

from registers.admin.permissions import WrittenByThePortalMixin
from registers.admin.safe_input import SafeInputMixin
from registers.models import AccessEvent
from registers.selectors.sign_in import sign_in_lockouts, sign_in_overview
from registers.services.security import (
    MANAGE_PERMISSION,
    lockout_clear,
    second_factor_reset,
)

# Devices are managed only through the second-factor pages and the reset above,
# each recorded; django-otp's own admin pages would bypass both.
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 2}),
        help_text="Recorded in the access trail, with your name and the time.",
    )


@admin.register(AccessEvent)
class AccessEventAdmin(WrittenByThePortalMixin, SafeInputMixin, ModelAdmin):
    list_display = ["at", "kind", "subject_name", "actor", "reason", "detail"]
    list_filter = ["kind"]
    search_fields = ["subject_name", "actor__username", "reason"]
    date_hierarchy = "at"
    list_select_related = ["actor"]

    def get_urls(self):
        return [
            path(
                "sign-in/",
                self.admin_site.admin_view(self.sign_in_view),
                name="registers_accessevent_sign_in",
            ),
            path(
                "sign-in/lockouts/<int:attempt_id>/lift/",
                self.admin_site.admin_view(self.lift_view),
                name="registers_accessevent_lift",
            ),
            path(
                "sign-in/<int:user_id>/reset/",
                self.admin_site.admin_view(self.reset_view),
                name="registers_accessevent_reset",
            ),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "sign_in_url": reverse("admin:registers_accessevent_sign_in")
            if request.user.has_perm(MANAGE_PERMISSION)
            else None,
        }
        return super().changelist_view(request, extra_context)

    def _require_manager(self, request):
        if not request.user.has_perm(MANAGE_PERMISSION):
            raise PermissionDenied

    def sign_in_view(self, request):
        """Every active member of staff: second factors set up, and any lockout."""
        self._require_manager(request)
        context = {
            **self.admin_site.each_context(request),
            "title": "Sign-in security",
            "opts": self.opts,
            "people": sign_in_overview(),
            "lockouts": sign_in_lockouts(),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "me": request.user.pk,
        }
        return TemplateResponse(request, "registers/admin/sign_in_security.html", context)

    def reset_view(self, request, user_id: int):
        self._require_manager(request)
        person = get_object_or_404(get_user_model(), pk=user_id, is_active=True)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                second_factor_reset(
                    actor=request.user, user=person, reason=form.cleaned_data["reason"]
                )
            except PermissionDenied as refusal:
                form.add_error(None, str(refusal))
            except ValidationError as refusal:
                form.add_error(None, refusal)
            else:
                messages.success(
                    request,
                    f"{person.get_username()}'s second factor was reset: "
                    "they set up a new one when they next sign in.",
                )
                return HttpResponseRedirect(reverse("admin:registers_accessevent_sign_in"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Reset the second factor of {person.get_full_name() or person}",
            "opts": self.opts,
            "form": form,
            "person": person,
            "back_url": reverse("admin:registers_accessevent_sign_in"),
            "submit_label": "Reset second factor",
        }
        return TemplateResponse(request, "registers/admin/sign_in_action.html", context)

    def lift_view(self, request, attempt_id: int):
        self._require_manager(request)
        attempt = get_object_or_404(AccessAttempt, pk=attempt_id)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                lockout_clear(
                    actor=request.user, attempt_id=attempt.pk, reason=form.cleaned_data["reason"]
                )
            except (PermissionDenied, ValidationError) as refusal:
                form.add_error(
                    None, refusal if isinstance(refusal, ValidationError) else str(refusal)
                )
            else:
                messages.success(
                    request, f"Sign-in lockout lifted for {attempt.username or attempt.ip_address}."
                )
                return HttpResponseRedirect(reverse("admin:registers_accessevent_sign_in"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Lift the sign-in lockout of {attempt.username or attempt.ip_address}",
            "opts": self.opts,
            "form": form,
            "back_url": reverse("admin:registers_accessevent_sign_in"),
            "submit_label": "Lift lockout",
        }
        return TemplateResponse(request, "registers/admin/sign_in_action.html", context)
