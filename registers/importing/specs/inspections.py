"""Ofsted inspections in the portal's own spreadsheet layout."""

from registers.importing.cells import Choice, DateValue, Text
from registers.importing.engine import Column, ParsedRow, Spec
from registers.importing.plans import Plan
from registers.importing.specs.common import (
    dd_mm_yyyy,
    export_date,
    judgement_parser,
    label_of,
    resolve_column,
    setting_lookup,
    urn_parser,
)
from registers.models import Inspection, InspectionType
from registers.selectors.inspections import inspection_index

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
        Column("URN", "setting", urn_parser(), key=True, export=lambda i: i.setting.urn),
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
            export=lambda i: export_date(i.inspection_date),
        ),
        Column(
            "Publication date",
            "publication_date",
            DateValue(),
            export=lambda i: export_date(i.publication_date),
        ),
        _judgement_column("Overall judgement", "overall"),
        *[_judgement_column(header, field) for header, field in SUB_JUDGEMENTS],
    ]

    def row_key(self, row):
        urn = row.values.get("URN")
        if row.values.get("Event number"):
            return (urn, row.values["Event number"])
        return (urn, row.values.get("Inspection date"), row.values.get("Type"))

    def key_description(self, key) -> str:
        if len(key) == 2:
            return f"the inspection of URN {key[0]} with event number {key[1]}"
        return f"the inspection of URN {key[0]} on {dd_mm_yyyy(key[1])}"

    def resolve(self, rows, plan: Plan, user):
        resolve_column(
            rows,
            plan,
            "URN",
            setting_lookup(user),
            "is not a setting on the register: import the setting first",
        )

    def find_existing(self, rows: list[ParsedRow], plan: Plan, user) -> dict:
        index = inspection_index(row.values["URN"].pk for row in rows)
        existing = {}
        for row in rows:
            found = index.match(
                setting_id=row.values["URN"].pk,
                event_number=row.values.get("Event number") or "",
                inspection_date=row.values.get("Inspection date"),
                kind=row.values.get("Type") or InspectionType.FULL,
            )
            if found is not None:
                existing[row.number] = found
        return existing
