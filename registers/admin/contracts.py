"""The contracts register: status from the dates, recommissioning, spot purchases."""

from django.contrib import admin
from django.db.models import BooleanField, Case, Value, When
from django.utils import timezone
from guardian.admin import ReinforcedGuardedModelAdminMixin
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.decorators import display

from registers.admin.action_pages import ActionPagesMixin
from registers.admin.base import RegisterAdmin
from registers.admin.contract_actions import CONTRACT_ACTION_PAGES
from registers.admin.contract_records import DocumentInline, ReviewInline, VariationInline
from registers.admin.display import CONTRACT_STATUS_COLOURS, labels, pounds, uk_date
from registers.admin.guardian import GuardianPagesMixin, MineFilter
from registers.admin.permissions import request_cache
from registers.admin.spreadsheets import SpreadsheetAdminMixin
from registers.admin.transparency import TransparencyFileMixin
from registers.dates import last_completed_quarter
from registers.importing.specs.contracts import ContractSpec
from registers.models import (
    Contract,
    ContractStatus,
)
from registers.permissions import authority_scope
from registers.selectors.contracts import (
    decisions_due,
    ending_within,
    live_first,
    missing_review_q,
    with_status,
)
from registers.selectors.users import contract_manager_choices
from registers.services.contracts import (
    contract_justification_locked,
    contract_manager_editable,
    contracts_check,
    contracts_write,
)
from registers.services.transparency import (
    contracts_not_publishable,
    transparency_missing_fields,
)


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return ContractStatus.choices

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


class ExpiringFilter(admin.SimpleListFilter):
    title = "expiring"
    parameter_name = "expiring"

    def lookups(self, request, model_admin):
        return [(str(n), f"Ending within {n} months") for n in (3, 6, 9, 12)]

    def queryset(self, request, queryset):
        if self.value() not in {"3", "6", "9", "12"}:
            return queryset
        return ending_within(queryset, today=timezone.localdate(), months=int(self.value()))


class DecisionDueFilter(admin.SimpleListFilter):
    title = "recommissioning"
    parameter_name = "decision"

    def lookups(self, request, model_admin):
        return [
            ("due", "Decision due now (overdue or within 3 months)"),
            ("6", "Decision due within 6 months"),
        ]

    def queryset(self, request, queryset):
        months = {"due": 3, "6": 6}.get(self.value())
        if months is None:
            return queryset
        return decisions_due(queryset, today=timezone.localdate(), within_months=months)


class ReviewMissingFilter(admin.SimpleListFilter):
    title = "quarterly review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        year, quarter = last_completed_quarter(timezone.localdate())
        return [("missing", f"Live, no review for {year} Q{quarter}")]

    def queryset(self, request, queryset):
        if self.value() != "missing":
            return queryset
        return queryset.filter(missing_review_q(today=timezone.localdate()))


class PublishableFilter(admin.SimpleListFilter):
    title = "Transparency Code"
    parameter_name = "publishable"

    def lookups(self, request, model_admin):
        return [("no", "Not publishable: a required field is missing")]

    def queryset(self, request, queryset):
        if self.value() != "no":
            return queryset
        return queryset.filter(pk__in=contracts_not_publishable(queryset))


