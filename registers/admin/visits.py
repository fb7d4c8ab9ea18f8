"""The QA visit schedule: visits, with their action plans inline."""

from django.contrib import admin, messages
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from guardian.admin import ReinforcedGuardedModelAdminMixin
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.decorators import action, display

from registers.admin.action_pages import ActionPagesMixin
from registers.admin.base import RegisterAdmin
from registers.admin.display import FLAG_COLOURS, RAG_COLOURS, VISIT_STATUS_COLOURS, labels, uk_date
from registers.admin.forms import RegisterForm
from registers.admin.guardian import GuardianPagesMixin, MineFilter
from registers.admin.inlines import EditableTabularInline
from registers.admin.permissions import request_cache
from registers.admin.schedule import ScheduleViewsMixin
from registers.admin.spreadsheets import SpreadsheetAdminMixin
from registers.admin.visit_reports import (
    VISIT_REPORT_PAGES,
    ResponseOverdueFilter,
    VisitReportInline,
    VisitReportPreviewMixin,
)
from registers.importing.specs.visits import VisitSpec
from registers.models import ActionItem, Visit, VisitStatus
from registers.models.action_items import overdue_q as action_overdue_q
from registers.selectors.visit_reports import reports_issued_expression, with_response_overdue
from registers.selectors.visits import this_week_q
from registers.services.action_items import action_items_check, action_items_write
from registers.services.visits import (
    allowed_statuses,
    lead_officer_choices,
    visits_check,
    visits_issue_reports,
    visits_write,
)


def overdue_actions_count(*, today) -> Coalesce:
    overdue = (
        ActionItem.objects.filter(action_overdue_q(today=today), visit=OuterRef("pk"))
        .order_by()
        .values("visit")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(overdue, output_field=IntegerField()), Value(0))


class DueFilter(admin.SimpleListFilter):
    title = "due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue (planned date passed)"),
            ("week", "Planned for the rest of this week"),
            ("fortnight", "Due in 14 days"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.overdue(today=today)
        if self.value() == "week":
            return queryset.filter(this_week_q(today=today))
        if self.value() == "fortnight":
            return queryset.filter(
                status=VisitStatus.PLANNED,
                planned_date__gte=today,
                planned_date__lte=today + timezone.timedelta(days=14),
            )
        return queryset


class ActionItemInline(EditableTabularInline):
    model = ActionItem
    service_check = action_items_check
    service_write = action_items_write
    fields = ["description", "owner", "due_date", "status", "completed_on", "overdue"]
    readonly_fields = ["overdue"]
    verbose_name_plural = "Action plan"

    def get_queryset(self, request):
        return super().get_queryset(request).with_overdue(today=timezone.localdate())

    @display(description="Overdue")
    def overdue(self, obj):
        return labels("Overdue") if getattr(obj, "is_overdue", False) else ""


class VisitForm(RegisterForm):
    """Status offers only the moves the lifecycle allows from the stored status."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields:
            allowed = allowed_statuses(self.instance.status if self.instance.pk else None)
            self.fields["status"].choices = [
                choice for choice in VisitStatus.choices if choice[0] in allowed
            ]


@admin.register(Visit)
class VisitAdmin(
    GuardianPagesMixin,
    ReinforcedGuardedModelAdminMixin,
    ScheduleViewsMixin,
    SpreadsheetAdminMixin,
    VisitReportPreviewMixin,
    ActionPagesMixin,
    RegisterAdmin,
):
    service_check = visits_check
    service_write = visits_write
    spec_class = VisitSpec
    form = VisitForm
    action_pages = VISIT_REPORT_PAGES
    actions_detail = ("report_preview",)
    list_display = [
        "visit",
        "planned",
        "reason",
        "kind",
        "lead_officer",
        "status_label",
        "rag_label",
        "flags",
    ]
    list_select_related = ["setting", "provider", "lead_officer"]
    list_filter = [
        MineFilter,
        DueFilter,
        ResponseOverdueFilter,
        "status",
        "reason",
        "kind",
        "rag",
        ("lead_officer", admin.RelatedOnlyFieldListFilter),
        ("planned_date", RangeDateFilter),
    ]
    search_fields = ["setting__urn", "setting__name", "provider__name", "findings"]
    ordering = ["planned_date", "id"]
    autocomplete_fields = ["setting", "provider"]
    inlines = [ActionItemInline, VisitReportInline]
    readonly_fields = ["triggered_by_inspection"]
    fieldsets = [
        (
            "Visit",
            {
                "classes": ["tab"],
                "fields": [
                    "setting",
                    "provider",
                    ("planned_date", "kind"),
                    "reason",
                    "lead_officer",
                    "triggered_by_inspection",
                ],
            },
        ),
        (
            "Outcome",
            {
                "classes": ["tab"],
                "fields": [
                    "status",
                    ("actual_date", "rag"),
                    "findings",
                    "recommendations",
                    "report_issued_on",
                    "cancellation_reason",
                ],
            },
        ),
    ]
    actions = ["issue_reports"]

    def get_queryset(self, request):
        today = timezone.localdate()
        queryset = (
            super()
            .get_queryset(request)
            .with_overdue(today=today)
            .annotate(overdue_actions=overdue_actions_count(today=today))
        )
        # The page's title and the report buttons read these: in the same query.
        queryset = queryset.select_related("setting", "provider", "lead_officer").annotate(
            reports_issued=reports_issued_expression()
        )
        return with_response_overdue(queryset, today=today)

    def get_inlines(self, request, obj):
        # A visit not yet recorded has no reports: the add page does without them.
        inlines = super().get_inlines(request, obj)
        return inlines if obj is not None else [i for i in inlines if i is not VisitReportInline]

    def get_changeform_initial_data(self, request):
        return {"lead_officer": request.user.pk, **super().get_changeform_initial_data(request)}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lead_officer":
            match = request.resolver_match
            visit_id = match.kwargs.get("object_id") if match else None
            # Django builds the form twice per page (fieldsets, then the form): ask once.
            kwargs["queryset"] = request_cache(
                request,
                ("lead_officer_choices", visit_id),
                lambda: lead_officer_choices(user=request.user, visit_id=visit_id),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @display(description="Visit", ordering="setting__urn", header=True)
    def visit(self, obj):
        if obj.setting_id:
            return obj.setting.display_name, obj.setting.urn
        return str(obj.provider), "Provider's office"

    @display(description="Planned", ordering="planned_date")
    def planned(self, obj):
        return uk_date(obj.planned_date)

    @display(description="Status", ordering="status", label=VISIT_STATUS_COLOURS)
    def status_label(self, obj):
        return obj.get_status_display()

    @display(description="RAG", ordering="rag", label=RAG_COLOURS)
    def rag_label(self, obj):
        return obj.get_rag_display()

    @display(description="Flags", label=FLAG_COLOURS)
    def flags(self, obj):
        flags = []
        if obj.is_overdue:
            flags.append("Overdue")
        if obj.overdue_actions:
            flags.append(
                f"{obj.overdue_actions} overdue action{'s' if obj.overdue_actions > 1 else ''}"
            )
        if getattr(obj, "response_overdue", False):
            flags.append("Response overdue")
        return labels(*flags)

    @action(
        description="Mark the reports of the selected completed visits as issued",
        permissions=["change"],
    )
    def issue_reports(self, request, queryset):
        visits = self.objects_for_action(request, queryset, "change")
        issued = visits_issue_reports(visits=visits, user=request.user)
        messages.success(request, f"{issued} report(s) marked as issued.")
