"""The QA visit schedule: visits, their action plans, and the officers' views."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from guardian.admin import ReinforcedGuardedModelAdminMixin
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.decorators import action, display

from registers.admin.base import (
    EditableTabularInline,
    PermissionCache,
    RegisterAdmin,
    RegisterForm,
)
from registers.admin.display import FLAG_COLOURS, RAG_COLOURS, VISIT_STATUS_COLOURS, labels, uk_date
from registers.admin.guardian import GuardianPagesMixin, MineFilter
from registers.admin.schedule import ScheduleViewsMixin
from registers.admin.spreadsheets import SpreadsheetAdminMixin
from registers.importing.specs import ActionItemSpec, VisitSpec
from registers.models import ActionItem, ActionStatus, Visit, VisitStatus
from registers.permissions import has_perm, permitted
from registers.roles import MANAGER, QA_OFFICER
from registers.services.visits import (
    allowed_statuses,
    check_lead_officer,
    issue_report,
    save_visit,
    validate_visit,
)


def overdue_actions_count() -> Coalesce:
    today = timezone.localdate()
    overdue = (
        ActionItem.objects.filter(visit=OuterRef("pk"), due_date__lt=today)
        .exclude(status=ActionStatus.DONE)
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
        return [("overdue", "Overdue (planned date passed)"), ("fortnight", "Due in 14 days")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        planned = queryset.filter(status=VisitStatus.PLANNED)
        if self.value() == "overdue":
            return planned.filter(planned_date__lt=today)
        if self.value() == "fortnight":
            return planned.filter(
                planned_date__gte=today, planned_date__lte=today + timezone.timedelta(days=14)
            )
        return queryset


class ActionItemInline(EditableTabularInline):
    model = ActionItem
    fields = ["description", "owner", "due_date", "status", "completed_on", "overdue"]
    readonly_fields = ["overdue"]
    verbose_name_plural = "Action plan"

    @display(description="Overdue")
    def overdue(self, obj):
        if obj.pk and obj.status != ActionStatus.DONE and obj.due_date < timezone.localdate():
            return labels("Overdue")
        return ""


class VisitForm(RegisterForm):
    """Status moves only along the lifecycle; the service says what each needs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.previous_status = self.instance.status if self.instance.pk else None
        self.previous_lead = self.instance.lead_officer if self.instance.pk else None
        if "status" in self.fields:
            allowed = allowed_statuses(self.previous_status)
            self.fields["status"].choices = [
                choice for choice in VisitStatus.choices if choice[0] in allowed
            ]

    def clean(self):
        cleaned = super().clean()
        candidate = Visit(
            **{
                name: cleaned.get(name, getattr(self.instance, name))
                for name in (
                    "status",
                    "actual_date",
                    "rag",
                    "findings",
                    "report_issued_on",
                    "cancellation_reason",
                )
            }
        )
        try:
            validate_visit(visit=candidate, previous_status=self.previous_status)
        except ValidationError as exc:
            for field_name, errors in exc.message_dict.items():
                target = field_name if field_name in self.fields else None
                for error in errors:
                    self.add_error(target, error)
        no_place = not cleaned.get("setting") and not cleaned.get("provider")
        if no_place and "setting" in self.fields:
            self.add_error("setting", "Choose the setting visited, or the provider's office.")
        return cleaned


