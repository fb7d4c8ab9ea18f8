"""Provider concerns and their escalation through four stages."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.decorators import action, display

from registers.admin.base import ActionForm, ActionFormView, RegisterAdmin
from registers.admin.display import FLAG_COLOURS, uk_date
from registers.models import Concern, ConcernStage
from registers.services.concerns import (
    close_concern,
    escalate_concern,
    is_overdue,
    start_concern,
)

STAGE_COLOURS = {
    ConcernStage.PRACTITIONER.label: "info",
    ConcernStage.MANAGER.label: "warning",
    ConcernStage.FORMAL_LETTER.label: "danger",
    ConcernStage.SAFEGUARDING_PARTNERSHIP.label: "danger",
}


class OpenFilter(admin.SimpleListFilter):
    title = "open or closed"
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", "Open"), ("overdue", "Open, stage overdue"), ("no", "Closed")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.filter(closed_on__isnull=True)
        if self.value() == "overdue":
            return queryset.filter(
                closed_on__isnull=True,
                stage_started_on__lt=today - timezone.timedelta(days=10),
            )
        if self.value() == "no":
            return queryset.filter(closed_on__isnull=False)
        return queryset


class EscalateForm(ActionForm):
    note = forms.CharField(
        label="Why it is escalated", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class CloseForm(ActionForm):
    outcome = forms.CharField(label="Outcome", widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(Concern)
class ConcernAdmin(ActionFormView, RegisterAdmin):
    list_display = ["concern", "category", "stage_label", "stage_due", "flags", "raised", "closed"]
    list_select_related = ["provider", "setting"]
    list_filter = [OpenFilter, "category", "stage", ("raised_on", RangeDateFilter)]
    search_fields = ["description", "provider__name", "setting__urn", "setting__name"]
    ordering = [F("closed_on").desc(nulls_first=True), "stage_started_on"]
    autocomplete_fields = ["provider", "setting"]
    readonly_fields = ["stage", "stage_started_on", "stage_due", "closed_on", "raised_by"]
    fieldsets = [
        (
            "Concern",
            {
                "fields": [
                    "provider",
                    "setting",
                    ("raised_on", "raised_by"),
                    "category",
                    "description",
                ]
            },
        ),
        (
            "Escalation",
            {"fields": [("stage", "stage_started_on", "stage_due"), "outcome", "closed_on"]},
        ),
    ]
    actions = ["escalate_selected"]
    actions_detail = ["escalate", "close"]

    @display(description="Concern", header=True)
    def concern(self, obj):
        subject = obj.setting.display_name if obj.setting_id else str(obj.provider)
        return subject, obj.description[:80]

    @display(description="Stage", ordering="stage", label=STAGE_COLOURS)
    def stage_label(self, obj):
        return obj.get_stage_display()

    @display(description="Stage due")
    def stage_due(self, obj):
        return uk_date(obj.stage_due_on)

    @display(description="Flags", label=FLAG_COLOURS)
    def flags(self, obj):
        return "Overdue" if is_overdue(concern=obj) else ""

    @display(description="Raised", ordering="raised_on")
    def raised(self, obj):
        return uk_date(obj.raised_on)

    @display(description="Closed", ordering="closed_on")
    def closed(self, obj):
        return uk_date(obj.closed_on)

    def save_object(self, request, obj, form, change):
        if change:
            obj.save()
        else:
            start_concern(concern=obj, user=request.user)

    @action(description="Escalate the selected concerns to their next stage")
    def escalate_selected(self, request, queryset):
        concerns = self.objects_for_action(request, queryset, "change")
        done = 0
        for concern in concerns:
            try:
                escalate_concern(concern=concern, user=request.user)
                done += 1
            except ValidationError as exc:
                messages.warning(request, " ".join(exc.messages))
        messages.success(request, f"{done} concern(s) escalated.")

    def has_change_object_permission(self, request, object_id=None):
        obj = self.get_object(request, object_id) if object_id else None
        return (
            obj is not None and obj.closed_on is None and self.has_change_permission(request, obj)
        )

    @action(
        description="Escalate",
        url_path="escalate",
        permissions=["change_object"],
        icon="trending_up",
    )
    def escalate(self, request, object_id):
        def perform(concern, data):
            escalate_concern(concern=concern, user=request.user, note=data["note"])
            return f"Escalated to stage {concern.get_stage_display()}."

        return self.run_action_form(
            request,
            object_id,
            form_class=EscalateForm,
            title="Escalate the concern",
            allowed=lambda obj: self.has_change_permission(request, obj),
            perform=perform,
            submit_label="Escalate",
            intro="Each stage must not exceed 10 days: escalation starts the next stage today.",
        )

    @action(description="Close", url_path="close", permissions=["change_object"], icon="done_all")
    def close(self, request, object_id):
        def perform(concern, data):
            close_concern(concern=concern, user=request.user, outcome=data["outcome"])
            return "The concern is closed."

        return self.run_action_form(
            request,
            object_id,
            form_class=CloseForm,
            title="Close the concern",
            allowed=lambda obj: self.has_change_permission(request, obj),
            perform=perform,
            submit_label="Close the concern",
        )
