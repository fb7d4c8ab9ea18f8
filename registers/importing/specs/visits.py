"""QA visits in spreadsheets."""

from registers.importing.cells import Choice, DateValue, Integer, Text
from registers.importing.engine import Column, ParsedRow, Spec
from registers.importing.plans import Plan
from registers.importing.specs.common import (
    export_date,
    label_of,
    person,
    provider_lookup,
    resolve_column,
    setting_lookup,
    urn_parser,
    user_lookup,
)
from registers.models import Rag, Visit, VisitKind, VisitReason, VisitStatus
from registers.permissions import permitted

HIDDEN = "is not a visit you may change"


def changeable_by_id(rows, plan: Plan, header: str, model, user, noun: str) -> dict:
    """Rows name records by ID; only those the importer may change are found.

    A record that exists but is not theirs gets the same message as one that
    does not exist, so an import never reveals what it may not see.
    """
    ids = {row.values[header] for row in rows if isinstance(row.values.get(header), int)}
    found = {obj.pk: obj for obj in permitted(user, ("change",), model.objects.filter(pk__in=ids))}
    for row in rows:
        pk = row.values.get(header)
        if isinstance(pk, int) and pk not in found:
            plan.problem(row, f"is not a {noun} you may change", column=header, value=str(pk))
    return found


class VisitSpec(Spec):
    model = Visit
    label = "Visits"
    columns = [
        Column(
            "Visit ID",
            "id",
            Integer(1, 10**12),
            export=lambda v: v.pk,
            help="blank for a new visit",
        ),
        Column(
            "Setting URN",
            "setting",
            urn_parser(),
            export=lambda v: v.setting.urn if v.setting_id else "",
        ),
        Column(
            "Provider",
            "provider",
            Text(200),
            export=lambda v: v.provider.name if v.provider_id else "",
            help="for a visit to a provider's office",
        ),
        Column(
            "Planned date",
            "planned_date",
            DateValue(),
            required=True,
            export=lambda v: export_date(v.planned_date),
        ),
        Column("Kind", "kind", Choice(VisitKind.choices), export=lambda v: v.get_kind_display()),
        Column(
            "Reason", "reason", Choice(VisitReason.choices), export=lambda v: v.get_reason_display()
        ),
        Column(
            "Lead officer",
            "lead_officer",
            Text(150),
            export=lambda v: person(v.lead_officer),
            help="username or email; blank: you",
        ),
        Column(
            "Status", "status", Choice(VisitStatus.choices), export=lambda v: v.get_status_display()
        ),
        Column(
            "Date visited", "actual_date", DateValue(), export=lambda v: export_date(v.actual_date)
        ),
        Column("RAG outcome", "rag", Choice(Rag.choices), export=lambda v: label_of(v, "rag")),
        Column("Findings", "findings", Text()),
        Column("Recommendations", "recommendations", Text()),
        Column("Cancellation reason", "cancellation_reason", Text()),
        Column(
            "Report issued on",
            "report_issued_on",
            DateValue(),
            export=lambda v: export_date(v.report_issued_on),
        ),
    ]

    def row_key(self, row):
        return row.values.get("Visit ID") or None

    def key_description(self, key) -> str:
        return f"visit {key}"

    def resolve(self, rows, plan: Plan, user):
        resolve_column(
            rows, plan, "Setting URN", setting_lookup(user), "is not a setting on the register"
        )
        resolve_column(
            rows, plan, "Provider", provider_lookup(user), "is not a provider on the register"
        )
        resolve_column(rows, plan, "Lead officer", user_lookup, "is not an active user")

    def find_existing(self, rows: list[ParsedRow], plan: Plan, user) -> dict:
        found = changeable_by_id(rows, plan, "Visit ID", Visit, user, "visit")
        return {
            row.number: found[row.values["Visit ID"]]
            for row in rows
            if row.values.get("Visit ID") in found
        }

    def new_object(self, row, user):
        return Visit(lead_officer=user)
