"""Spot commissioning fund applications: caps, decisions and outcomes."""

from django import forms
from django.contrib import admin
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.decorators import action, display

from registers.admin.base import ActionForm, ActionFormView, RegisterAdmin
from registers.admin.display import pounds, uk_date
from registers.models import FundStatus, SpotFundApplication
from registers.services.spot_funds import decide_application, record_outcomes

FUND_COLOURS = {
    FundStatus.SUBMITTED.label: "info",
    FundStatus.APPROVED.label: "success",
    FundStatus.DECLINED.label: "danger",
    FundStatus.COMPLETED.label: "default",
}


class DecisionForm(ActionForm):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("decline", "Decline")], widget=forms.RadioSelect
    )


class OutcomesForm(ActionForm):
    outcomes_achieved = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    case_study = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)


@admin.register(SpotFundApplication)
class SpotFundApplicationAdmin(ActionFormView, RegisterAdmin):
    list_display = ["application", "kind", "amount_pounds", "status_label", "applied", "provider"]
    list_select_related = ["provider"]
    list_filter = ["status", "kind", ("applied_on", RangeDateFilter)]
    search_fields = ["case_id", "group_description", "provider__name"]
    ordering = ["-applied_on"]
    autocomplete_fields = ["provider"]
    readonly_fields = ["status", "applicant", "decided_by", "decided_on", "completed_on"]
    fieldsets = [
        (
            "Application",
            {
                "fields": [
                    "kind",
                    ("case_id", "child_initials"),
                    "group_description",
                    "provider",
                    "purpose",
                    "intended_outcomes",
                    ("amount", "applied_on"),
                    "applicant",
                ]
            },
        ),
        ("Decision", {"fields": ["status", ("decided_by", "decided_on")]}),
        ("Outcomes", {"fields": ["outcomes_achieved", "case_study", "completed_on"]}),
    ]
    actions_detail = ["decide", "outcomes"]

    @display(description="Application", header=True)
    def application(self, obj):
        if obj.kind == "child_family":
            return f"Case {obj.case_id}", obj.child_initials
        return obj.group_description, "Group"

    @display(description="Amount", ordering="amount")
    def amount_pounds(self, obj):
        return pounds(obj.amount)

    @display(description="Status", ordering="status", label=FUND_COLOURS)
    def status_label(self, obj):
        return obj.get_status_display()

    @display(description="Applied", ordering="applied_on")
    def applied(self, obj):
        return uk_date(obj.applied_on)

    def save_object(self, request, obj, form, change):
        if not change:
            obj.applicant = request.user
        obj.save()

    def has_decide_permission(self, request, object_id=None):
        return request.user.has_perm("registers.change_spotfundapplication")

    @action(description="Decide", url_path="decide", permissions=["decide"], icon="gavel")
    def decide(self, request, object_id):
        def perform(application, data):
            decide_application(
                application=application, user=request.user, approve=data["decision"] == "approve"
            )
            return f"The application is {application.get_status_display().lower()}."

        return self.run_action_form(
            request,
            object_id,
            form_class=DecisionForm,
            title="Decide the application",
            allowed=lambda obj: self.has_decide_permission(request),
            perform=perform,
        )

    @action(
        description="Record outcomes", url_path="outcomes", permissions=["decide"], icon="summarize"
    )
    def outcomes(self, request, object_id):
        def perform(application, data):
            record_outcomes(application=application, user=request.user, **data)
            return "Outcomes recorded."

        return self.run_action_form(
            request,
            object_id,
            form_class=OutcomesForm,
            title="Record the outcomes",
            allowed=lambda obj: self.has_decide_permission(request),
            perform=perform,
            intro="Completed when the intervention ends: the outcomes identified on the "
            "application, reassessed, and any unintended outcomes.",
        )