@admin.register(Visit)
class VisitAdmin(
    GuardianPagesMixin,
    ReinforcedGuardedModelAdminMixin,
    ScheduleViewsMixin,
    SpreadsheetAdminMixin,
    RegisterAdmin,
):
    spec_class = VisitSpec
    form = VisitForm
    mine_field = "lead_officer"
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
        "status",
        "reason",
        "kind",
        "rag",
        ("lead_officer", admin.RelatedOnlyFieldListFilter),
        ("planned_date", RangeDateFilter),
    ]
    search_fields = ["setting__urn", "setting__name", "provider__name", "findings"]
    ordering = ["planned_date"]
    autocomplete_fields = ["setting", "provider"]
    inlines = [ActionItemInline]
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
        return super().get_queryset(request).annotate(overdue_actions=overdue_actions_count())

    def get_changeform_initial_data(self, request):
        return {"lead_officer": request.user.pk, **super().get_changeform_initial_data(request)}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lead_officer":
            officers = get_user_model().objects.filter(
                is_active=True, groups__name__in=[QA_OFFICER, MANAGER]
            )
            if not has_perm(request.user, "registers.assign_visit"):
                # Only managers assign visits; others plan their own.
                officers = officers.filter(pk=request.user.pk)
            object_id = (
                request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            )
            current = Visit.objects.filter(pk=object_id).values("lead_officer") if object_id else []
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(Q(pk__in=officers) | Q(pk__in=current))
                .distinct()
                .order_by("first_name", "last_name")
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

    @display(description="Flags")
    def flags(self, obj):
        flags = []
        if obj.status == VisitStatus.PLANNED and obj.planned_date < timezone.localdate():
            flags.append("Overdue")
        if obj.overdue_actions:
            flags.append(
                f"{obj.overdue_actions} overdue action{'s' if obj.overdue_actions > 1 else ''}"
            )
        return labels(*flags)

    def save_model(self, request, obj, form, change):
        check_lead_officer(
            user=request.user, lead_officer=obj.lead_officer, previous_lead=form.previous_lead
        )
        super().save_model(request, obj, form, change)

    def save_object(self, request, obj, form, change):
        save_visit(
            visit=obj,
            user=request.user,
            previous_lead=form.previous_lead,
            reason=obj._change_reason,
        )

    @action(description="Mark the reports of the selected completed visits as issued")
    def issue_reports(self, request, queryset):
        visits = self.objects_for_action(request, queryset, "change")
        issued = 0
        for visit in visits:
            if visit.status != VisitStatus.COMPLETED:
                continue
            issue_report(visit=visit, user=request.user)
            issued += 1
        messages.success(request, f"{issued} report(s) marked as issued.")


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(due_date__lt=timezone.localdate()).exclude(
                status=ActionStatus.DONE
            )
        return queryset


class MyVisitsActionFilter(admin.SimpleListFilter):
    title = "responsible"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("yes", "Actions of my visits")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(visit__lead_officer=request.user)
        return queryset


@admin.register(ActionItem)
class ActionItemAdmin(SpreadsheetAdminMixin, RegisterAdmin):
    spec_class = ActionItemSpec
    parent_field = "visit"
    changeable_fk_fields = ("visit",)
    list_display = ["description", "visit", "owner", "due", "status", "overdue"]
    list_editable = ["status"]
    list_select_related = ["visit__setting", "visit__provider"]
    list_filter = [
        OverdueFilter,
        MyVisitsActionFilter,
        "status",
        ("due_date", RangeDateFilter),
    ]
    search_fields = ["description", "owner", "visit__setting__urn", "visit__setting__name"]
    ordering = ["due_date"]
    autocomplete_fields = ["visit"]
    fieldsets = [
        (
            None,
            {"fields": ["visit", "description", "owner", ("due_date", "status"), "completed_on"]},
        ),
    ]
    actions = ["mark_done"]

    @display(description="Due", ordering="due_date")
    def due(self, obj):
        return uk_date(obj.due_date)

    @display(description="Overdue", label=FLAG_COLOURS)
    def overdue(self, obj):
        if obj.status != ActionStatus.DONE and obj.due_date < timezone.localdate():
            return "Overdue"
        return ""

    @action(description="Mark the selected actions done")
    def mark_done(self, request, queryset):
        from registers.services.history import save_with_history

        items = self.objects_for_action(request, queryset, "change")
        today = timezone.localdate()
        for item in items:
            if item.status != ActionStatus.DONE:
                item.status = ActionStatus.DONE
                item.completed_on = item.completed_on or today
                save_with_history(item, user=request.user, reason="Marked done")
        messages.success(request, f"{len(items)} action(s) marked done.")

    def has_add_permission(self, request):
        # Whoever may change a visit may add to its action plan.
        if super().has_add_permission(request):
            return True
        return PermissionCache.get(
            request,
            "visits-changeable",
            lambda: permitted(request.user, ("change",), Visit.objects.all()).exists(),
        )
