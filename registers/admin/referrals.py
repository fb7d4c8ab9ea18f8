"""Brokerage referrals (seed 004): Part A with its days and times, the rounds
sent to providers, their responses side by side, the award and the agreement."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from unfold.admin import TabularInline
from unfold.decorators import display

from registers.admin.action_pages import ActionPagesMixin
from registers.admin.base import RegisterAdmin
from registers.admin.display import pounds, uk_date
from registers.admin.inlines import InlineMixin
from registers.admin.permissions import request_cache
from registers.admin.referral_pages import REFERRAL_PAGES
from registers.dates import is_working_day
from registers.models import (
    Lot,
    Referral,
    ReferralInvitation,
    ReferralSchedule,
    ReferralStatus,
)
from registers.permissions import authority_scope, owned_by
from registers.roles import VIEW_PLACEMENTS
from registers.selectors.referrals import (
    qa_visited_placements,
    referrals_awaiting_agreement,
    referrals_awaiting_responses,
    referrals_past_deadline_without_offer,
)
from registers.selectors.users import contract_manager_candidates, staff_scope
from registers.services.referral_awards import referral_agreement_pdf
from registers.services.referrals import (
    EDITABLE,
    PART_A,
    referral_schedule_check,
    referral_schedule_write,
    referral_worker_editable,
    referrals_check,
    referrals_write,
)

STATUS_COLOURS = {
    ReferralStatus.DRAFT.label: "default",
    ReferralStatus.APPROVED.label: "info",
    ReferralStatus.SENT.label: "warning",
    ReferralStatus.CLOSED.label: "warning",
    ReferralStatus.AWARDED.label: "info",
    ReferralStatus.AGREED.label: "success",
    ReferralStatus.WITHDRAWN.label: "default",
    ReferralStatus.NOT_PLACED.label: "danger",
}


class BrokerageListFilter(admin.SimpleListFilter):
    """The brokerage officer's lists, each one selector."""

    title = "brokerage list"
    parameter_name = "list"

    def lookups(self, request, model_admin):
        return [
            ("mine", "My referrals"),
            ("awaiting", "Awaiting responses"),
            ("no_offer", "Past deadline, no positive response"),
            ("agreement", "Awarded, awaiting signed agreements"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "mine":
            return queryset.filter(allocated_worker=request.user)
        if value == "awaiting":
            return referrals_awaiting_responses(queryset)
        if value == "no_offer":
            return referrals_past_deadline_without_offer(queryset, today=timezone.localdate())
        if value == "agreement":
            return referrals_awaiting_agreement(queryset)
        return queryset


class ScheduleInline(InlineMixin, TabularInline):
    model = ReferralSchedule
    service_check = referral_schedule_check
    service_write = referral_schedule_write
    fields = ["day", "times", "hours", "term_time_only"]
    extra = 0
    verbose_name_plural = "Days, times and hours"

    def _parent_change(self, request, obj) -> bool:
        # Fixed once sent, like the rest of Part A (the service refuses it too).
        editable = obj is None or obj.status in EDITABLE
        return editable and super()._parent_change(request, obj)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or super()._parent_change(request, obj)


def working_days_left(deadline, today) -> int:
    """Working days from today to the deadline (negative when past)."""
    if deadline is None:
        return 0
    step = 1 if deadline >= today else -1
    count, day = 0, today
    while day != deadline:
        day = day.fromordinal(day.toordinal() + step)
        if is_working_day(day):
            count += step
    return count


@admin.register(Referral)
class ReferralAdmin(ActionPagesMixin, RegisterAdmin):
    service_check = referrals_check
    service_write = referrals_write
    action_pages = REFERRAL_PAGES
    action_form_template = "registers/admin/referral_action_form.html"
    inlines = [ScheduleInline]
    list_display = [
        "referral",
        "status_label",
        "urgent",
        "deadline",
        "allocated_worker",
        "awarded_provider",
    ]
    list_select_related = ["allocated_worker", "awarded_provider"]
    list_filter = [BrokerageListFilter, "status", "urgent", "service_type"]
    search_fields = ["case_id", "child_initials", "area"]
    ordering = ["-created_at"]
    autocomplete_fields = ["requested_provider", "providers_to_avoid"]
    readonly_fields = [
        "status",
        "approved_by",
        "approved_on",
        "response_deadline",
        "awarded_provider",
        "award_reason",
        "contract_link",
        "ended_reason",
        "rounds_summary",
    ]
    fieldsets = [
        (
            "The child",
            {"fields": [("child_initials", "case_id"), "age_band", "allocated_worker"]},
        ),
        (
            "Support required",
            {
                "fields": [
                    ("service_type", "lot"),
                    "needs",
                    ("start_date", "end_date"),
                    ("area", "urgent"),
                    "travel_limits",
                    "additional_notes",
                    "providers_to_avoid",
                    ("requested_provider", "requested_provider_reason"),
                    ("play_scheme_year", "play_scheme_days"),
                ]
            },
        ),
        ("Manager's approval", {"fields": [("approved_by", "approved_on", "panel_date")]}),
        (
            "Brokerage",
            {
                "fields": [
                    ("status", "response_deadline"),
                    "rounds_summary",
                    ("awarded_provider", "contract_link"),
                    "award_reason",
                    "ended_reason",
                ]
            },
        ),
    ]

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/agreement.pdf",
                self.admin_site.admin_view(self.agreement_view),
                name="{}_{}_agreement".format(*info),
            )
        ] + super().get_urls()

    def agreement_view(self, request, object_id):
        referral = self.get_object_or_404(request, object_id)
        if referral.contract_id is None:
            raise PermissionDenied("This referral has no agreement yet.")
        pdf = referral_agreement_pdf(referral=referral, user=request.user)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="agreement-{referral.number}.pdf"'
        return response

    def get_queryset(self, request):
        # The list's columns and the record's page read these with the referral.
        return (
            super()
            .get_queryset(request)
            .select_related(
                "lot__framework", "allocated_worker", "approved_by", "awarded_provider", "contract"
            )
        )

    # --- QA officers: the awarded placements at the settings they visit ----------------

    def _placements_only(self, request) -> bool:
        user = request.user
        return (
            user.is_active
            and user.has_perm(VIEW_PLACEMENTS)
            and not user.has_perm("registers.view_referral")
            and not self.has_object_grants(request, ("view", "change"))
        )

    def visible(self, request, queryset):
        if self._placements_only(request):
            return qa_visited_placements(owned_by(request.user, queryset), user=request.user)
        return super().visible(request, queryset)

    def has_view_permission(self, request, obj=None):
        if super().has_view_permission(request, obj):
            return True
        if not self._placements_only(request):
            return False
        return obj is None or self.visible(request, Referral.objects.filter(pk=obj.pk)).exists()

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("allocated_worker", request.user.pk)
        for name in ("travel_limits", "additional_notes"):
            initial.setdefault(name, "None")
        return initial

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status not in EDITABLE:
            # What the providers were sent: fixed until the referral is revised.
            readonly += [*PART_A, "providers_to_avoid"]
        if obj is not None and not referral_worker_editable(user=request.user):
            readonly.append("allocated_worker")
        return readonly

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lot":
            # Shared framework lots, each named with its framework: one query.
            kwargs["queryset"] = Lot.objects.select_related("framework")
        if db_field.name == "allocated_worker":
            kwargs["queryset"] = request_cache(
                request,
                ("allocated_worker_choices",),
                lambda: contract_manager_candidates(
                    authority_ids=staff_scope(authority_scope(request.user).member_ids)
                ),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- columns and panels -----------------------------------------------------------

    @display(description="Referral", header=True, ordering="-created_at")
    def referral(self, obj):
        return obj.number, f"{obj.child_initials}, case {obj.case_id}"

    @display(description="Status", ordering="status", label=STATUS_COLOURS)
    def status_label(self, obj):
        return obj.get_status_display()

    @display(description="Response deadline", ordering="response_deadline")
    def deadline(self, obj):
        if obj.response_deadline is None:
            return "-"
        if obj.status != ReferralStatus.SENT:
            return uk_date(obj.response_deadline)
        left = working_days_left(obj.response_deadline, timezone.localdate())
        if left > 0:
            when = f"{left} working day{'s' if left != 1 else ''} left"
        elif obj.response_deadline == timezone.localdate():
            when = "today"
        else:
            when = "passed"
        return f"{uk_date(obj.response_deadline)} ({when})"

    @display(description="Contract")
    def contract_link(self, obj):
        if obj.contract_id is None:
            return "-"
        contract_url = reverse("admin:registers_contract_change", args=[obj.contract_id])
        pdf_url = reverse("admin:registers_referral_agreement", args=[obj.pk])
        return format_html(
            '<a class="underline" href="{}">{}</a> · '
            '<a class="underline" href="{}">Agreement for signature (PDF)</a>',
            contract_url,
            obj.contract.reference,
            pdf_url,
        )

    @display(description="Rounds")
    def rounds_summary(self, obj):
        if obj.pk is None:
            return "-"
        invitations = (
            ReferralInvitation.objects.filter(round__referral=obj)
            .select_related("round", "provider", "response")
            .order_by("round__number", "provider__name")
        )
        rows = format_html_join(
            "",
            "<li>Round {}, {}: {} (sent {}, deadline {}): {}</li>",
            (
                (
                    i.round.number,
                    i.round.get_kind_display(),
                    i.provider.name,
                    uk_date(i.round.sent_on),
                    uk_date(i.round.deadline),
                    _answer(i),
                )
                for i in invitations
            ),
        )
        return format_html("<ul>{}</ul>", rows) if rows else "Not sent yet."


def _answer(invitation) -> str:
    response = getattr(invitation, "response", None)
    if invitation.revoked_at:
        return "link revoked"
    if response is None:
        return "no response"
    rate = f", {pounds(response.hourly_rate)} an hour" if response.hourly_rate else ""
    return f"{response.get_answer_display()}{rate} ({response.get_channel_display().lower()})"
