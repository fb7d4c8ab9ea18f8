"""What an import found and did: counts per model, problems, warnings, a preview."""

from dataclasses import asdict, dataclass, field

from django.conf import settings


@dataclass
class Problem:
    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"Row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        if self.value:
            body = f"'{self.value}' {self.message}"
        else:
            body = self.message if where else _capitalise(self.message)
        return f"{', '.join(where)}: {body}" if where else body


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    invalid: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "invalid": self.invalid,
        }


@dataclass
class FieldChange:
    column: str
    old: str
    new: str


@dataclass
class RowChange:
    row: int
    model: str
    action: str  # "new" or "update"
    label: str
    fields: list[FieldChange] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # blank columns: stored values left as is


@dataclass
class ImportResult:
    file_name: str
    dry_run: bool
    counts: dict[str, Counts] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)
    change_total: int = 0
    rows_read: int = 0
    written: bool = False
    notes: list[str] = field(default_factory=list)
    follow_up: list[str] = field(default_factory=list)  # what the services did after the write
    kind: str = ""  # the kind of file found, when a spec reads a family of kinds
    run_id: int | None = None  # the ImportRun recording a written import
    report: list[dict] = field(default_factory=list)  # "what changed", once written
    # The preview's versions of the stored records it changes (services.imports).
    read_versions: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts_for(self, model_label: str) -> Counts:
        return self.counts.setdefault(model_label, Counts())

    def add_problem(self, message: str, *, row=None, column=None, value=None) -> None:
        self.problems.append(Problem(message=message, row=row, column=column, value=value))

    def add_warning(self, message: str, *, row=None, column=None, value=None) -> None:
        self.warnings.append(Problem(message=message, row=row, column=column, value=value))

    @property
    def preview_full(self) -> bool:
        return len(self.changes) >= settings.IMPORT_PREVIEW_ROWS

    def record_change(self, change: RowChange) -> None:
        self.change_total += 1
        if len(self.changes) < settings.IMPORT_PREVIEW_ROWS:
            self.changes.append(change)

    @property
    def invalid_rows(self) -> int:
        return len({p.row for p in self.problems if p.row is not None})

    @property
    def total_written(self) -> int:
        return sum(c.created + c.updated for c in self.counts.values())

    def summary_lines(self) -> list[str]:
        return [
            f"{label}: {counts.created} created, {counts.updated} updated, "
            f"{counts.unchanged} unchanged, {counts.skipped} skipped, {counts.invalid} invalid"
            for label, counts in self.counts.items()
        ]

    # What a preview shows, kept on a background check's job (JSON) until the
    # user confirms; the page lists at most this many problems and warnings.
    SHOWN = 200

    def as_data(self) -> dict:
        return {
            "file_name": self.file_name,
            "kind": self.kind,
            "rows_read": self.rows_read,
            "counts": {label: counts.as_dict() for label, counts in self.counts.items()},
            "problems": [asdict(p) for p in self.problems[: self.SHOWN]],
            "warnings": [asdict(w) for w in self.warnings[: self.SHOWN]],
            "changes": [asdict(c) for c in self.changes],
            "change_total": self.change_total,
            "notes": list(self.notes),
        }

    @classmethod
    def from_data(cls, data: dict) -> "ImportResult":
        return cls(
            file_name=data["file_name"],
            dry_run=True,
            kind=data.get("kind", ""),
            rows_read=data.get("rows_read", 0),
            counts={label: Counts(**counts) for label, counts in data["counts"].items()},
            problems=[Problem(**p) for p in data.get("problems", [])],
            warnings=[Problem(**w) for w in data.get("warnings", [])],
            changes=[
                RowChange(**{**c, "fields": [FieldChange(**f) for f in c["fields"]]})
                for c in data.get("changes", [])
            ],
            change_total=data.get("change_total", 0),
            notes=data.get("notes", []),
        )
