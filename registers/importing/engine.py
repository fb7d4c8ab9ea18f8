"""One import engine for every file kind: read, find the header, parse, plan.

A ``Spec`` describes a file kind: its columns and the other names each has
gone by, how far down the header may sit below title rows, whether unknown
columns are refused or ignored, and how its rows become changes to one or
several registers. The engine finds the header, reads every cell (saying
exactly what is wrong with a bad one), refuses a record given twice, and asks
the spec for a ``Plan``. It writes nothing: registers.services.imports checks
the plan against the services' rules and has them write it.
"""

import re
from collections.abc import Hashable

from django.conf import settings
from django.db.models import Model

from registers.importing.cells import CellError, Context, as_text, display, is_blank
from registers.importing.columns import Column, ParsedRow, header_key, is_example_row
from registers.importing.plans import CLEAR, CLEAR_MARKER, Plan, apply_values
from registers.importing.readers import read_table
from registers.importing.results import ImportResult
from registers.importing.tables import CellIssue, FileRejected, Table, row_limit_message


class Spec:
    """How one kind of file reads. Subclasses fill these in."""

    model: type[Model]
    label: str
    columns: list[Column]
    header_search_rows = 1  # the header may sit below this many title rows, less one
    ignore_unknown_columns = False
    required_headers: tuple[str, ...] = ()  # columns the header must name, besides keys
    kind = ""  # what the file is, said back to the user ("Ofsted provider-level file")

    def for_table(self, table: Table, file_name: str) -> "Spec":
        """The spec that reads this table: a family of file kinds picks one here."""
        return self

    def write_order(self) -> list[type[Model]]:
        """The registers a plan writes, parents first."""
        return [self.model]

    def count_labels(self) -> list[str]:
        return [self.label]

    def is_footnote(self, cells: dict[str, object]) -> bool:
        """A row below the data that is not a record (a source note, a total)."""
        return False

    # --- identity -------------------------------------------------------------

    def row_key(self, row: ParsedRow) -> Hashable | None:
        """Identity within the file, to refuse a record given twice."""
        raise NotImplementedError

    def key_description(self, key: Hashable) -> str:
        return str(key)

    # --- planning: the default, for a file of one register --------------------

    def plan(self, rows: list[ParsedRow], plan: Plan, user) -> None:
        self.resolve(rows, plan, user)
        live = [row for row in rows if not row.invalid]
        existing = self.find_existing(live, plan, user)
        for row in live:
            if row.invalid:
                continue
            obj = existing.get(row.number)
            change = (
                plan.change_for(obj, row=row.number)
                if obj
                else plan.new_change(self.new_object(row, user), row=row.number)
            )
            kept = apply_values(change, row, self.columns_of(self.model), plan)
            if row.invalid:
                continue
            plan.add(change, label=self.label, kept=kept)

    def resolve(self, rows: list[ParsedRow], plan: Plan, user) -> None:
        """Turn references (provider names, URNs, usernames) into records, in bulk."""

    def find_existing(self, rows: list[ParsedRow], plan: Plan, user) -> dict[int, Model]:
        """Row number -> the record that row updates."""
        raise NotImplementedError

    def new_object(self, row: ParsedRow, user) -> Model:
        return self.model()

    # --- columns ----------------------------------------------------------------

    def importable_columns(self) -> list[Column]:
        return [column for column in self.columns if column.importable]

    def columns_of(self, model: type[Model]) -> list[Column]:
        return [
            column
            for column in self.importable_columns()
            if column.field and (column.model or self.model) is model
        ]

    def column_for(self, model: type[Model], field_name: str | None) -> Column | None:
        for column in self.columns_of(model):
            if column.field == field_name:
                return column
        return None

    def expected_headers(self) -> list[str]:
        return [column.header for column in self.importable_columns()]


