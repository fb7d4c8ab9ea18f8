"""Action plans in spreadsheets: each row an action of a visit the importer may change."""

from registers.importing.cells import Choice, DateValue, Integer, Text
from registers.importing.engine import Column, ParsedRow, Spec
from registers.importing.plans import Plan
from registers.importing.specs.common import export_date
from registers.importing.specs.visits import changeable_by_id
from registers.models import ActionItem, ActionStatus, Visit


class ActionItemSpec(Spec):
    model = ActionItem
    label = "Action items"
    columns = [
        Column(
            "Action ID",
            "id",
            Integer(1, 10**12),
            export=lambda a: a.pk,
            help="blank for a new action",
        ),
        Column("Visit ID", "visit", Integer(1, 10**12), required=True, export=lambda a: a.visit_id),
        Column("Action", "description", Text(), required=True),
        Column("Owner at the provider", "owner", Text(200), required=True),
        Column(
            "Due date",
            "due_date",
            DateValue(),
            required=True,
            export=lambda a: export_date(a.due_date),
        ),
        Column(
            "Status",
            "status",
            Choice(ActionStatus.choices),
            export=lambda a: a.get_status_display(),
        ),
        Column(
            "Completed on",
            "completed_on",
            DateValue(),
            export=lambda a: export_date(a.completed_on),
        ),
    ]

    def row_key(self, row):
        return row.values.get("Action ID") or None

    def key_description(self, key) -> str:
        return f"action {key}"

    def resolve(self, rows, plan: Plan, user):
        # An action belongs to a visit the importer may change, never another's.
        visits = changeable_by_id(rows, plan, "Visit ID", Visit, user, "visit")
        for row in rows:
            if isinstance(row.values.get("Visit ID"), int) and not row.invalid:
                row.values["Visit ID"] = visits[row.values["Visit ID"]]

    def find_existing(self, rows: list[ParsedRow], plan: Plan, user) -> dict:
        found = changeable_by_id(rows, plan, "Action ID", ActionItem, user, "action item")
        return {
            row.number: found[row.values["Action ID"]]
            for row in rows
            if row.values.get("Action ID") in found
        }
