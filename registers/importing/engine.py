"""All-or-nothing spreadsheet import into one register, in bulk, with history.

The engine parses every row, checks every rule, and only then writes: with
bulk_create_with_history / bulk_update_with_history, inside one transaction,
each history row naming the importing user and the file. One bad row means
nothing is written.
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Model

from registers.importing.cells import CellError, Context, Parser, display, is_blank
from registers.importing.history import bulk_create_with_history, bulk_update_with_history
from registers.importing.readers import CellIssue, FileRejected, Table, read_table
from registers.importing.results import FieldChange, ImportResult, RowChange
from registers.permissions import permitted


def import_reason(file_name: str) -> str:
    return f"Imported from {file_name}"


@dataclass(frozen=True)
class Column:
    """One spreadsheet column: how it reads on import and writes on export."""

    header: str
    field: str | None = None
    parser: Parser | None = None
    required: bool = False
    importable: bool = True
    export: Callable | None = None  # obj -> value; default: the field's value
    help: str = ""
    aliases: tuple[str, ...] = ()

    def describe(self) -> str:
        return self.help or (self.parser.describe() if self.parser else "")


def header_key(text) -> str:
    return " ".join(str(text or "").replace("\u00a0", " ").split()).casefold()


@dataclass
class ParsedRow:
    number: int
    values: dict[str, object] = field(default_factory=dict)  # header -> value
    present: set[str] = field(default_factory=set)
    invalid: bool = False
    obj: Model | None = None
    action: str = ""
    changed: list[str] = field(default_factory=list)


class Spec:
    """How one register reads from a spreadsheet. Subclasses fill these in."""

    model: type[Model]
    label: str
    columns: list[Column]

    def row_key(self, row: ParsedRow) -> Hashable | None:
        """Identity within the file, to refuse a key given twice."""
        raise NotImplementedError

    def key_description(self, key: Hashable) -> str:
        return str(key)

    def resolve(self, rows: list[ParsedRow], result: ImportResult, user) -> None:
        """Turn references (provider names, URNs, usernames) into objects, in bulk."""

    def find_existing(self, rows: list[ParsedRow], result: ImportResult, user) -> None:
        """Set ``row.obj`` to the record each row updates, or leave it None."""
        raise NotImplementedError

    def new_object(self, row: ParsedRow, user) -> Model:
        return self.model()

    def apply(self, obj: Model, row: ParsedRow) -> list[str]:
        """Copy the row's values onto ``obj``; return the fields that changed."""
        changed = []
        for column in self.importable_columns():
            if column.field is None or column.header not in row.present:
                continue
            new = row.values.get(column.header)
            attname = obj._meta.get_field(column.field).attname
            old = getattr(obj, attname)
            new_raw = new.pk if isinstance(new, Model) else new
            if _differs(old, new_raw):
                setattr(obj, column.field, new)
                changed.append(column.field)
        return changed

    def validate(self, obj: Model, row: ParsedRow, user) -> None:
        obj.clean()

    def check_permission(self, obj: Model, row: ParsedRow, user, changed: list[str]) -> str | None:
        """A reason the user may not make this change, or None."""
        return None

    def after_write(self, *, created: list[Model], updated: list[Model], user, result) -> None:
        """Follow-on work: object permissions, the RI process."""

    def changeable_pks(self, objs: list[Model], user) -> set:
        if not objs:
            return set()
        queryset = self.model._default_manager.filter(pk__in=[obj.pk for obj in objs])
        return set(permitted(user, ("change",), queryset).values_list("pk", flat=True))

    # --- helpers -----------------------------------------------------------

    def importable_columns(self) -> list[Column]:
        return [column for column in self.columns if column.importable]

    def column_for_field(self, field_name: str) -> Column | None:
        for column in self.importable_columns():
            if column.field == field_name:
                return column
        return None

    def expected_headers(self) -> list[str]:
        return [column.header for column in self.importable_columns()]


