"""Settings: the places providers run, with their Ofsted ratings and monitoring."""

from django.conf import settings as conf
from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.decorators import action, display

from registers.admin.action_pages import ActionPagesMixin
from registers.admin.base import RegisterAdmin
from registers.admin.display import JUDGEMENT_COLOURS, TREND_COLOURS, labels, uk_date
from registers.admin.enforcements import SettingEnforcementMixin, UnderEnforcementFilter
from registers.admin.inlines import EditableTabularInline, SummaryTabularInline
from registers.admin.setting_uses import (
    SETTING_USE_PAGE,
    EnhancedMonitoringFilter,
    SettingUsesMixin,
)
from registers.admin.spreadsheets import ImportFlow, SpreadsheetAdminMixin, spec_runner
from registers.importing.specs.ofsted import OfstedSpec
from registers.importing.specs.ofsted_joiners_leavers import OfstedJoinersLeaversSpec
from registers.importing.specs.settings import SettingSpec
from registers.models import Inspection, Judgement, RegulationReport, Setting, Trend, Visit
from registers.models.inspections import FULL_SCALE
from registers.selectors.regulation_reports import (
    regulation_flag_labels,
    regulation_flagged,
    with_regulation_flags,
)
from registers.selectors.settings import (
    in_use_q,
    is_stale,
    rating_q,
    stale_q,
    to_match_q,
    with_in_use,
    with_next_visit,
)
from registers.services.inspections import (
    inspection_delete,
    inspections_check,
    inspections_write,
)
from registers.services.settings import settings_check, settings_write

RATINGS = [judgement for judgement in FULL_SCALE if judgement != Judgement.NOT_JUDGED]


class RatingFilter(admin.SimpleListFilter):
    title = "current rating"
    parameter_name = "rating"

    def lookups(self, request, model_admin):
        return [(j.value, j.label) for j in RATINGS] + [("none", "Not yet inspected")]

    def queryset(self, request, queryset):
        return queryset.filter(rating_q(self.value())) if self.value() else queryset


class TrendFilter(admin.SimpleListFilter):
    title = "trend"
    parameter_name = "trend"

    def lookups(self, request, model_admin):
        return Trend.choices

    def queryset(self, request, queryset):
        return queryset.filter(trend=self.value()) if self.value() else queryset


