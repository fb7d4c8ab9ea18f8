"""Ofsted's enforcement on settings: compliance notices and restrictions on
accommodation, recorded and lifted through services/enforcements.py."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from unfold.decorators import display

from registers.admin.action_pages import ActionPage, ActionPagesMixin
from registers.admin.base import RegisterAdmin
from registers.admin.display import uk_date
from registers.admin.forms import ActionForm
from registers.models import Enforcement
from registers.selectors.enforcements import under_enforcement_q
from registers.services.enforcements import (
    enforcement_delete,
    enforcement_lift,
    enforcement_lift_allowed,
    enforcements_check,
    enforcements_write,
)

STATUS_COLOURS = {"In force": "danger", "Lifted": "success"}


class UnderEnforcementFilter(admin.SimpleListFilter):
    """On the settings list: a compliance notice or restriction in force."""

    title = "enforcement"
    parameter_name = "enforcement"

    def lookups(self, request, model_admin):
        return [("yes", "Under enforcement"), ("no", "None in force")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(under_enforcement_q())
        if self.value() == "no":
            return queryset.exclude(under_enforcement_q())
        return queryset


class InForceFilter(admin.SimpleListFilter):
    title = "in force or lifted"
    parameter_name = "in_force"

    def lookups(self, request, model_admin):
        return [("yes", "In force"), ("no", "Lifted")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.active()
        if self.value() == "no":
            return queryset.filter(lifted_on__isnull=False)
        return queryset


class LiftForm(ActionForm):
    lifted_on = forms.DateField(label="Lifted on", initial=timezone.localdate)
    lifted_note = forms.CharField(
        label="Why it was lifted", widget=forms.Textarea(attrs={"rows": 3})
    )


def _lift(enforcement, data, user) -> str:
    enforcement_lift(
        enforcement=enforcement, user=user, note=data["lifted_note"], lifted_on=data["lifted_on"]
    )
    return f"{enforcement.get_kind_display()} lifted."


@admin.register(Enforcement)
class EnforcementAdmin(ActionPagesMixin, RegisterAdmin):
    service_check = enforcements_check
    service_write = enforcements_write
    action_pages = (
        ActionPage(
            name="lift",
            label="Lift",
            icon="lock_open",
            form=LiftForm,
            title="Record that Ofsted lifted it",
            run=_lift,
            allowed=lambda enforcement, user: enforcement_lift_allowed(
                enforcement=enforcement, user=user
            ),
            submit_label="Record as lifted",
            intro="The setting leaves enhanced monitoring when nothing else holds it (an "
            "Requires improvement or Inadequate rating, or another enforcement in force).",
        ),
    )
    list_display = ["setting", "kind", "imposed", "status", "lifted"]
    list_select_related = ["setting"]
    list_filter = [InForceFilter, "kind"]
    search_fields = ["setting__urn", "setting__name", "setting__provider__name", "note"]
    ordering = ["-imposed_on", "-id"]
    autocomplete_fields = ["setting"]
    readonly_fields = ["lifted_on", "lifted_note", "lifted_by", "recorded_by"]
    fieldsets = [
        (None, {"fields": ["setting", "kind", "imposed_on", "note", "recorded_by"]}),
        ("Lifted", {"fields": ["lifted_on", "lifted_note", "lifted_by"]}),
    ]

    def delete_model(self, request, obj):
        enforcement_delete(enforcement=obj, user=request.user, reason="Deleted in the portal")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # A new enforcement is recorded rather than this one moved.
            fields += ["setting", "kind"]
        return fields

    @display(description="Imposed", ordering="imposed_on")
    def imposed(self, obj):
        return uk_date(obj.imposed_on)

    @display(description="Status", label=STATUS_COLOURS)
    def status(self, obj):
        return "In force" if obj.is_active else "Lifted"

    @display(description="Lifted", ordering="lifted_on")
    def lifted(self, obj):
        return uk_date(obj.lifted_on)


class SettingEnforcementMixin:
    """The settings list's flags and a setting's link to its enforcement records.
    The columns are kept by services/enforcements.py: read-only on the setting."""

    def get_readonly_fields(self, request, obj=None):
        return [
            *super().get_readonly_fields(request, obj),
            "compliance_notice_on",
            "accommodation_restriction_on",
            "enforcement_history",
        ]

    @staticmethod
    def enforcement_flags(setting) -> list[str]:
        """What is in force, from the setting's own columns (no query)."""
        return [
            label
            for label, on in (
                ("Compliance notice", setting.compliance_notice_on),
                ("Restriction on accommodation", setting.accommodation_restriction_on),
            )
            if on
        ]

    @display(description="Enforcement")
    def enforcement_history(self, setting):
        """A link, not an inline: the setting's page stays within its query budget."""
        if setting.pk is None:
            return "-"
        url = reverse("admin:registers_enforcement_changelist") + f"?setting={setting.pk}"
        return format_html(
            '<a href="{}">Compliance notices and restrictions, and their history</a>', url
        )
