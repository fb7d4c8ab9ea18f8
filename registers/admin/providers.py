"""Approved provider list: providers, their approval and its review."""

from django import forms
from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.decorators import action, display

from registers.admin.action_pages import ActionPage, ActionPagesMixin
from registers.admin.base import RegisterAdmin
from registers.admin.display import APPROVAL_COLOURS, labels
from registers.admin.forms import ActionForm
from registers.admin.inlines import SummaryTabularInline
from registers.admin.spreadsheets import SpreadsheetAdminMixin
from registers.importing.specs.providers import ProviderSpec
from registers.models import ApprovalStatus, ComplianceDocument, Contract, Provider, Setting
from registers.permissions import authority_scope
from registers.selectors.compliance import provider_compliance_gaps
from registers.selectors.contracts import live_contract_count
from registers.selectors.enforcements import with_enforcement_flag
from registers.selectors.providers import approval_review_open_q
from registers.services.providers import (
    provider_approval_allowed,
    provider_change_approval,
    provider_close_review,
    provider_review_allowed,
    providers_check,
    providers_write,
)


class SettingInline(SummaryTabularInline):
    model = Setting
    fields = ["urn", "name", "provision_type", "registration_status", "local_authority"]
    verbose_name_plural = "Settings run by this provider"


class ContractInline(SummaryTabularInline):
    model = Contract
    fields = ["reference", "title", "procurement_route", "start_date", "end_date", "annual_value"]
    verbose_name_plural = "Contracts"


class ComplianceInline(SummaryTabularInline):
    model = ComplianceDocument
    fields = ["kind", "reference", "issue_date", "expiry_date", "checked_on"]
    ordering = ["kind__name", "-expiry_date"]
    verbose_name_plural = "Compliance documents (the provider's own; settings' on their pages)"

    def get_queryset(self, request):
        # Each row's name reads its kind and holder: no query per row.
        return super().get_queryset(request).select_related("kind", "provider", "setting")


class ApprovalForm(ActionForm):
    status = forms.ChoiceField(label="New approval status", choices=ApprovalStatus.choices)
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Required for approval with conditions, suspension and removal.",
    )
    override = forms.BooleanField(
        label="Approve despite expired or missing compliance documents",
        required=False,
        help_text="A manager's override: give the reason below.",
    )
    override_reason = forms.CharField(
        label="Reason for the override",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance_obj.approval_status
        self.fields["status"].choices = [c for c in ApprovalStatus.choices if c[0] != current]


class ReviewCloseForm(ActionForm):
    note = forms.CharField(label="Outcome of the review", widget=forms.Textarea(attrs={"rows": 3}))


def _change_approval(provider, data, user) -> str:
    provider_change_approval(
        provider=provider,
        status=data["status"],
        reason=data["reason"],
        user=user,
        override_reason=data["override_reason"] if data.get("override") else None,
    )
    return f"{provider} is now {provider.get_approval_status_display().lower()}."


def _close_review(provider, data, user) -> str:
    provider_close_review(provider=provider, user=user, note=data["note"])
    return f"The approval review of {provider} is closed."


class ApprovalReviewFilter(admin.SimpleListFilter):
    title = "approval review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("open", "Approval review open")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(approval_review_open_q())
        return queryset


@admin.register(Provider)
class ProviderAdmin(SpreadsheetAdminMixin, ActionPagesMixin, RegisterAdmin):
    service_check = providers_check
    service_write = providers_write
    spec_class = ProviderSpec
    action_pages = (
        ActionPage(
            name="approval",
            label="Change approval status",
            icon="verified",
            form=ApprovalForm,
            title="Change approval status",
            run=_change_approval,
            allowed=lambda provider, user: provider_approval_allowed(provider=provider, user=user),
            intro="Approving a provider brings its settings into use: any Requires improvement "
            "or Inadequate rating starts the RI process. Approving one whose compliance "
            "documents have expired, or whose settings lack a required one, needs the "
            "override below with a reason (see the provider's Compliance tab).",
            field_map={
                "approval_status": "status",
                "approval_status_reason": "reason",
                "override": "override_reason",
            },
        ),
        ActionPage(
            name="close_review",
            label="Close approval review",
            icon="task_alt",
            form=ReviewCloseForm,
            title="Close the approval review",
            run=_close_review,
            allowed=lambda provider, user: provider_review_allowed(provider=provider, user=user),
        ),
    )
    # A setting is added from its provider's page, the provider filled in.
    actions_detail = ["add_setting"]
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
    ordering = ["name", "id"]
    inlines = [SettingInline, ContractInline, ComplianceInline]
    readonly_fields = [
        "compliance_at_a_glance",
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
        ("Compliance", {"classes": ["tab"], "fields": ["compliance_at_a_glance"]}),
    ]

    def get_queryset(self, request):
        settings = (
            Setting.objects.filter(provider=OuterRef("pk"))
            .order_by()
            .values("provider")
            .annotate(total=Count("pk"))
            .values("total")
        )
        return with_enforcement_flag(
            super()
            .get_queryset(request)
            .annotate(
                setting_total=Coalesce(Subquery(settings, output_field=IntegerField()), Value(0)),
                # The user's own councils' contracts: another council's are not theirs to count.
                live_contract_total=live_contract_count(
                    today=timezone.localdate(),
                    outer_field="provider",
                    authority_ids=authority_scope(request.user).member_ids,
                ),
            )
        )

    @action(
        description="Add a setting",
        url_path="add-setting",
        permissions=["add_setting"],
        icon="add_home",
    )
    def add_setting(self, request, object_id):
        return HttpResponseRedirect(
            reverse("admin:registers_setting_add") + "?" + urlencode({"provider": object_id})
        )

    def has_add_setting_permission(self, request, object_id=None):
        return request.user.has_perm("registers.add_setting")

    @display(description="Provider", ordering="name", header=True)
    def provider_name(self, obj):
        return obj.name, obj.trading_name or ""

    @display(description="Approval", ordering="approval_status", label=APPROVAL_COLOURS)
    def approval(self, obj):
        return obj.get_approval_status_display()

    @display(description="Flags")
    def review_flag(self, obj):
        return labels(
            "Approval review" if obj.approval_review_required else "",
            # A compliance notice or restriction on accommodation on one of its settings.
            "Under enforcement" if getattr(obj, "under_enforcement", False) else "",
        )

    @display(description="Settings", ordering="setting_total")
    def setting_count(self, obj):
        return obj.setting_total

    @display(description="Live contracts", ordering="live_contract_total")
    def live_contracts(self, obj):
        return obj.live_contract_total

    @display(description="Compliance at a glance")
    def compliance_at_a_glance(self, obj):
        if obj.pk is None:
            return "-"
        gaps = provider_compliance_gaps([obj.pk], today=timezone.localdate())[obj.pk]
        if not gaps:
            return "No expired documents, and no required document missing for its settings."
        return gaps.describe()[:1].upper() + gaps.describe()[1:] + "."

    @display(description="Framework lots")
    def frameworks(self, obj):
        lots = obj.lots.select_related("framework")
        return ", ".join(str(lot) for lot in lots) or "None"