@admin.register(Contract)
class ContractAdmin(
    GuardianPagesMixin,
    ReinforcedGuardedModelAdminMixin,
    SpreadsheetAdminMixin,
    TransparencyFileMixin,
    ActionPagesMixin,
    RegisterAdmin,
):
    service_check = contracts_check
    service_write = contracts_write
    spec_class = ContractSpec
    action_pages = CONTRACT_ACTION_PAGES
    list_display = [
        "contract",
        "provider",
        "procurement_route",
        "status_label",
        "end_date_uk",
        "decision_due",
        "annual",
        "contract_manager",
        "flags",
    ]
    list_select_related = ["provider", "contract_manager", "lot__framework", "setting"]
    list_filter = [
        StatusFilter,
        ExpiringFilter,
        DecisionDueFilter,
        MineFilter,
        ReviewMissingFilter,
        PublishableFilter,
        "procurement_route",
        "is_key_contract",
        "department",
        ("end_date", RangeDateFilter),
        ("start_date", RangeDateFilter),
    ]
    search_fields = [
        "reference",
        "title",
        "provider__name",
        "provider__company_number",
        "department",
        "cost_centre",
    ]
    ordering = ["end_date", "reference"]
    autocomplete_fields = ["provider", "setting", "lot"]
    inlines = [VariationInline, ReviewInline, DocumentInline]
    readonly_fields = [
        "status_label",
        "decision_due",
        "extensions_used",
        "supplier",
        "spot_requested_by",
        "spot_authorised_by",
        "spot_authoriser_role",
        "spot_authorised_on",
        "terminated_on",
        "termination_reason",
        "publishable",
    ]
    fieldsets = [
        (
            "Contract",
            {
                "classes": ["tab"],
                "fields": [
                    "reference",
                    "title",
                    "description",
                    "provider",
                    "setting",
                    "supplier",
                    ("department", "cost_centre"),
                    ("service_category", "cpv_code"),
                    "is_key_contract",
                    "contract_manager",
                ],
            },
        ),
        (
            "Procurement",
            {
                "classes": ["tab"],
                "fields": ["procurement_route", "tender_type", "lot"],
            },
        ),
        (
            "Dates and value",
            {
                "classes": ["tab"],
                "fields": [
                    "status_label",
                    ("start_date", "end_date", "review_date"),
                    ("notice_period_months", "recommissioning_lead_months", "decision_due"),
                    ("extension_options", "extension_months", "extensions_used"),
                    ("annual_value", "total_value", "vat_not_recoverable"),
                    ("terminated_on", "termination_reason"),
                ],
            },
        ),
        (
            "Spot purchase",
            {
                "classes": ["tab"],
                "fields": [
                    "spot_justification",
                    "spot_requested_by",
                    ("spot_authorised_by", "spot_authoriser_role", "spot_authorised_on"),
                ],
            },
        ),
        ("Transparency Code", {"classes": ["tab"], "fields": ["publishable"]}),
    ]

    def get_queryset(self, request):
        review_missing = Case(
            When(missing_review_q(today=timezone.localdate()), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        today = timezone.localdate()
        return (
            with_status(super().get_queryset(request), today=today)
            .annotate(review_missing=review_missing)
            # The record's page shows its supplier and manager: read with it.
            .select_related("provider", "contract_manager")
        )

    def get_ordering(self, request):
        # Live contracts first (soonest ending first), then the ended and future ones.
        return [live_first(today=timezone.localdate()), *self.ordering]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not contract_manager_editable(user=request.user):
            readonly.append("contract_manager")
        if obj is not None and contract_justification_locked(contract=obj):
            readonly.append("spot_justification")
        return readonly

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "contract_manager":
            match = request.resolver_match
            contract_id = match.kwargs.get("object_id") if match else None
            # Django builds the form twice per page (fieldsets, then the form): ask once.
            kwargs["queryset"] = request_cache(
                request,
                ("contract_manager_choices", contract_id),
                lambda: contract_manager_choices(
                    contract_id=contract_id,
                    authority_ids=authority_scope(request.user).member_ids,
                ),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- columns ------------------------------------------------------------------

    @display(description="Contract", ordering="reference", header=True)
    def contract(self, obj):
        return obj.reference, obj.title

    @display(description="Status", ordering="status", label=CONTRACT_STATUS_COLOURS)
    def status_label(self, obj):
        return ContractStatus(obj.status).label if getattr(obj, "status", None) else ""

    @display(description="Ends", ordering="end_date")
    def end_date_uk(self, obj):
        return uk_date(obj.end_date)

    @display(description="Recommissioning decision due", ordering="decision_due_date")
    def decision_due(self, obj):
        return uk_date(getattr(obj, "decision_due_date", None))

    @display(description="Annual value", ordering="annual_value")
    def annual(self, obj):
        return pounds(obj.annual_value)

    @display(description="Flags")
    def flags(self, obj):
        flags = []
        if obj.is_key_contract:
            flags.append("Key contract")
        if transparency_missing_fields(contract=obj):
            flags.append("Not publishable")
        if obj.review_missing:
            flags.append("Review missing")
        return labels(*flags)

    @display(description="Supplier details")
    def supplier(self, obj):
        provider = obj.provider
        flag = {True: "Yes", False: "No", None: "not known"}
        return (
            f"Company {provider.company_number or 'not given'}; charity "
            f"{provider.charity_number or 'not given'}; SME: {flag[provider.is_sme]}; "
            f"VCSE: {flag[provider.is_vcse]} (from the provider's record)"
        )

    @display(description="Transparency Code")
    def publishable(self, obj):
        missing = transparency_missing_fields(contract=obj)
        if missing:
            return "Not publishable. Missing: " + ", ".join(missing) + "."
        return "Publishable, or under the £5,000 threshold."
