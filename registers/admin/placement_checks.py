"""Placement checks in unregulated and supported accommodation (manual 003's form)."""

from django import forms
from django.contrib import admin
from django.template.loader import render_to_string
from django.utils import timezone
from unfold.decorators import display

from registers.admin.action_pages import ActionPage, ActionPagesMixin
from registers.admin.base import RegisterAdmin
from registers.admin.display import FLAG_COLOURS, uk_date
from registers.admin.forms import ActionForm
from registers.models import PlacementCheck, PlacementDecision, PlacementType
from registers.selectors.placement_checks import check_documents
from registers.services.placement_checks import (
    Signatory,
    placement_check_sign_off,
    placement_check_sign_off_allowed,
    placement_checks_check,
    placement_checks_write,
    sign_off_gaps,
)

DECISION_COLOURS = {
    PlacementDecision.REGULATED.label: "success",
    PlacementDecision.UNREGULATED.label: "warning",
    PlacementDecision.HOLIDAY_EXCEPTION.label: "info",
    PlacementDecision.REFUSED.label: "danger",
}
SIGN_OFF_COLOURS = {
    "Signed off": "success",
    "Awaiting team manager": "warning",
    "Awaiting sign-off": "info",
}
DOCUMENT_COLOURS = {
    "Valid": "success",
    "Expiring": "warning",
    "Expired": "danger",
    "Missing": "danger",
}


class EndingSoonFilter(admin.SimpleListFilter):
    title = "ending soon"
    parameter_name = "ending"

    def lookups(self, request, model_admin):
        return [("soon", "Crisis or holiday placement ending soon")]

    def queryset(self, request, queryset):
        if self.value() == "soon":
            return queryset.ending_soon(today=timezone.localdate())
        return queryset


class SignOffFilter(admin.SimpleListFilter):
    title = "sign-off"
    parameter_name = "signed"

    def lookups(self, request, model_admin):
        return [("awaiting", "Awaiting sign-off"), ("yes", "Signed off")]

    def queryset(self, request, queryset):
        if self.value() == "awaiting":
            return queryset.awaiting_sign_off()
        if self.value() == "yes":
            return queryset.exclude(pk__in=queryset.awaiting_sign_off().values("pk"))
        return queryset


class SignOffForm(ActionForm):
    name = forms.CharField(label="Name of the person signing", max_length=100)
    signed_on = forms.DateField(label="Date signed", required=False)
    override_reason = forms.CharField(
        label="Reason to sign off despite expired or missing documents",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Only needed when a document the check looks at is expired or missing.",
    )


def _sign_off(signatory: str):
    def run(check, data, user) -> str:
        placement_check_sign_off(
            check=check,
            user=user,
            signatory=signatory,
            name=data["name"],
            signed_on=data["signed_on"],
            override_reason=data["override_reason"],
        )
        return f"Signed off by the {Signatory(signatory).label.lower()}."

    return run


def _allowed(signatory: str):
    def allowed(check, user) -> bool:
        return placement_check_sign_off_allowed(check=check, user=user, signatory=signatory)

    return allowed


