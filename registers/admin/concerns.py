"""Provider concerns and their escalation through four stages."""

from django import forms
from django.contrib import admin, messages
from django.db.models import F
from django.utils import timezone
from django.utils.html import format_html
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.decorators import action, display

from registers.admin.action_pages import ActionPage, ActionPagesMixin
from registers.admin.base import RegisterAdmin
from registers.admin.display import FLAG_COLOURS, uk_date
from registers.admin.forms import ActionForm
from registers.admin.inlines import SummaryTabularInline
from registers.admin.permissions import request_cache
from registers.models import Concern, ConcernEscalation, ConcernStage
from registers.permissions import authority_scope
from registers.roles import COMMISSIONING_OFFICER, MANAGER, QA_OFFICER
from registers.selectors.concerns import concerns_past_stage_limit
from registers.selectors.users import active_users_in
from registers.services.concerns import (
    concern_action_allowed,
    concern_close,
    concern_escalate,
    concerns_check,
    concerns_escalate,
    concerns_write,
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
        if self.value() == "yes":
            return queryset.open()
        if self.value() == "overdue":
            return concerns_past_stage_limit(today=timezone.localdate(), queryset=queryset)
        if self.value() == "no":
            return queryset.filter(closed_on__isnull=False)
        return queryset


class EscalateForm(ActionForm):
    note = forms.CharField(
        label="Why it is escalated", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    informed_on = forms.DateField(
        label="People informed on",
        required=False,
        help_text="DD/MM/YYYY. Empty: today, the day the stage starts.",
    )
    informed_iro = forms.BooleanField(label="Independent Reviewing Officer (IRO)", required=False)
    informed_provider = forms.BooleanField(label="The provider", required=False)
    informed_head_of_service = forms.BooleanField(label="Head of Service", required=False)
    informed_safeguarding_partnership = forms.BooleanField(
        label="Safeguarding Partnership",
        required=False,
        help_text="Required to escalate to stage 4.",
    )
    informed_others = forms.CharField(
        label="Others informed", max_length=300, required=False, help_text="Names or roles."
    )


class CloseForm(ActionForm):
    outcome = forms.CharField(label="Outcome", widget=forms.Textarea(attrs={"rows": 3}))


def _escalate(concern, data, user) -> str:
    concern_escalate(concern=concern, user=user, **data)
    if concern.stage == ConcernStage.FORMAL_LETTER:
        return (
            f"Escalated to stage {concern.get_stage_display()}. The escalation letter is "
            "under 'Stages' on this page."
        )
    return f"Escalated to stage {concern.get_stage_display()}."


def _close(concern, data, user) -> str:
    concern_close(concern=concern, user=user, outcome=data["outcome"])
    return "The concern is closed."


def _allowed(concern, user) -> bool:
    return concern_action_allowed(concern=concern, user=user)


class EscalationInline(SummaryTabularInline):
    """Each stage the concern has reached: when, by whom, who was told, its letter."""

    model = ConcernEscalation
    fields = ["stage", "started_on", "escalated_by", "informed", "notes", "letter_link"]
    ordering = ["stage"]
    show_change_link = False
    verbose_name = "stage"
    verbose_name_plural = "Stages"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("escalated_by", "concern")

    @display(description="Who was told")
    def informed(self, obj):
        told = ", ".join(obj.informed_list) or "No one recorded"
        return f"{told} ({uk_date(obj.informed_on)})" if obj.informed_on else told

    @display(description="Letter")
    def letter_link(self, obj):
        if not obj.letter:
            return "-"
        return format_html('<a href="{}">Download the escalation letter (PDF)</a>', obj.letter.url)


@admin.register(Concern)
class ConcernAdmin(ActionPagesMixin, RegisterAdmin):
    service_check = concerns_check
    service_write = concerns_write
    action_pages = (
        ActionPage(
            name="escalate",
            label="Escalate",
            icon="trending_up",
            form=EscalateForm,
            title="Escalate the concern",
            run=_escalate,
            allowed=_allowed,
            submit_label="Escalate",
            intro="No stage may last longer than the stage limit: escalating starts the next "
            "stage today. Record who was told. Stage 3 writes the escalation letter in the "
            "council's wording; stage 4 needs the Safeguarding Partnership informed.",
        ),
        ActionPage(
            name="close",
            label="Close",
            icon="done_all",
            form=CloseForm,
            title="Close the concern",
            run=_close,
            allowed=_allowed,
            submit_label="Close the concern",
        ),
    )
    list_display = ["concern", "category", "stage_label", "stage_due", "flags", "raised", "closed"]
    list_select_related = ["provider", "setting"]
    list_filter = [OpenFilter, "category", "stage", ("raised_on", RangeDateFilter)]
    search_fields = ["description", "provider__name", "setting__urn", "setting__name"]
    ordering = [F("closed_on").desc(nulls_first=True), "stage_started_on"]
    autocomplete_fields = ["provider", "setting"]
    inlines = [EscalationInline]
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
            {
                "fields": [
                    ("stage", "stage_started_on", "stage_due"),
                    "owner",
                    "outcome",
                    "closed_on",
                ]
            },
        ),
    ]
    actions = ["escalate_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_overdue(today=timezone.localdate())

    def get_inlines(self, request, obj):
        # A new concern has no stages yet (and its form posts none).
        return self.inlines if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            # Staff of the user's own councils who see a concern through.
            scope = authority_scope(request.user)
            kwargs["queryset"] = request_cache(
                request,
                ("concern-owner-choices",),
                lambda: active_users_in(
                    MANAGER,
                    QA_OFFICER,
                    COMMISSIONING_OFFICER,
                    authority_ids=scope.member_ids if scope.multi else None,
                ),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

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
        return "Overdue" if getattr(obj, "is_overdue", False) else ""

    @display(description="Raised", ordering="raised_on")
    def raised(self, obj):
        return uk_date(obj.raised_on)

    @display(description="Closed", ordering="closed_on")
    def closed(self, obj):
        return uk_date(obj.closed_on)

    @action(
        description="Escalate the selected concerns to their next stage", permissions=["change"]
    )
    def escalate_selected(self, request, queryset):
        concerns = self.objects_for_action(request, queryset, "change")
        done, refused = concerns_escalate(concerns=concerns, user=request.user)
        for message in refused:
            messages.warning(request, message)
        messages.success(request, f"{done} concern(s) escalated.")
