"""QA visits and their action items in spreadsheets."""

from registers.importing.cells import Choice, DateValue, Integer, Text
from registers.importing.engine import Column, Spec
from registers.importing.specs.common import (
    dd_mm_yyyy,
    label_of,
    provider_lookup,
    resolve_column,
    setting_lookup,
    urn_parser,
    user_lookup,
)
from registers.models import (
    ActionItem,
    ActionStatus,
    Rag,
    Visit,
    VisitKind,
    VisitReason,
    VisitStatus,
)
from registers.permissions import permitted
from registers.services.visits import validate_visit


def _missing_ids(rows, result, header: str, found: set, noun: str) -> None:
    for row in rows:
        pk = row.values.get(header)
        if pk and pk not in found:
            result.add_problem(
                f"is not a {noun} you may change", row=row.number, column=header, value=str(pk)
            )
            row.invalid = True


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
            export=lambda v: dd_mm_yyyy(v.planned_date),
        ),
        Column("Kind", "kind", Choice(VisitKind.choices), export=lambda v: v.get_kind_display()),
        Column(
            "Reason", "reason", Choice(VisitReason.choices), export=lambda v: v.get_reason_display()
        ),
        Column(
            "Lead officer",
            "lead_officer",
            Text(150),
            export=lambda v: v.lead_officer.username if v.lead_officer_id else "",
        ),
        Column(
            "Status", "status", Choice(VisitStatus.choices), export=lambda v: v.get_status_display()
        ),
        Column(
            "Date visited", "actual_date", DateValue(), export=lambda v: dd_mm_yyyy(v.actual_date)
        ),
        Column("RAG outcome", "rag", Choice(Rag.choices), export=lambda v: label_of(v, "rag")),
        Column("Findings", "findings", Text()),
        Column("Recommendations", "recommendations", Text()),
        Column("Cancellation reason", "cancellation_reason", Text()),
        Column(
            "Report issued on",
            "report_issued_on",
            DateValue(),
            export=lambda v: dd_mm_yyyy(v.report_issued_on),
        ),
    ]

    def row_key(self, row):
        return row.values.get("Visit ID") or None

    def key_description(self, key) -> str:
        return f"visit {key}"

    def resolve(self, rows, result, user):
        resolve_column(
            rows,
            result,
            "Setting URN",
            setting_lookup,
            lambda ref: "is not a setting on the register",
        )
        resolve_column(
            rows,
            result,
            "Provider",
            provider_lookup,
            lambda ref: "is not a provider on the register",
        )
        resolve_column(
            rows, result, "Lead officer", user_lookup, lambda ref: "is not an active user"
        )
        for row in rows:
            if row.invalid:
                continue
            has_place = row.values.get("Setting URN") or row.values.get("Provider")
            existing_place = row.values.get("Visit ID")
            if not has_place and not existing_place:
                result.add_problem("names neither a setting URN nor a provider", row=row.number)
                row.invalid = True

    def find_existing(self, rows, result, user):
        ids = {row.values["Visit ID"] for row in rows if row.values.get("Visit ID")}
        # Rows resolve only against visits this user may change.
        visits = permitted(user, ("change",), Visit.objects.filter(pk__in=ids))
        found = {
            visit.pk: visit
            for visit in visits.select_related("setting", "provider", "lead_officer")
        }
        _missing_ids(rows, result, "Visit ID", set(found), "visit")
        for row in rows:
            row.obj = found.get(row.values.get("Visit ID"))

    def apply(self, obj, row):
        obj._import_previous_status = obj.status if obj.pk else None
        obj._import_previous_lead = obj.lead_officer if obj.pk else None
        row.present.discard("Visit ID")
        return super().apply(obj, row)

    def new_object(self, row, user):
        return Visit(lead_officer=user)

    def check_permission(self, obj, row, user, changed):
        from registers.permissions import has_perm

        if (
            "lead_officer" in changed
            and obj.lead_officer_id != user.pk
            and not has_perm(user, "registers.assign_visit")
        ):
            return "assigns the visit to another officer, which only managers may do"
        return None

    def validate(self, obj, row, user):
        obj.clean()
        validate_visit(visit=obj, previous_status=obj._import_previous_status)

    def after_write(self, *, created, updated, user, result):
        from registers.services.access import sync_visit_lead

        for visit in created:
            if visit.lead_officer_id:
                sync_visit_lead(visit=visit)
        for visit in updated:
            previous = visit._import_previous_lead
            if visit.lead_officer_id != getattr(previous, "pk", None):
                sync_visit_lead(visit=visit, previous_lead=previous)


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
            export=lambda a: dd_mm_yyyy(a.due_date),
        ),
        Column(
            "Status",
            "status",
            Choice(ActionStatus.choices),
            export=lambda a: a.get_status_display(),
        ),
        Column(
            "Completed on", "completed_on", DateValue(), export=lambda a: dd_mm_yyyy(a.completed_on)
        ),
    ]

    def row_key(self, row):
        return row.values.get("Action ID") or None

    def key_description(self, key) -> str:
        return f"action {key}"

    def resolve(self, rows, result, user):
        ids = {row.values["Visit ID"] for row in rows if row.values.get("Visit ID")}
        # An action item belongs to a visit the importer may change, never another's.
        visits = {v.pk: v for v in permitted(user, ("change",), Visit.objects.filter(pk__in=ids))}
        _missing_ids(rows, result, "Visit ID", set(visits), "visit")
        for row in rows:
            if not row.invalid:
                row.values["Visit ID"] = visits[row.values["Visit ID"]]

    def find_existing(self, rows, result, user):
        ids = {row.values["Action ID"] for row in rows if row.values.get("Action ID")}
        items = ActionItem.objects.select_related("visit").filter(pk__in=ids)
        found = {item.pk: item for item in items}
        for row in rows:
            pk = row.values.get("Action ID")
            if pk and pk not in found:
                result.add_problem(
                    "is not an action item", row=row.number, column="Action ID", value=str(pk)
                )
                row.invalid = True
            row.obj = found.get(pk)

    def apply(self, obj, row):
        row.present.discard("Action ID")
        return super().apply(obj, row)

    def changeable_pks(self, objs, user):
        visit_ids = {obj.visit_id for obj in objs}
        visits = permitted(user, ("change",), Visit.objects.filter(pk__in=visit_ids))
        allowed_visits = set(visits.values_list("pk", flat=True))
        return {obj.pk for obj in objs if obj.visit_id in allowed_visits}
