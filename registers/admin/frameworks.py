"""Frameworks, DPS and FPS, with their lots and admitted providers."""

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from unfold.decorators import display

from registers.admin.base import RegisterAdmin
from registers.admin.display import uk_date
from registers.admin.inlines import EditableTabularInline
from registers.models import Framework, Lot
from registers.services.frameworks import frameworks_check, frameworks_write, lot_save


class LotInline(EditableTabularInline):
    model = Lot
    service_check = frameworks_check
    service_write = frameworks_write
    fields = ["number", "name", "admitted"]
    readonly_fields = ["admitted"]
    show_change_link = True

    def get_queryset(self, request):
        # Each row's name reads its framework: no query per row.
        return (
            super()
            .get_queryset(request)
            .select_related("framework")
            .annotate(admitted_total=Count("providers"))
        )

    @display(description="Admitted providers")
    def admitted(self, obj):
        if not obj.pk:
            return ""
        url = reverse("admin:registers_lot_change", args=[obj.pk])
        total = getattr(obj, "admitted_total", None)
        if total is None:
            total = obj.providers.count()
        return format_html('<a href="{}">{} admitted</a>', url, total)


@admin.register(Framework)
class FrameworkAdmin(RegisterAdmin):
    service_check = frameworks_check
    service_write = frameworks_write
    list_display = ["framework", "kind", "starts", "ends", "lead_authority"]
    list_filter = ["kind"]
    search_fields = ["name", "reference", "lead_authority"]
    ordering = ["name"]
    inlines = [LotInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "reference",
                    "kind",
                    "description",
                    "lead_authority",
                    ("start_date", "end_date"),
                ]
            },
        ),
    ]

    @display(description="Framework", ordering="name", header=True)
    def framework(self, obj):
        return obj.name, obj.reference

    @display(description="Starts", ordering="start_date")
    def starts(self, obj):
        return uk_date(obj.start_date)

    @display(description="Ends", ordering="end_date")
    def ends(self, obj):
        return uk_date(obj.end_date)


@admin.register(Lot)
class LotAdmin(RegisterAdmin):
    service_check = frameworks_check
    service_write = frameworks_write
    list_display = ["__str__", "framework", "number", "admitted_count"]
    list_select_related = ["framework"]
    list_filter = ["framework"]
    search_fields = ["name", "framework__name", "framework__reference"]
    ordering = ["framework__name", "number"]
    autocomplete_fields = ["framework", "providers"]
    fieldsets = [(None, {"fields": ["framework", "number", "name", "description", "providers"]})]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(admitted=Count("providers"))

    @display(description="Admitted providers", ordering="admitted")
    def admitted_count(self, obj):
        return obj.admitted

    def save_model(self, request, obj, form, change):
        lot_save(
            lot=obj,
            user=request.user,
            reason=self.change_reason(request, form, change),
            providers=form.cleaned_data.get("providers"),
        )

    def save_related(self, request, form, formsets, change):
        # The admitted providers were saved with the lot, through the service.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
