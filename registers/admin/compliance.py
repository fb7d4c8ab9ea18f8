"""Compliance documents, their kinds, and Regulation 44/45 reports."""

from django.conf import settings as conf
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from unfold.decorators import action, display

from registers.admin.base import RegisterAdmin
from registers.admin.display import uk_date
from registers.models import ComplianceDocument, ComplianceDocumentKind, RegulationReport
from registers.selectors.compliance import (
    DocumentState,
    expired_documents,
    expiring_documents,
    expiry_state,
    settings_missing_documents,
)
from registers.services.compliance import (
    compliance_documents_check,
    compliance_documents_write,
    compliance_kinds_check,
    compliance_kinds_write,
)
from registers.services.regulation_reports import (
    regulation_reports_check,
    regulation_reports_write,
)

EXPIRY_COLOURS = {"Expired": "danger", "Expiring": "warning", "Current": "success"}


@admin.register(ComplianceDocumentKind)
class ComplianceDocumentKindAdmin(RegisterAdmin):
    service_check = compliance_kinds_check
    service_write = compliance_kinds_write
    list_display = [
        "name",
        "default_validity_months",
        "required_for_settings_in_use",
        "checked_for_placements",
    ]
    list_filter = ["required_for_settings_in_use", "checked_for_placements"]
    search_fields = ["name"]
    ordering = ["name"]
    fields = [
        "name",
        "default_validity_months",
        "required_for_settings_in_use",
        "checked_for_placements",
    ]


class ExpiryFilter(admin.SimpleListFilter):
    title = "expiry"
    parameter_name = "expiry"

    def lookups(self, request, model_admin):
        return [("expired", "Expired (not replaced)")] + [
            (str(days), f"Expiring in {days} days") for days in conf.COMPLIANCE_EXPIRY_WINDOWS
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        value = self.value()
        if value == "expired":
            return queryset.filter(pk__in=expired_documents(today=today).values("pk"))
        if value and value.isdigit() and int(value) in conf.COMPLIANCE_EXPIRY_WINDOWS:
            within = expiring_documents(today=today, within_days=int(value))
            return queryset.filter(pk__in=within.values("pk"))
        return queryset


@admin.register(ComplianceDocument)
class ComplianceDocumentAdmin(RegisterAdmin):
    service_check = compliance_documents_check
    service_write = compliance_documents_write
    list_display = ["kind", "holder", "reference", "issued", "expires", "expiry_label", "checked"]
    list_select_related = ["kind", "provider", "setting", "setting__provider"]
    list_filter = [ExpiryFilter, "kind"]
    search_fields = ["kind__name", "reference", "provider__name", "setting__name", "setting__urn"]
    ordering = ["expiry_date", "id"]
    autocomplete_fields = ["provider", "setting"]
    readonly_fields = ["checked_by"]
    fields = [
        "kind",
        ("provider", "setting"),
        "reference",
        ("issue_date", "expiry_date"),
        "file",
        ("checked_on", "checked_by"),
    ]
    actions_list = ["missing_for_settings"]

    @display(description="Provider or setting")
    def holder(self, obj):
        if obj.setting_id:
            return obj.setting.display_name
        return obj.provider

    @display(description="Issued", ordering="issue_date")
    def issued(self, obj):
        return uk_date(obj.issue_date)

    @display(description="Expires", ordering="expiry_date")
    def expires(self, obj):
        return uk_date(obj.expiry_date) or "No expiry"

    @display(description="Status", label=EXPIRY_COLOURS)
    def expiry_label(self, obj):
        state = expiry_state(obj.expiry_date, today=timezone.localdate())
        return "Current" if state == DocumentState.VALID else state

    @display(description="Checked", ordering="checked_on")
    def checked(self, obj):
        return uk_date(obj.checked_on) or "Not checked"

    # --- settings in use missing a required document ---------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "missing/",
                self.admin_site.admin_view(self.missing_view),
                name="%s_%s_missing" % info,
            )
        ] + super().get_urls()

    def missing_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request,
            "registers/admin/compliance_missing.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Settings in use missing a required document",
                "rows": settings_missing_documents(today=timezone.localdate()),
            },
        )

    def has_missing_for_settings_permission(self, request):
        return self.has_view_permission(request)

    @action(
        description="Missing for settings in use",
        url_path="missing-start",
        permissions=["missing_for_settings"],
        icon="report",
    )
    def missing_for_settings(self, request):
        return HttpResponseRedirect(reverse("admin:registers_compliancedocument_missing"))


@admin.register(RegulationReport)
class RegulationReportAdmin(RegisterAdmin):
    service_check = regulation_reports_check
    service_write = regulation_reports_write
    list_display = ["setting", "kind", "period", "received", "author"]
    list_select_related = ["setting", "setting__provider"]
    list_filter = ["kind"]
    search_fields = ["setting__name", "setting__urn", "author", "key_findings"]
    ordering = ["-period_start", "id"]
    autocomplete_fields = ["setting"]
    readonly_fields = ["recorded_by"]
    fields = [
        "setting",
        "kind",
        ("period_start", "period_end"),
        ("received_on", "author"),
        "file",
        "key_findings",
        "council_response",
        "recorded_by",
    ]

    @display(description="Period", ordering="period_start")
    def period(self, obj):
        return f"{uk_date(obj.period_start)} to {uk_date(obj.period_end)}"

    @display(description="Received", ordering="received_on")
    def received(self, obj):
        return uk_date(obj.received_on)