def _differs(old, new) -> bool:
    if old in (None, "") and new in (None, ""):
        return False
    return old != new


def run_import(
    *, spec: Spec, data: bytes, file_name: str, user, dry_run: bool = False
) -> ImportResult:
    """Read, check and (unless ``dry_run`` or any problem) write the file."""
    result = ImportResult(file_name=file_name, dry_run=dry_run)
    result.counts_for(spec.label)
    try:
        table = read_table(data, file_name)
    except FileRejected as exc:
        result.add_problem(str(exc))
        return result
    rows = parse_rows(spec=spec, table=table, result=result)
    if rows is None:
        return result
    check_duplicates(spec=spec, rows=rows, result=result)
    spec.resolve(rows, result, user)
    spec.find_existing([r for r in rows if not r.invalid], result, user)
    plan_changes(spec=spec, rows=rows, result=result, user=user)
    counts = result.counts_for(spec.label)
    counts.invalid = len({row.number for row in rows if row.invalid})
    if not result.ok or dry_run:
        return result
    write(spec=spec, rows=rows, result=result, user=user)
    return result


def map_header(spec: Spec, header: list, result: ImportResult) -> dict[int, Column] | None:
    known: dict[str, Column] = {}
    for column in spec.columns:
        for name in (column.header, *column.aliases):
            known[header_key(name)] = column
    expected = ", ".join(f"'{h}'" for h in spec.expected_headers())
    mapping: dict[int, Column] = {}
    seen: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = header_key(cell if not isinstance(cell, CellIssue) else "")
        if not name:
            continue
        column = known.get(name)
        if column is None:
            result.add_problem(
                f"Column '{display(cell)}' is not a column of {spec.label}. "
                f"The columns are: {expected}."
            )
            continue
        if column.header in seen:
            result.add_problem(f"Column '{column.header}' appears twice in the header.")
            continue
        seen[column.header] = index
        if column.importable:
            mapping[index] = column
    missing = [c.header for c in spec.importable_columns() if c.required and c.header not in seen]
    if missing:
        result.add_problem(
            "Missing column"
            + ("s " if len(missing) > 1 else " ")
            + ", ".join(f"'{h}'" for h in missing)
            + f". The columns are: {expected}."
        )
    return None if result.problems else mapping


def parse_rows(*, spec: Spec, table: Table, result: ImportResult) -> list[ParsedRow] | None:
    if not table.rows:
        result.add_problem("The file has no rows.")
        return None
    header_number, header = table.rows[0]
    mapping = map_header(spec, header, result)
    if mapping is None:
        return None
    context = Context(date1904=table.date1904)
    counts = result.counts_for(spec.label)
    rows: list[ParsedRow] = []
    for number, cells in table.rows[1:]:
        if all(is_blank(cell) for cell in cells):
            counts.skipped += 1
            continue
        result.rows_read += 1
        row = ParsedRow(number=number)
        for index, column in mapping.items():
            raw = cells[index] if index < len(cells) else None
            row.present.add(column.header)
            if isinstance(raw, CellIssue) and "merged" not in raw.reason:
                result.add_problem(f"holds {raw.reason}", row=number, column=column.header)
                row.invalid = True
                continue
            try:
                value = column.parser(raw, context)
            except CellError as exc:
                result.add_problem(str(exc), row=number, column=column.header, value=display(raw))
                row.invalid = True
                continue
            if column.required and value in (None, ""):
                reason = (
                    f"is empty: it is {raw.reason}" if isinstance(raw, CellIssue) else "is empty"
                )
                result.add_problem(
                    f"{reason}, and {column.header} is required", row=number, column=column.header
                )
                row.invalid = True
                continue
            row.values[column.header] = value
        rows.append(row)
    if not rows:
        result.add_problem("The file has a header but no data rows.")
        return None
    return rows