def plan_file(*, spec: Spec, data: bytes, file_name: str, user) -> Plan:
    """Read and plan the file. Problems and warnings are on ``plan.result``."""
    result = ImportResult(file_name=file_name, dry_run=True)
    try:
        table = read_table(data, file_name)
    except FileRejected as exc:
        result.add_problem(str(exc))
        table = None
    if table is not None:
        spec = spec.for_table(table, file_name)
    result.kind = spec.kind
    plan = Plan(spec=spec, result=result)
    for label in spec.count_labels():
        result.counts_for(label)
    if table is None:
        return plan
    rows = parse_rows(spec=spec, table=table, result=result)
    del table  # the parsed rows hold what planning needs: halve the peak on large files
    if rows is None:
        return plan
    check_duplicates(spec=spec, rows=rows, result=result)
    spec.plan(rows, plan, user)
    if plan.missing_for_new:
        missing = [c.header for c in spec.importable_columns() if c.header in plan.missing_for_new]
        expected = ", ".join(f"'{h}'" for h in spec.expected_headers())
        result.add_problem(
            _missing_message(spec, missing, expected).replace(
                ".", f", which a new record needs ({plan.rows_needing()}).", 1
            )
        )
    plan.count_invalid()
    return plan


# --- the header ----------------------------------------------------------------


class _HeaderIndex(dict):
    """header_key(name) -> column, by every name; then by the columns' patterns."""

    def __init__(self, spec: Spec):
        super().__init__()
        self.patterns = []
        for column in spec.columns:
            for name in column.names():
                self[header_key(name)] = column
            self.patterns += [(re.compile(p), column) for p in column.patterns]

    def __missing__(self, key: str):
        raise KeyError(key)

    def __contains__(self, key) -> bool:
        return self.get(key) is not None

    def get(self, key, default=None):
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        for pattern, column in self.patterns:
            if pattern.search(key):
                return column
        return default

    def __getitem__(self, key):
        column = self.get(key)
        if column is None:
            raise KeyError(key)
        return column


def _alias_index(spec: Spec) -> dict[str, Column]:
    return _HeaderIndex(spec)


def find_header(spec: Spec, table: Table) -> tuple[int, list] | None:
    """Of the top rows, the first that names the most known columns. Below title
    rows, a header must name the columns that find each record (the URN)."""
    index = _alias_index(spec)
    keys = {c.header for c in spec.importable_columns() if c.key}
    best: tuple[int, int, list] | None = None
    for number, cells in table.rows[: spec.header_search_rows]:
        named = {
            index[header_key(cell)].header
            for cell in cells
            if not isinstance(cell, CellIssue) and header_key(cell) in index
        }
        if spec.header_search_rows > 1 and not keys <= named:
            continue
        if named and (best is None or len(named) > best[0]):
            best = (len(named), number, cells)
    return None if best is None else (best[1], best[2])


def map_header(spec: Spec, header: list, result: ImportResult) -> dict[int, Column] | None:
    index = _alias_index(spec)
    expected = ", ".join(f"'{h}'" for h in spec.expected_headers())
    mapping: dict[int, Column] = {}
    seen: dict[str, int] = {}
    ignored = []
    for position, cell in enumerate(header):
        text = "" if isinstance(cell, CellIssue) else as_text(cell)
        if not header_key(text):
            continue
        column = index.get(header_key(text))
        if column is None:
            if spec.ignore_unknown_columns:
                ignored.append(text)
            else:
                result.add_problem(
                    f"Column '{display(cell)}' is not a column of {spec.label}. "
                    f"The columns are: {expected}."
                )
            continue
        if column.header in seen:
            if not spec.ignore_unknown_columns:
                result.add_problem(f"Column '{column.header}' appears twice in the header.")
            continue
        seen[column.header] = position
        if column.importable:
            mapping[position] = column
    if ignored:
        result.notes.append("Columns not imported: " + ", ".join(ignored[:20]))
    required = [c.header for c in spec.importable_columns() if c.key]
    required += [h for h in spec.required_headers if h not in required]
    missing = [header for header in required if header not in seen]
    if missing:
        result.add_problem(_missing_message(spec, missing, expected))
    return None if result.problems else mapping