class StaleFilter(admin.SimpleListFilter):
    title = "latest full inspection"
    parameter_name = "stale"

    def lookups(self, request, model_admin):
        return [("yes", f"Stale (over {conf.OFSTED_STALE_AFTER_MONTHS} months old)")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(stale_q(today=timezone.localdate()))
        return queryset


class InUseFilter(admin.SimpleListFilter):
    title = "in use"
    parameter_name = "in_use"

    def lookups(self, request, model_admin):
        return [("yes", "In use (approved provider or live contract)"), ("no", "Not in use")]

    def queryset(self, request, queryset):
        condition = in_use_q(today=timezone.localdate())
        if self.value() == "yes":
            return queryset.filter(condition)
        if self.value() == "no":
            return queryset.exclude(condition)
        return queryset


class RegulationReportFilter(admin.SimpleListFilter):
    title = "Regulation 44/45 reports"
    parameter_name = "reg_reports"

    def lookups(self, request, model_admin):
        return [("missing", "Children's homes in use missing a report")]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return regulation_flagged(queryset, today=timezone.localdate())
        return queryset


class MatchingFilter(admin.SimpleListFilter):
    title = "provider"
    parameter_name = "matched"

    def lookups(self, request, model_admin):
        return [("no", "No provider yet: listed for matching")]

    def queryset(self, request, queryset):
        return queryset.filter(to_match_q()) if self.value() == "no" else queryset


class InspectionInline(EditableTabularInline):
    model = Inspection
    service_check = inspections_check
    service_write = inspections_write
    fields = ["inspection_type", "event_number", "inspection_date", "publication_date", "overall"]
    ordering = ["-inspection_date"]
    verbose_name_plural = "Inspections (the latest full inspection sets the current rating)"

    def delete_record(self, obj, *, user, reason: str) -> None:
        inspection_delete(inspection=obj, user=user, reason=reason)


class VisitInline(SummaryTabularInline):
    model = Visit
    fk_name = "setting"
    fields = ["planned_date", "reason", "status", "lead_officer", "rag"]
    ordering = ["-planned_date"]
    verbose_name_plural = "QA visits"

    def get_queryset(self, request):
        # Each row's name reads its setting, provider and officer: no query per row.
        return super().get_queryset(request).select_related("setting", "provider", "lead_officer")


class RegulationReportInline(SummaryTabularInline):
    model = RegulationReport
    fields = ["kind", "period_start", "period_end", "received_on", "author"]
    ordering = ["-period_start"]
    verbose_name_plural = "Regulation 44/45 reports"

    def get_queryset(self, request):
        # Each row's name reads its setting: no query per row.
        return super().get_queryset(request).select_related("setting")


@admin.register(Setting)
class SettingAdmin(
    SettingEnforcementMixin,
    SettingUsesMixin,
    SpreadsheetAdminMixin,
    ActionPagesMixin,
    RegisterAdmin,
):
    service_check = settings_check
    service_write = settings_write
    spec_class = SettingSpec
    list_display = [
        "setting",
        "provider",
        "provision_type",
        "local_authority",
        "rating",
        "previous",
        "trend_label",
        "latest_full",
        "flags",
    ]
    list_select_related = ["provider"]
    list_filter = [
        RatingFilter,
        TrendFilter,
        StaleFilter,
        EnhancedMonitoringFilter,
        "placement_review_required",
        InUseFilter,
        RegulationReportFilter,
        MatchingFilter,
        "registration_status",
        "provision_type",
        "local_authority",
        UnderEnforcementFilter,
        ("compliance_notice_on", RangeDateFilter),
    ]
    search_fields = ["urn", "name", "provider__name", "postcode", "local_authority"]
    ordering = ["urn"]
    autocomplete_fields = ["provider"]
    inlines = [InspectionInline, VisitInline, RegulationReportInline]
    readonly_fields = [
        "current_rating_label",
        "previous_rating_label",
        "trend_label",
        "latest_full",
        "owner_name_from_ofsted",
        "provision_type_as_published",
        "local_authority_as_published",
        "enhanced_monitoring",
        "enhanced_monitoring_since",
        "enhanced_monitoring_inspection",
        "next_visit",
    ]
    fieldsets = [
        (
            "Setting",
            {
                "classes": ["tab"],
                "fields": [
                    ("urn", "linked_education_urn"),
                    "name",
                    "provider",
                    ("provision_type", "provision_type_as_published"),
                    ("registration_status", "registration_status_since", "registration_date"),
                    "places",
                    ("is_short_breaks_only", "is_multi_building"),
                ],
            },
        ),
        (
            "Address",
            {
                "classes": ["tab"],
                "fields": [
                    "address_line_1",
                    "address_line_2",
                    ("town", "county", "postcode"),
                    ("local_authority", "ofsted_region", "ofsted_sector"),
                    "local_authority_as_published",
                ],
            },
        ),
        (
            "Ofsted rating",
            {
                "classes": ["tab"],
                "fields": [
                    "current_rating_label",
                    "previous_rating_label",
                    "trend_label",
                    "latest_full",
                    "owner_name_from_ofsted",
                ],
            },
        ),
        (
            "Monitoring and enforcement",
            {
                "classes": ["tab"],
                "fields": [
                    "enhanced_monitoring",
                    "enhanced_monitoring_since",
                    "enhanced_monitoring_inspection",
                    ("placement_review_required", "placement_review_since"),
                    "placement_review_reason",
                    ("compliance_notice_on", "accommodation_restriction_on"),
                    "enforcement_history",
                    "next_visit",
                ],
            },
        ),
    ]
    actions_list = ["import_ofsted_file"]
    action_pages = (SETTING_USE_PAGE,)

    @display(description="Setting", ordering="urn", header=True)
    def setting(self, obj):
        return obj.display_name, obj.urn

    @display(description="Rating", ordering="current_rating_rank", label=JUDGEMENT_COLOURS)
    def rating(self, obj):
        return Judgement(obj.current_rating).label if obj.current_rating else ""

    @display(description="Previous", label=JUDGEMENT_COLOURS)
    def previous(self, obj):
        return Judgement(obj.previous_rating).label if obj.previous_rating else ""

    @display(description="Current rating", label=JUDGEMENT_COLOURS)
    def current_rating_label(self, obj):
        return self.rating(obj) or "Not yet inspected"

    @display(description="Previous rating", label=JUDGEMENT_COLOURS)
    def previous_rating_label(self, obj):
        return self.previous(obj) or "None"

    @display(description="Trend", ordering="trend", label=TREND_COLOURS)
    def trend_label(self, obj):
        return obj.get_trend_display()

    @display(description="Latest full inspection", ordering="latest_full_inspection_date")
    def latest_full(self, obj):
        return uk_date(obj.latest_full_inspection_date)

    @display(description="Flags")
    def flags(self, obj):
        flags = []
        # The flag of the user's own councils (annotated by SettingUsesMixin).
        if getattr(obj, "monitored_here", obj.enhanced_monitoring):
            flags.append("Enhanced monitoring")
        if is_stale(obj, today=timezone.localdate()):
            flags.append("Stale")
        if obj.placement_review_required:
            flags.append("Placement review")
        flags += self.enforcement_flags(obj)
        flags += regulation_flag_labels(obj)
        return labels(*flags)

    def get_queryset(self, request):
        # The Regulation 44/45 flags: in the list's one query, from one selector.
        return with_regulation_flags(super().get_queryset(request), today=timezone.localdate())

    @display(description="Next QA visit due")
    def next_visit(self, obj):
        if obj.pk is None:
            return "-"
        # One query: the next visit due and whether the setting is in use.
        row = with_in_use(with_next_visit(Setting.objects.filter(pk=obj.pk))).get()
        if not row.is_in_use:
            return "Not in use: no QA visit scheduled"
        if row.next_visit_due is None:
            return "Now: never visited"
        return (
            f"{uk_date(row.next_visit_due)} (every {row.visit_interval_months} months at this "
            f"rating; last visited {uk_date(row.last_visit_date)})"
        )

    # --- Ofsted's published files ---------------------------------------------

    def ofsted_flow(self) -> ImportFlow:
        columns = [column for column in OfstedSpec.columns if column.importable]
        # And the columns only a joiners-and-leavers file has.
        headers = {column.header for column in columns}
        columns += [
            column
            for column in OfstedJoinersLeaversSpec.columns
            if column.importable and column.header not in headers
        ]
        return ImportFlow(
            key="ofsted",
            title="Import an Ofsted file",
            run=spec_runner(OfstedSpec),
            upload_url=self._url("ofsted_import"),
            confirm_url=self._url("ofsted_confirm"),
            columns=columns,
            intro=(
                "Upload the provider-level or the joiners-and-leavers sheet of Ofsted's "
                '"Children\'s social care data in England" for any year, as CSV, XLSX or ODS: '
                "the page says which kind it found. The header row is found wherever it is and "
                "columns are matched by the names Ofsted has used. REDACTED names and addresses "
                "never overwrite what the register knows. What Ofsted published that surprises "
                "the register's rules is imported as published and listed as a warning."
            ),
        )

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "ofsted-import/",
                self.admin_site.admin_view(self.ofsted_upload_view),
                name="%s_%s_ofsted_import" % info,
            ),
            path(
                "ofsted-import/confirm/",
                self.admin_site.admin_view(self.ofsted_confirm_view),
                name="%s_%s_ofsted_confirm" % info,
            ),
        ] + super().get_urls()

    def ofsted_upload_view(self, request):
        return self.import_upload(request, self.ofsted_flow())

    def ofsted_confirm_view(self, request):
        return self.import_confirm(request, self.ofsted_flow())

    def has_ofsted_import_permission(self, request):
        return self.has_import_permission(request)

    @action(
        description="Import Ofsted file",
        url_path="ofsted-import-start",
        permissions=["ofsted_import"],
        icon="upload_file",
    )
    def import_ofsted_file(self, request):
        return HttpResponseRedirect(reverse("admin:registers_setting_ofsted_import"))
