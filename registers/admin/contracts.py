"""The contracts register: status from the dates, recommissioning, spot purchases."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, Value, When
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from guardian.admin import ReinforcedGuardedModelAdminMixin
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.decorators import action, display

from registers.admin.base import (
    ActionForm,
    ActionFormView,
    EditableTabularInline,
    RegisterAdmin,
)
from registers.admin.display import CONTRACT_STATUS_COLOURS, labels, pounds, uk_date
from registers.admin.guardian import GuardianPagesMixin, MineFilter
from registers.admin.spreadsheets import SpreadsheetAdminMixin
from registers.dates import last_completed_quarter, parse_quarter
from registers.importing.specs import ContractSpec
from registers.models import (
    AuthoriserRole,
    Contract,
    ContractDocument,
    ContractReview,
    ContractStatus,
    ContractVariation,
)
from registers.permissions import has_perm
from registers.roles import COMMISSIONING_OFFICER, MANAGER
from registers.selectors.contracts import (
    decisions_due,
    ending_within,
    missing_review_q,
    with_status,
)
from registers.services.contracts import (
    authorise_spot_purchase,
    extend_contract,
    record_variation,
    save_contract,
    terminate_contract,
)
from registers.services.transparency import missing_fields, write_csv


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


class VariationInline(EditableTabularInline):
    model = ContractVariation
    fields = [
        "kind",
        "effective_date",
        "percentage",
        "new_annual_value",
        "reason",
        "approved_by",
        "previous_annual_value",
        "resulting_annual_value",
        "applied_on",
    ]
    readonly_fields = ["previous_annual_value", "resulting_annual_value", "applied_on"]
    verbose_name_plural = "Price uplifts and variations"


class ReviewInline(EditableTabularInline):
    model = ContractReview
    fields = ["year", "quarter", "rag", "kpis", "notes", "reviewed_on", "reviewer"]
    readonly_fields = ["reviewer"]
    verbose_name_plural = "Quarterly monitoring"


class DocumentInline(EditableTabularInline):
    model = ContractDocument
    fields = ["kind", "title", "file", "uploaded_by", "uploaded_at"]
    readonly_fields = ["uploaded_by", "uploaded_at"]
    verbose_name_plural = "Documents"


class QuarterForm(ActionForm):
    quarter = forms.CharField(
        label="Quarter",
        max_length=6,
        help_text="Calendar quarter, for example 2026Q3 (July to September 2026).",
        initial=lambda: "{}Q{}".format(*last_completed_quarter(timezone.localdate())),
    )

    def clean_quarter(self):
        try:
            return parse_quarter(self.cleaned_data["quarter"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class AuthoriseForm(ActionForm):
    role = forms.ChoiceField(label="You authorise as", choices=AuthoriserRole.choices)
    confirm = forms.BooleanField(
        label="I have read the written justification and authorise this spot purchase.",
    )


class ExtendForm(ActionForm):
    confirm = forms.BooleanField(label="Use one extension option")


class TerminateForm(ActionForm):
    terminated_on = forms.DateField(label="Terminated on", initial=timezone.localdate)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(Contract)
class ContractAdmin(
    GuardianPagesMixin,
    ReinforcedGuardedModelAdminMixin,
    SpreadsheetAdminMixin,
    ActionFormView,
    RegisterAdmin,
):
    spec_class = ContractSpec
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
    mine_field = "contract_manager"
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
    actions_detail = ["authorise_spot", "extend", "terminate"]
    actions_list = ["transparency_file"]

    def get_queryset(self, request):
        review_missing = Case(
            When(missing_review_q(today=timezone.localdate()), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        return with_status(super().get_queryset(request)).annotate(review_missing=review_missing)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm("registers.change_contract"):
            # A contract manager may not hand their contract to someone else.
            readonly.append("contract_manager")
        if obj is not None and obj.spot_authorised_on:
            readonly.append("spot_justification")
        return readonly

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "contract_manager":
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(is_active=True, groups__name__in=[COMMISSIONING_OFFICER, MANAGER])
                .distinct()
                .order_by("first_name", "last_name", "username")
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
        if missing_fields(contract=obj):
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
        missing = missing_fields(contract=obj)
        if missing:
            return "Not publishable. Missing: " + ", ".join(missing) + "."
        return "Publishable, or under the £5,000 threshold."

    # --- saving through the services ------------------------------------------------

    def save_object(self, request, obj, form, change):
        # The manager before this change, read from the database: the form has
        # already put the new one on the instance.
        previous = None
        if change:
            manager_id = (
                Contract.objects.filter(pk=obj.pk)
                .values_list("contract_manager", flat=True)
                .first()
            )
            previous = get_user_model().objects.filter(pk=manager_id).first()
        save_contract(
            contract=obj, user=request.user, previous_manager=previous, reason=obj._change_reason
        )

    def save_inline_object(self, request, obj, formset):
        if isinstance(obj, ContractVariation) and obj.pk is None:
            record_variation(variation=obj, user=request.user)
            return
        if isinstance(obj, ContractReview) and obj.reviewer_id is None:
            obj.reviewer = request.user
        if isinstance(obj, ContractDocument) and obj.uploaded_by_id is None:
            obj.uploaded_by = request.user
        obj.save()

    # --- detail actions -------------------------------------------------------------

    def has_authorise_permission(self, request, object_id=None):
        if not has_perm(request.user, "registers.authorise_spot_purchase"):
            return False
        if object_id is None:
            return True
        contract = self.get_object(request, object_id)
        return (
            contract is not None and contract.is_spot_purchase and not contract.spot_authorised_on
        )

    def has_change_object_permission(self, request, object_id=None):
        if object_id is None:
            return self.has_change_permission(request)
        obj = self.get_object(request, object_id)
        return obj is not None and self.has_change_permission(request, obj)

    @action(
        description="Authorise spot purchase",
        url_path="authorise",
        permissions=["authorise"],
        icon="approval",
    )
    def authorise_spot(self, request, object_id):
        def perform(contract, data):
            authorise_spot_purchase(contract=contract, user=request.user, role=data["role"])
            return f"The spot purchase {contract.reference} is authorised."

        return self.run_action_form(
            request,
            object_id,
            form_class=AuthoriseForm,
            title="Authorise a spot purchase",
            allowed=lambda obj: self.has_authorise_permission(request),
            perform=perform,
            submit_label="Authorise",
            intro="A spot purchase is allowed only with a written justification of why the "
            "framework could not meet the need, authorised in writing by a Head of Service or "
            "Director. You cannot authorise your own request.",
        )

    @action(description="Extend", url_path="extend", permissions=["change_object"], icon="update")
    def extend(self, request, object_id):
        def perform(contract, data):
            extend_contract(contract=contract, user=request.user)
            return f"{contract.reference} now ends on {contract.end_date:%d/%m/%Y}."

        return self.run_action_form(
            request,
            object_id,
            form_class=ExtendForm,
            title="Use an extension option",
            allowed=lambda obj: self.has_change_permission(request, obj),
            perform=perform,
            submit_label="Extend",
        )

    @action(
        description="Terminate", url_path="terminate", permissions=["change_object"], icon="block"
    )
    def terminate(self, request, object_id):
        def perform(contract, data):
            terminate_contract(
                contract=contract,
                user=request.user,
                terminated_on=data["terminated_on"],
                reason=data["reason"],
            )
            return f"{contract.reference} is terminated."

        return self.run_action_form(
            request,
            object_id,
            form_class=TerminateForm,
            title="Terminate the contract",
            allowed=lambda obj: self.has_change_permission(request, obj),
            perform=perform,
            submit_label="Terminate",
        )

    def get_urls(self):
        return [
            path(
                "transparency/",
                self.admin_site.admin_view(self.transparency_view),
                name="registers_contract_transparency",
            ),
        ] + super().get_urls()

    def transparency_view(self, request):
        """Choose a quarter, download the Transparency Code CSV."""
        if not self.has_transparency_permission(request):
            raise PermissionDenied
        form = QuarterForm(request.GET or None)
        if request.GET and form.is_valid():
            year, quarter = form.cleaned_data["quarter"]
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = (
                f'attachment; filename="transparency-contracts-{year}Q{quarter}.csv"'
            )
            response.write("\ufeff")  # so Excel reads the £ sign as UTF-8
            write_csv(year=year, quarter=quarter, stream=response)
            return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Transparency Code: contracts over £5,000",
            "form": form,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "registers/admin/transparency.html", context)

    def has_transparency_permission(self, request):
        return has_perm(request.user, "registers.export_contract")

    @action(
        description="Transparency Code file",
        url_path="transparency-start",
        permissions=["transparency"],
        icon="publish",
    )
    def transparency_file(self, request):
        return HttpResponseRedirect(reverse("admin:registers_contract_transparency"))
