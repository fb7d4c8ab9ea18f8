"""The Ofsted rating tracker: inspections, by hand or imported."""

from django.contrib import admin
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.decorators import display

from registers.admin.base import RegisterAdmin
from registers.admin.display import JUDGEMENT_COLOURS, uk_date
from registers.admin.spreadsheets import SpreadsheetAdminMixin
from registers.importing.specs.inspections import InspectionSpec
from registers.models import Inspection
from registers.services.inspections import (
    inspection_delete,
    inspections_check,
    inspections_write,
)


@admin.register(Inspection)
class InspectionAdmin(SpreadsheetAdminMixin, RegisterAdmin):
    service_check = inspections_check
    service_write = inspections_write
    spec_class = InspectionSpec
    list_display = [
        "inspection",
        "setting",
        "inspection_type",
        "judgement",
        "publication_date",
        "event_number",
    ]
    list_select_related = ["setting"]
    list_filter = [
        "inspection_type",
        "overall",
        ("inspection_date", RangeDateFilter),
        ("publication_date", RangeDateFilter),
    ]
    search_fields = ["setting__urn", "setting__name", "event_number"]
    ordering = ["-inspection_date", "-id"]
    autocomplete_fields = ["setting"]
    date_hierarchy = "inspection_date"
    fieldsets = [
        (
            "Inspection",
            {
                "fields": [
                    "setting",
                    ("inspection_type", "event_number"),
                    ("inspection_date", "publication_date"),
                    "overall",
                ]
            },
        ),
        (
            "Sub-judgements",
            {
                "fields": [
                    "outcomes_children",
                    "quality_of_care",
                    "outcomes_education",
                    "health_services",
                    "help_and_protection",
                    "leadership_management",
                ]
            },
        ),
    ]

    @display(description="Inspected", ordering="inspection_date", header=True)
    def inspection(self, obj):
        return uk_date(obj.inspection_date), obj.get_inspection_type_display()

    @display(description="Judgement", ordering="overall", label=JUDGEMENT_COLOURS)
    def judgement(self, obj):
        return obj.get_overall_display()

    def delete_model(self, request, obj):
        inspection_delete(inspection=obj, user=request.user)
