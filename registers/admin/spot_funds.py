"""Spot commissioning fund applications: caps, decisions and outcomes."""

from django import forms
from django.contrib import admin
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.decorators import display

from registers.admin.action_pages import ActionPage, ActionPagesMixin
from registers.admin.base import RegisterAdmin
from registers.admin.display import pounds, uk_date
from registers.admin.forms import ActionForm
from registers.models import FundApplicantKind, FundStatus, SpotFundApplication
from registers.services.spot_funds import (
    spot_fund_decide,
    spot_fund_decision_allowed,
    spot_fund_outcomes_allowed,
    spot_fund_record_outcomes,
    spot_funds_check,
    spot_funds_write,
)

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


def _decide(application, data, user) -> str:
    spot_fund_decide(application=application, user=user, approve=data["decision"] == "approve")
    return f"The application is {application.get_status_display().lower()}."


def _outcomes(application, data, user) -> str:
    spot_fund_record_outcomes(application=application, user=user, **data)
    return "Outcomes recorded."


@admin.register(SpotFundApplication)
class SpotFundApplicationAdmin(ActionPagesMixin, RegisterAdmin):
    service_check = spot_funds_check
    service_write = spot_funds_write
    action_pages = (
        ActionPage(
            name="decide",
            label="Decide",
            icon="gavel",
            form=DecisionForm,
            title="Decide the application",
            run=_decide,
            allowed=lambda a, user: spot_fund_decision_allowed(application=a, user=user),
            intro="The Resource Panel decides. You cannot decide your own application.",
        ),
        ActionPage(
            name="outcomes",
            label="Record outcomes",
            icon="summarize",
            form=OutcomesForm,
            title="Record the outcomes",
            run=_outcomes,
            allowed=lambda a, user: spot_fund_outcomes_allowed(application=a, user=user),
            intro="Completed when the intervention ends: the outcomes identified on the "
            "application, reassessed, and any unintended outcomes.",
        ),
    )
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

    @display(description="Application", header=True)
    def application(self, obj):
        if obj.kind == FundApplicantKind.CHILD_FAMILY:
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
