"""Action plans: every visit's actions, in one list the lead officers work through."""

from django.contrib import admin, messages
from django.utils import timezone
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.decorators import action, display

from registers.admin.base import RegisterAdmin
from registers.admin.display import FLAG_COLOURS, uk_date
from registers.admin.permissions import request_cache, request_grants
from registers.admin.spreadsheets import SpreadsheetAdminMixin
from registers.importing.specs.action_items import ActionItemSpec
from registers.models import ActionItem, Provider
from registers.selectors.users import mine_q
from registers.selectors.visits import actions_for_provider
from registers.services.action_items import (
    action_items_addable,
    action_items_check,
    action_items_mark_done,
    action_items_write,
)


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue(today=timezone.localdate())
        return queryset


class MyVisitsActionFilter(admin.SimpleListFilter):
    title = "responsible"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("yes", "Actions of my visits")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(mine_q(ActionItem, request.user))
        return queryset


class ProviderFilter(admin.SimpleListFilter):
    """The actions about one provider (its settings' visits or its office's), as
    the home page links to them; offered only once chosen there."""

    title = "provider"
    parameter_name = "provider"

    def lookups(self, request, model_admin):
        value = self.value()
        if not value or not value.isdigit():
            return []
        name = Provider.objects.filter(pk=value).values_list("name", flat=True).first()
        return [(value, name or "Unknown provider")]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return actions_for_provider(queryset, int(self.value()))
        return queryset


@admin.register(ActionItem)
class ActionItemAdmin(SpreadsheetAdminMixin, RegisterAdmin):
    service_check = action_items_check
    service_write = action_items_write
    spec_class = ActionItemSpec
    changeable_fk_fields = ("visit",)
    list_display = ["description", "visit", "owner", "due", "status", "overdue"]
    list_editable = ["status"]
    list_select_related = ["visit__setting", "visit__provider"]
    list_filter = [
        OverdueFilter,
        MyVisitsActionFilter,
        ProviderFilter,
        "status",
        ("due_date", RangeDateFilter),
    ]
    search_fields = ["description", "owner", "visit__setting__urn", "visit__setting__name"]
    ordering = ["due_date", "id"]
    autocomplete_fields = ["visit"]
    fieldsets = [
        (
            None,
            {"fields": ["visit", "description", "owner", ("due_date", "status"), "completed_on"]},
        ),
    ]
    actions = ["mark_done"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_overdue(today=timezone.localdate())

    @display(description="Due", ordering="due_date")
    def due(self, obj):
        return uk_date(obj.due_date)

    @display(description="Overdue", label=FLAG_COLOURS)
    def overdue(self, obj):
        return "Overdue" if getattr(obj, "is_overdue", False) else ""

    @action(description="Mark the selected actions done", permissions=["change"])
    def mark_done(self, request, queryset):
        items = self.objects_for_action(request, queryset, "change")
        done = action_items_mark_done(items=items, user=request.user)
        messages.success(request, f"{done} action(s) marked done.")

    def has_add_permission(self, request):
        return request_cache(
            request,
            "action-items-addable",
            lambda: action_items_addable(user=request.user, grants=lambda: request_grants(request)),
        )
