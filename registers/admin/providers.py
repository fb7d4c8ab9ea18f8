"""Approved provider list: providers and their settings."""

from django import forms
from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.decorators import action, display

from registers.admin.base import (
    ActionForm,
    ActionFormView,
    RegisterAdmin,
    SummaryTabularInline,
)
from registers.admin.display import APPROVAL_COLOURS, FLAG_COLOURS
from registers.admin.spreadsheets import SpreadsheetAdminMixin
from registers.importing.specs import ProviderSpec
from registers.models import ApprovalStatus, Contract, Provider, Setting
from registers.permissions import has_perm
from registers.selectors.contracts import live_contract_count
from registers.services.providers import change_approval_status, close_approval_review


class SettingInline(SummaryTabularInline):
    model = Setting
    fields = ["urn", "name", "provision_type", "registration_status", "local_authority"]
    verbose_name_plural = "Settings run by this provider"


class ContractInline(SummaryTabularInline):
    model = Contract
    fields = ["reference", "title", "procurement_route", "start_date", "end_date", "annual_value"]
    verbose_name_plural = "Contracts"


class ApprovalForm(ActionForm):
    status = forms.ChoiceField(label="New approval status", choices=ApprovalStatus.choices)
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Required for approval with conditions, suspension and removal.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance_obj.approval_status
        self.fields["status"].choices = [c for c in ApprovalStatus.choices if c[0] != current]


class ReviewCloseForm(ActionForm):
    note = forms.CharField(label="Outcome of the review", widget=forms.Textarea(attrs={"rows": 3}))


class ApprovalReviewFilter(admin.SimpleListFilter):
    title = "approval review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("open", "Approval review open")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(approval_review_required=True)
        return queryset


@admin.register(Provider)
class ProviderAdmin(SpreadsheetAdminMixin, ActionFormView, RegisterAdmin):
    spec_class = ProviderSpec
    list_display = [
        "provider_name",
        "company_number",
        "sector",
        "approval",
        "review_flag",
        "setting_count",
        "live_contracts",
    ]
    list_filter = [
        "approval_status",
        ApprovalReviewFilter,
        "sector",
        "is_sme",
        "is_vcse",
        ("lots__framework", admin.RelatedOnlyFieldListFilter),
        ("approval_status_changed_on", RangeDateFilter),
    ]
    search_fields = ["name", "trading_name", "company_number", "charity_number", "postcode"]
    ordering = ["name"]
    inlines = [SettingInline, ContractInline]
    readonly_fields = [
        "approval_status",
        "approval_status_changed_on",
        "approval_status_reason",
        "approval_review_required",
        "approval_review_since",
        "approval_review_reason",
        "frameworks",
    ]
    fieldsets = [
        (
            "Organisation",
            {
                "classes": ["tab"],
                "fields": [
                    "name",
                    "trading_name",
                    ("company_number", "charity_number"),
                    "sector",
                    ("is_sme", "is_vcse"),
                ],
            },
        ),
        (
            "Address and contact",
            {
                "classes": ["tab"],
                "fields": [
                    "address_line_1",
                    "address_line_2",
                    ("town", "county", "postcode"),
                    "contact_name",
                    ("contact_email", "contact_phone"),
                ],
            },
        ),
        (
            "Approval",
            {
                "classes": ["tab"],
                "fields": [
                    "approval_status",
                    "approval_status_changed_on",
                    "approval_status_reason",
                    "approval_review_required",
                    "approval_review_since",
                    "approval_review_reason",
                    "frameworks",
                ],
            },
        ),
    ]
    actions_detail = ["change_approval", "close_review"]

    def get_queryset(self, request):
        settings = (
            Setting.objects.filter(provider=OuterRef("pk"))
            .order_by()
            .values("provider")
            .annotate(total=Count("pk"))
            .values("total")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                setting_total=Coalesce(Subquery(settings, output_field=IntegerField()), Value(0)),
                live_contract_total=live_contract_count(
                    today=timezone.localdate(), outer_field="provider"
                ),
            )
        )

    @display(description="Provider", ordering="name", header=True)
    def provider_name(self, obj):
        return obj.name, obj.trading_name or ""

    @display(description="Approval", ordering="approval_status", label=APPROVAL_COLOURS)
    def approval(self, obj):
        return obj.get_approval_status_display()

    @display(description="Review", label=FLAG_COLOURS)
    def review_flag(self, obj):
        return "Approval review" if obj.approval_review_required else ""

    @display(description="Settings", ordering="setting_total")
    def setting_count(self, obj):
        return obj.setting_total

    @display(description="Live contracts", ordering="live_contract_total")
    def live_contracts(self, obj):
        return obj.live_contract_total

    @display(description="Framework lots")
    def frameworks(self, obj):
        lots = obj.lots.select_related("framework")
        return ", ".join(str(lot) for lot in lots) or "None"

    # --- approval -------------------------------------------------------------

    def has_approve_permission(self, request, object_id=None):
        return has_perm(request.user, "registers.approve_provider")

    @action(
        description="Change approval status",
        url_path="approval",
        permissions=["approve"],
        icon="verified",
    )
    def change_approval(self, request, object_id):
        def perform(provider, data):
            change_approval_status(
                provider=provider, status=data["status"], reason=data["reason"], user=request.user
            )
            return f"{provider} is now {provider.get_approval_status_display().lower()}."

        return self.run_action_form(
            request,
            object_id,
            form_class=ApprovalForm,
            title="Change approval status",
            allowed=lambda obj: self.has_approve_permission(request),
            perform=perform,
            intro="Approving a provider brings its settings into use: any Requires improvement "
            "or Inadequate rating starts the RI process.",
        )

    @action(
        description="Close approval review",
        url_path="close-review",
        permissions=["approve"],
        icon="task_alt",
    )
    def close_review(self, request, object_id):
        def perform(provider, data):
            close_approval_review(provider=provider, user=request.user, note=data["note"])
            return f"The approval review of {provider} is closed."

        return self.run_action_form(
            request,
            object_id,
            form_class=ReviewCloseForm,
            title="Close the approval review",
            allowed=lambda obj: self.has_approve_permission(request),
            perform=perform,
        )
