"""Ofsted inspections in the portal's own spreadsheet layout."""

from django.db.models import Q

from registers.importing.cells import Choice, DateValue, Text
from registers.importing.engine import Column, Spec
from registers.importing.specs.common import (
    dd_mm_yyyy,
    judgement_parser,
    label_of,
    resolve_column,
    setting_lookup,
    urn_parser,
)
from registers.models import Inspection, InspectionType

SUB_JUDGEMENTS = [
    ("Outcomes for children and young people", "outcomes_children"),
    ("Quality of care", "quality_of_care"),
    ("Outcomes in education and related learning", "outcomes_education"),
    ("Health services", "health_services"),
    ("How well children and young people are helped and protected", "help_and_protection"),
    ("Effectiveness of leaders and managers", "leadership_management"),
]


def _judgement_column(header: str, field: str) -> Column:
    return Column(header, field, judgement_parser(), export=lambda i: label_of(i, field))


class InspectionSpec(Spec):
    model = Inspection
    label = "Inspections"
    columns = [
        Column("URN", "setting", urn_parser(), required=True, export=lambda i: i.setting.urn),
        Column("Event number", "event_number", Text(20)),
        Column(
            "Type",
            "inspection_type",
            Choice(InspectionType.choices),
            required=True,
            export=lambda i: i.get_inspection_type_display(),
        ),
        Column(
            "Inspection date",
            "inspection_date",
            DateValue(),
            required=True,
            export=lambda i: dd_mm_yyyy(i.inspection_date),
        ),
        Column(
            "Publication date",
            "publication_date",
            DateValue(),
            export=lambda i: dd_mm_yyyy(i.publication_date),
        ),
        _judgement_column("Overall judgement", "overall"),
        *[_judgement_column(header, field) for header, field in SUB_JUDGEMENTS],
    ]

    def row_key(self, row):
        urn = row.values.get("URN")
        urn = getattr(urn, "urn", urn)
        if row.values.get("Event number"):
            return (urn, row.values["Event number"])
        return (urn, row.values.get("Inspection date"), row.values.get("Type"))

    def key_description(self, key) -> str:
        if len(key) == 2:
            return f"the inspection of URN {key[0]} with event number {key[1]}"
        return f"the inspection of URN {key[0]} on {dd_mm_yyyy(key[1])}"

    def resolve(self, rows, result, user):
        resolve_column(
            rows,
            result,
            "URN",
            setting_lookup,
            lambda urn: "is not a setting on the register: import the setting first",
        )

    def find_existing(self, rows, result, user):
        settings = {row.values["URN"].pk for row in rows}
        existing = Inspection.objects.filter(setting_id__in=settings).select_related("setting")
        by_event = {(i.setting_id, i.event_number): i for i in existing if i.event_number}
        by_date = {
            (i.setting_id, i.inspection_date, i.inspection_type): i
            for i in existing.filter(Q(event_number="") | Q(event_number__isnull=True))
        }
        for row in rows:
            setting = row.values["URN"]
            event = row.values.get("Event number")
            if event:
                row.obj = by_event.get((setting.pk, event))
            else:
                key = (setting.pk, row.values.get("Inspection date"), row.values.get("Type"))
                row.obj = by_date.get(key)

    def after_write(self, *, created, updated, user, result):
        from registers.services.ofsted import respond_to_settings

        result.process = respond_to_settings(
            setting_ids={i.setting_id for i in [*created, *updated]}, user=user
        )