def _missing_message(spec: Spec, missing: list[str], expected: str) -> str:
    listed = ", ".join(f"'{h}'" for h in missing)
    message = f"Missing column{'s' if len(missing) > 1 else ''} {listed}."
    if not spec.ignore_unknown_columns:
        return f"{message} The columns are: {expected}."
    by_header = {c.header: c for c in spec.columns}
    known = "; ".join(
        f"{h}: " + " / ".join(f"'{name}'" for name in by_header[h].names()[:3]) for h in missing
    )
    return (
        f"The header is not a layout this portal recognises. {message} Known names for them "
        f"include: {known}."
    )


# --- rows ------------------------------------------------------------------------


def parse_rows(*, spec: Spec, table: Table, result: ImportResult) -> list[ParsedRow] | None:
    if not table.rows:
        result.add_problem("The file has no rows.")
        return None
    found = find_header(spec, table)
    if found is None:
        where = (
            "the first row"
            if spec.header_search_rows == 1
            else f"the first {spec.header_search_rows} rows"
        )
        keys = " and ".join(f"'{c.header}'" for c in spec.importable_columns() if c.key)
        result.add_problem(
            f"This is not a file of {spec.label.lower()} this portal recognises: no header row "
            f"with a {keys or 'known'} column was found in {where}."
        )
        return None
    header_number, header = found
    mapping = map_header(spec, header, result)
    if mapping is None:
        return None
    context = Context(date1904=table.date1904)
    counts = result.counts_for(spec.label)
    keys = [i for i, column in mapping.items() if column.key]
    present = frozenset(column.header for column in mapping.values())
    rows: list[ParsedRow] = []
    max_rows = settings.IMPORT_MAX_ROWS  # exact: records below the header, blank rows apart
    for number, cells in table.rows:
        if number <= header_number:
            continue
        if is_example_row(cells):
            counts.skipped += 1
            result.add_warning("The template's example row is skipped.", row=number)
            continue
        if all(is_blank(cell) for cell in cells) or (
            any(is_blank(cells[i] if i < len(cells) else None) for i in keys)
            and spec.is_footnote(
                {c.header: cells[i] if i < len(cells) else None for i, c in mapping.items()}
            )
        ):
            counts.skipped += 1
            continue
        result.rows_read += 1
        if result.rows_read > max_rows:
            result.add_problem(row_limit_message(max_rows))
            return None
        rows.append(_parse_row(number, cells, mapping, present, context, result))
    if not rows:
        result.add_problem("The file has a header but no data rows.")
        return None
    return rows


def _parse_row(number: int, cells: list, mapping, present, context, result) -> ParsedRow:
    row = ParsedRow(number=number, present=present)
    for position, column in mapping.items():
        raw = cells[position] if position < len(cells) else None
        if raw is None or raw == "":
            # Most cells of a published file are empty: skip the parser for them.
            if column.key:
                result.add_problem(
                    f"is empty, and {column.header} is required", row=number, column=column.header
                )
                row.invalid = True
            else:
                row.values[column.header] = column.parser.blank
            continue
        if isinstance(raw, CellIssue) and "merged" not in raw.reason:
            result.add_problem(f"holds {raw.reason}", row=number, column=column.header)
            row.invalid = True
            continue
        if isinstance(raw, str) and "[" in raw and raw.strip().lower() == CLEAR_MARKER:
            if column.key or column.required:
                result.add_problem(
                    f"cannot be cleared: {column.header} is required",
                    row=number,
                    column=column.header,
                )
                row.invalid = True
            else:
                row.values[column.header] = CLEAR
            continue
        try:
            value = column.parser(raw, context)
        except CellError as exc:
            result.add_problem(str(exc), row=number, column=column.header, value=display(raw))
            row.invalid = True
            continue
        if value in (None, "") and isinstance(raw, CellIssue):
            row.blank_reasons[column.header] = raw.reason
        if column.key and value in (None, ""):
            result.add_problem(
                f"{row.empty(column.header)}, and {column.header} is required",
                row=number,
                column=column.header,
            )
            row.invalid = True
            continue
        row.values[column.header] = value
    return row


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