def check_duplicates(*, spec: Spec, rows: list[ParsedRow], result: ImportResult) -> None:
    first_row: dict[Hashable, int] = {}
    for row in rows:
        if row.invalid:
            continue
        key = spec.row_key(row)
        if key is None:
            continue
        if key in first_row:
            result.add_problem(
                f"repeats {spec.key_description(key)} of row {first_row[key]}: each record "
                "may appear once in a file",
                row=row.number,
            )
            row.invalid = True
        else:
            first_row[key] = row.number


def plan_changes(*, spec: Spec, rows: list[ParsedRow], result: ImportResult, user) -> None:
    counts = result.counts_for(spec.label)
    existing = [row.obj for row in rows if row.obj is not None and not row.invalid]
    allowed = spec.changeable_pks(existing, user)
    for row in rows:
        if row.invalid:
            continue
        if row.obj is not None and row.obj.pk not in allowed:
            result.add_problem(f"updates {row.obj}, which you may not change", row=row.number)
            row.invalid = True
            continue
        creating = row.obj is None
        obj = spec.new_object(row, user) if creating else row.obj
        before = {} if creating else _snapshot(spec, obj)
        changed = spec.apply(obj, row)
        if not creating and not changed:
            row.action = "unchanged"
            counts.unchanged += 1
            continue
        refusal = spec.check_permission(obj, row, user, changed)
        if refusal:
            result.add_problem(refusal, row=row.number)
            row.invalid = True
            continue
        try:
            spec.validate(obj, row, user)
        except ValidationError as exc:
            _report_validation(spec, exc, row, result)
            row.invalid = True
            continue
        row.obj, row.changed = obj, changed
        row.action = "new" if creating else "update"
        if creating:
            counts.created += 1
        else:
            counts.updated += 1
        result.record_change(_describe_change(spec, obj, row, before, creating))


def _snapshot(spec: Spec, obj: Model) -> dict[str, str]:
    snapshot = {}
    for column in spec.importable_columns():
        if column.field:
            snapshot[column.field] = _shown(getattr(obj, column.field))
    return snapshot


def _shown(value) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return display(value) if value is not None else ""


def _describe_change(spec, obj, row, before, creating) -> RowChange:
    fields = []
    for name in row.changed:
        column = spec.column_for_field(name)
        fields.append(
            FieldChange(
                column=column.header if column else name,
                old="" if creating else before.get(name, ""),
                new=_shown(getattr(obj, name)),
            )
        )
    return RowChange(
        row=row.number,
        model=spec.label,
        action=row.action,
        label=str(obj),
        fields=[] if creating else fields,
    )


def _report_validation(spec: Spec, exc: ValidationError, row: ParsedRow, result) -> None:
    if hasattr(exc, "error_dict"):
        for field_name, errors in exc.message_dict.items():
            column = spec.column_for_field(field_name) if field_name != NON_FIELD_ERRORS else None
            for message in errors:
                result.add_problem(
                    message, row=row.number, column=column.header if column else None
                )
    else:
        for message in exc.messages:
            result.add_problem(message, row=row.number)


def write(*, spec: Spec, rows: list[ParsedRow], result: ImportResult, user) -> None:
    reason = import_reason(result.file_name)
    created = [row.obj for row in rows if row.action == "new"]
    updated = [row.obj for row in rows if row.action == "update"]
    fields = sorted({name for row in rows if row.action == "update" for name in row.changed})
    try:
        with transaction.atomic():
            if created:
                created = bulk_create_with_history(created, spec.model, user=user, reason=reason)
            if updated:
                bulk_update_with_history(updated, spec.model, fields, user=user, reason=reason)
            spec.after_write(created=created, updated=updated, user=user, result=result)
    except (IntegrityError, DatabaseError) as exc:
        result.add_problem(
            f"Nothing was imported: the database refused a row ({exc.__class__.__name__}). "
            "Check for a record that another user created meanwhile and try again."
        )
        return
    except ValidationError as exc:
        result.add_problem("Nothing was imported: " + " ".join(exc.messages))
        return
    result.written = True
