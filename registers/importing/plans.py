"""A plan: the changes a file would make, grouped by register, before any write.

Applying a row follows the rule users expect of a spreadsheet: a value
replaces the stored one, a blank cell leaves the stored value as it is (the
preview says so), and only the marker ``[clear]`` empties a stored value.
"""

from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

from django.db.models import Model

from registers.changes import Change, change_from
from registers.importing.cells import display
from registers.importing.columns import Column, ParsedRow
from registers.importing.results import FieldChange, ImportResult, RowChange


class ColumnsOf(Protocol):
    """What a plan asks of its spec: the column a model's field is read from."""

    label: str

    def column_for(self, model: type[Model], field_name: str | None) -> Column | None: ...


CLEAR_MARKER = "[clear]"


class _Clear:
    def __repr__(self) -> str:
        return CLEAR_MARKER


CLEAR = _Clear()


@dataclass
class PlanGroup:
    model: type[Model]
    label: str
    changes: list[Change] = field(default_factory=list)


@dataclass
class Plan:
    spec: ColumnsOf
    result: ImportResult
    groups: dict[type[Model], PlanGroup] = field(default_factory=dict)
    # Columns a new record needs that the file does not have, and the rows that need them.
    missing_for_new: set[str] = field(default_factory=set)
    rows_missing: list[int] = field(default_factory=list)

    # --- changes ------------------------------------------------------------------

    def change_for(self, obj: Model, *, row: int) -> Change:
        """A change to a stored record: the copy taken now is what it was."""
        return change_from(obj, row=row)

    def new_change(self, obj: Model, *, row: int) -> Change:
        return Change(obj=obj, row=row)

    def add(self, change: Change, *, label: str, kept: list[str] = ()) -> None:
        """Count the change and describe it for the preview; unchanged rows still
        join the plan, so that the same rules (and permissions) apply to them."""
        model = type(change.obj)
        group = self.groups.setdefault(model, PlanGroup(model=model, label=label))
        group.changes.append(change)
        counts = self.result.counts_for(label)
        if change.is_new:
            counts.created += 1
            self._preview(change, label, "new", [], kept)
            return
        if change.changed_fields():
            counts.updated += 1
            fields = [] if self.result.preview_full else self._field_changes(change)
            self._preview(change, label, "update", fields, kept)
        else:
            counts.unchanged += 1

    def _field_changes(self, change: Change) -> list[FieldChange]:
        described = []
        for name in change.changed_fields():
            column = self.spec.column_for(type(change.obj), name)
            if column is None:
                continue
            described.append(
                FieldChange(
                    column=column.header,
                    old=shown(getattr(change.before, name)),
                    new=shown(getattr(change.obj, name)),
                )
            )
        return described

    def _preview(self, change, label, action, fields, kept) -> None:
        if self.result.preview_full:
            self.result.change_total += 1  # counted, not described: the preview is full
            return
        self.result.record_change(
            RowChange(
                row=change.row,
                model=label,
                action=action,
                label=str(change.obj),
                fields=fields,
                kept=list(kept),
            )
        )

    # --- problems -----------------------------------------------------------------

    def problem(self, row: ParsedRow, message: str, *, column: str | None = None, value=None):
        self.result.add_problem(message, row=row.number, column=column, value=value)
        row.invalid = True

    def rows_needing(self) -> str:
        rows = self.rows_missing
        if len(rows) == 1:
            return f"row {rows[0]}"
        shown = ", ".join(str(n) for n in rows[:5])
        return f"rows {shown}" + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")

    def count_invalid(self) -> None:
        invalid = self.result.invalid_rows
        if invalid:
            self.result.counts_for(self.spec.label).invalid = invalid

    def changes(self) -> list[Change]:
        return [change for group in self.groups.values() for change in group.changes]


def shown(value) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Model):
        return str(value)
    return display(value) if value is not None else ""


def apply_values(change: Change, row: ParsedRow, columns: list[Column], plan: Plan) -> list[str]:
    """Copy a row's values onto the change's record. Returns the columns whose
    blank cell left a stored value as it was."""
    obj = change.obj
    kept = []
    for column in columns:
        if column.field in (None, "id") or column.header not in row.present:
            continue
        value = row.values.get(column.header)
        model_field = _model_field(type(obj), column.field)
        if value is CLEAR:
            setattr(obj, column.field, _empty(model_field))
        elif value is None or value == "":
            if change.is_new:
                if column.required:
                    plan.problem(
                        row,
                        f"{row.empty(column.header)}, and {column.header} is required",
                        column=column.header,
                    )
            elif getattr(obj, model_field.attname) not in (None, ""):
                kept.append(column.header)
        else:
            setattr(obj, column.field, value)
    if change.is_new:
        absent = {c.header for c in columns if c.required and c.header not in row.present}
        if absent:
            plan.missing_for_new |= absent
            plan.rows_missing.append(row.number)
            row.invalid = True
    return kept


@cache
def _model_field(model: type[Model], name: str):
    return model._meta.get_field(name)


def _empty(model_field):
    if model_field.null:
        return None
    if model_field.get_internal_type() == "BooleanField":
        return False
    return ""