@admin.register(PlacementCheck)
class PlacementCheckAdmin(ActionPagesMixin, RegisterAdmin):
    service_check = placement_checks_check
    service_write = placement_checks_write
    action_pages = (
        ActionPage(
            name="social_worker_sign_off",
            label="Social worker sign-off",
            icon="draw",
            form=SignOffForm,
            title="Social worker sign-off",
            run=_sign_off(Signatory.SOCIAL_WORKER),
            allowed=_allowed(Signatory.SOCIAL_WORKER),
            submit_label="Sign off",
            intro="Every answer must be in, and the placement lawful. An expired or missing "
            "document needs the reason it is signed off despite it.",
        ),
        ActionPage(
            name="team_manager_sign_off",
            label="Team manager sign-off",
            icon="verified",
            form=SignOffForm,
            title="Team manager sign-off",
            run=_sign_off(Signatory.TEAM_MANAGER),
            allowed=_allowed(Signatory.TEAM_MANAGER),
            submit_label="Sign off",
            intro="The team manager signs after the social worker.",
        ),
    )
    list_display = [
        "child",
        "setting",
        "type_label",
        "decision_label",
        "starts",
        "ends",
        "flags",
        "sign_off",
    ]
    list_select_related = ["setting", "setting__provider"]
    list_filter = ["decision", "placement_type", EndingSoonFilter, SignOffFilter]
    search_fields = ["case_id", "child_initials", "setting__name", "setting__urn"]
    ordering = ["-start_date", "-id"]
    autocomplete_fields = ["setting"]
    readonly_fields = [
        "decision",
        "provider_documents",
        "still_to_answer",
        "social_worker_name",
        "social_worker_signed_on",
        "team_manager_name",
        "team_manager_signed_on",
        "documents_override_reason",
        "recorded_by",
    ]
    fieldsets = [
        ("Child", {"fields": [("case_id", "child_initials"), "legal_status"]}),
        (
            "Placement",
            {
                "fields": [
                    "setting",
                    "placement_type",
                    ("start_date", "end_date"),
                    ("care_or_support", "static_or_mobile"),
                    "decision",
                    "staffing_arrangements",
                ]
            },
        ),
        (
            "Provider checks",
            {
                "fields": [
                    "provider_documents",
                    ("host_authority_outcome", "host_authority_notes"),
                    ("references_outcome", "references_notes"),
                    ("financial_outcome", "financial_notes"),
                    ("policies_outcome", "policies_notes"),
                ]
            },
        ),
        ("Matching consideration", {"fields": ["needs_met", "risk_management"]}),
        (
            "Ongoing review",
            {
                "description": "Statutory visits by the allocated social worker; support "
                "and accommodation are reviewed at each visit.",
                "fields": [
                    ("visit_frequency_weeks", "risk_assessment_review_on"),
                    "move_on_plan",
                    "move_on_by",
                ],
            },
        ),
        (
            "Sign-off",
            {
                "fields": [
                    "still_to_answer",
                    ("social_worker_name", "social_worker_signed_on"),
                    ("team_manager_name", "team_manager_signed_on"),
                    "documents_override_reason",
                    "recorded_by",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_ending_soon(today=timezone.localdate())

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(field.widget, forms.Textarea):
            field.widget.attrs["rows"] = 3  # a few lines each: the form is long
        return field

    @display(description="Child", header=True, ordering="case_id")
    def child(self, obj):
        return f"Case {obj.case_id}", obj.child_initials

    @display(description="Type", ordering="placement_type")
    def type_label(self, obj):
        return {
            PlacementType.ONGOING: "Ongoing",
            PlacementType.CRISIS: "Crisis",
            PlacementType.HOLIDAY: "Holiday",
        }.get(obj.placement_type, "")

    @display(description="Decision", ordering="decision", label=DECISION_COLOURS)
    def decision_label(self, obj):
        return obj.get_decision_display()

    @display(description="Starts", ordering="start_date")
    def starts(self, obj):
        return uk_date(obj.start_date)

    @display(description="Ends", ordering="end_date")
    def ends(self, obj):
        return uk_date(obj.end_date)

    @display(description="Flags", label=FLAG_COLOURS)
    def flags(self, obj):
        return "Ending soon" if getattr(obj, "is_ending_soon", False) else ""

    @display(description="Sign-off", label=SIGN_OFF_COLOURS)
    def sign_off(self, obj):
        if obj.team_manager_signed_on:
            return "Signed off"
        if obj.social_worker_signed_on:
            return "Awaiting team manager"
        return "Awaiting sign-off"

    @display(description="Documents (the setting's and its provider's)")
    def provider_documents(self, obj):
        if obj is None or obj.pk is None or obj.setting_id is None:
            return "Shown once the check is saved with its setting."
        statuses = check_documents(obj, today=timezone.localdate())
        return render_to_string(
            "registers/admin/_placement_documents.html",
            {"rows": [(status, DOCUMENT_COLOURS[status.state]) for status in statuses]},
        )

    @display(description="Still to answer")
    def still_to_answer(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        gaps = sign_off_gaps(obj)
        return "; ".join(gaps) if gaps else "Nothing: ready for sign-off."
