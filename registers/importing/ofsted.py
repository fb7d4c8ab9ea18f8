"""Ofsted's published provider-level files ("Children's social care data in
England"), in any year's layout.

The header is found wherever it sits, columns are matched by the names
Ofsted has used over the years, judgement wording is normalised, and
REDACTED is read as unknown: it never overwrites a name or address the
register already knows. Each row creates or updates a Setting by URN, links
it to the owning Provider when the file names one, and records the latest
full inspection. Nothing is written unless every row is valid.
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings as conf
from django.db import DatabaseError, IntegrityError, transaction

from registers.importing.cells import (
    CellError,
    Choice,
    Context,
    DateValue,
    Integer,
    Parser,
    Text,
    YesNo,
    as_text,
    choice_key,
    display,
    is_blank,
)
from registers.importing.engine import import_reason
from registers.importing.history import bulk_create_with_history, bulk_update_with_history
from registers.importing.readers import CellIssue, FileRejected, read_table
from registers.importing.results import FieldChange, ImportResult, RowChange
from registers.importing.specs.common import judgement_parser, urn_parser
from registers.models import (
    ApprovalStatus,
    Inspection,
    InspectionType,
    Provider,
    RegistrationStatus,
    Sector,
    Setting,
)
from registers.models.providers import normalise_provider_name
from registers.validators import normalise_postcode, validate_education_urn, validate_postcode

# Column names Ofsted has published, by the field they fill. Matching ignores
# case, spacing and punctuation, so "Reg Status" and "Reg. status" are one.
ALIASES: dict[str, tuple[str, ...]] = {
    "urn": ("URN", "Unique reference number", "Social care URN", "Provider URN"),
    "linked_education_urn": ("Linked Education URN", "Linked URN", "Education URN"),
    "provision_type": ("Provision type", "Provider type", "Type of provision", "Setting type"),
    "registration_date": ("Registration date", "Date of registration", "Registered date"),
    "registration_status": ("Registration status", "Reg Status", "Registration Status", "Status"),
    "name": ("Name", "Setting Name", "Setting name", "Provider name", "Provision name"),
    "address_line_1": ("Address 1", "Address line 1", "Setting address 1"),
    "address_line_2": ("Address 2", "Address line 2", "Setting address 2"),
    "town": ("Town", "Town/City", "Setting town"),
    "county": ("County", "Setting county"),
    "postcode": ("Postcode", "Post code", "Setting postcode"),
    "ofsted_region": ("Ofsted region", "Ofsted Region", "Region"),
    "government_office_region": (
        "Government Office Region",
        "GOR",
        "Government office region name",
    ),
    "local_authority": (
        "Local authority",
        "Local Authority",
        "LA",
        "LA name",
        "Local authority name",
    ),
    "sector": ("Sector", "Provider sector", "Provision sector"),
    "places": ("Places", "Number of places", "Maximum number of places", "Registered places"),
    "is_short_breaks_only": (
        "Short-break-only children's home",
        "Short breaks only children's home",
        "Short break only children's home",
        "Short breaks only",
    ),
    "is_multi_building": ("Multi-building children's home", "Multi building children's home"),
    "owner": (
        "Organisation which owns the provider",
        "Organisation that owns the provider",
        "Owner",
        "Owner name",
        "Organisation name",
        "Responsible individual organisation",
    ),
    "event_type": (
        "Latest full inspection event type",
        "Event type",
        "Inspection event type",
        "Inspection type",
    ),
    "inspection_date": (
        "Latest full inspection date",
        "Inspection date",
        "Latest full inspection - inspection date",
        "Date of latest full inspection",
    ),
    "publication_date": (
        "Latest full inspection publication date",
        "Publication date",
        "Report publication date",
    ),
    "event_number": (
        "Latest full inspection event number",
        "Event number",
        "Inspection ID",
        "Inspection id",
        "Inspection number",
    ),
    "overall": (
        "Overall experiences and progress of children and young people",
        "Overall effectiveness",
        "Overall judgement",
        "Overall experiences and progress of children",
    ),
    "outcomes_education": ("Outcomes in education and related learning activities",),
    "health_services": ("Health services",),
    "help_and_protection": (
        "How well children and young people are helped and protected",
        "How well children are helped and protected",
        "Safeguarding children and young people",
    ),
    "leadership_management": (
        "The effectiveness of leaders and managers",
        "Effectiveness of leaders and managers",
        "Leadership and management",
    ),
    "outcomes_children": ("Outcomes for children and young people",),
    "quality_of_care": ("Quality of care",),
    # Known and deliberately not imported.
    "ignored": (
        "Web link",
        "Parliamentary constituency",
        "Parliamentary constituency name",
        "Local authority code",
        "Ward",
    ),
}

REQUIRED = {
    "urn": "URN",
    "provision_type": "Provision type",
    "local_authority": "Local authority",
    "name": "Name",
}
INSPECTION_REQUIRED = {
    "inspection_date": "Latest full inspection date",
    "overall": "Overall judgement",
}
SUB_JUDGEMENTS = (
    "outcomes_education",
    "health_services",
    "help_and_protection",
    "leadership_management",
    "outcomes_children",
    "quality_of_care",
)
# Never overwritten by a blank or REDACTED cell: the register may know better.
SETTING_FIELDS = (
    "linked_education_urn",
    "provision_type",
    "registration_status",
    "registration_date",
    "name",
    "address_line_1",
    "address_line_2",
    "town",
    "county",
    "postcode",
    "ofsted_region",
    "local_authority",
    "ofsted_sector",
    "places",
    "is_short_breaks_only",
    "is_multi_building",
    "owner_name_from_ofsted",
)
INSPECTION_FIELDS = ("inspection_type", "publication_date", "overall", *SUB_JUDGEMENTS)
EVENT_TYPES = {
    "full": InspectionType.FULL,
    "full inspection": InspectionType.FULL,
    "interim": InspectionType.INTERIM,
    "interim inspection": InspectionType.INTERIM,
    "monitoring": InspectionType.MONITORING,
    "monitoring visit": InspectionType.MONITORING,
    "monitoring inspection": InspectionType.MONITORING,
    "assurance": InspectionType.ASSURANCE,
    "assurance visit": InspectionType.ASSURANCE,
    "assurance inspection": InspectionType.ASSURANCE,
}
REDACTED = "redacted"
HEADER_SEARCH_ROWS = 30


def alias_index() -> dict[str, str]:
    index = {}
    for field_name, names in ALIASES.items():
        for name in names:
            index[choice_key(name)] = field_name
    return index


ALIAS_INDEX = alias_index()


class Redactable(Text):
    """Text where REDACTED means "not published", read as unknown."""

    def parse(self, value, context):
        text = super().parse(value, context)
        return None if text.lower() == REDACTED else text


class Postcode(Redactable):
    def __init__(self):
        super().__init__(10, normalise=normalise_postcode, validator=validate_postcode)

    def parse(self, value, context):
        if as_text(value).lower() == REDACTED:
            return None
        return super().parse(value, context)


class EventType(Parser):
    def parse(self, value, context):
        key = choice_key(as_text(value))
        if key in EVENT_TYPES:
            return EVENT_TYPES[key]
        raise CellError("is not an inspection type: Full, Interim, Monitoring or Assurance")


PARSERS: dict[str, Parser] = {
    "urn": urn_parser(),
    "linked_education_urn": Text(7, validator=validate_education_urn),
    "provision_type": Text(120),
    "registration_date": DateValue(),
    "registration_status": Choice(
        RegistrationStatus.choices,
        aliases={"registered": RegistrationStatus.ACTIVE, "canceled": RegistrationStatus.CANCELLED},
    ),
    "name": Redactable(200),
    "address_line_1": Redactable(200),
    "address_line_2": Redactable(200),
    "town": Redactable(100),
    "county": Redactable(100),
    "postcode": Postcode(),
    "ofsted_region": Text(60),
    "government_office_region": Text(60),
    "local_authority": Text(100),
    "sector": Text(40),
    "places": Integer(0, 10_000),
    "is_short_breaks_only": YesNo(blank=None),
    "is_multi_building": YesNo(blank=None),
    "owner": Redactable(200),
    "event_type": EventType(),
    "inspection_date": DateValue(),
    "publication_date": DateValue(),
    "event_number": Text(20),
    "overall": judgement_parser(),
    **{name: judgement_parser() for name in SUB_JUDGEMENTS},
}
PROVIDER_SECTORS = Choice(Sector.choices)


@dataclass
class Layout:
    header_row: int
    columns: dict[str, int]  # field -> column index
    headers: dict[str, str]  # field -> header text as written
    ignored: list[str] = field(default_factory=list)


def detect_layout(table, result: ImportResult) -> Layout | None:
    """Find the header row: the first of the top rows that names the most
    known columns, and at least the URN."""
    best: tuple[int, int, list] | None = None
    for number, cells in table.rows[:HEADER_SEARCH_ROWS]:
        keys = [
            ALIAS_INDEX.get(choice_key(as_text(c))) if not isinstance(c, CellIssue) else None
            for c in cells
        ]
        score = sum(1 for k in keys if k)
        if "urn" in keys and (best is None or score > best[0]):
            best = (score, number, cells)
    if best is None:
        result.add_problem(
            "This is not an Ofsted provider-level file this portal recognises: no header row "
            "with a 'URN' column was found in the first 30 rows. Missing columns: "
            + ", ".join(f"'{name}'" for name in REQUIRED.values())
            + "."
        )
        return None
    _, number, cells = best
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    ignored = []
    for index, cell in enumerate(cells):
        text = as_text(cell) if not isinstance(cell, CellIssue) else ""
        field_name = ALIAS_INDEX.get(choice_key(text))
        if field_name is None:
            if text:
                ignored.append(text)
            continue
        if field_name == "ignored" or field_name in columns:
            continue
        columns[field_name] = index
        headers[field_name] = text
    missing = [label for name, label in REQUIRED.items() if name not in columns]
    has_inspections = any(
        name in columns for name in ("inspection_date", "overall", "event_number")
    )
    if has_inspections:
        missing += [label for name, label in INSPECTION_REQUIRED.items() if name not in columns]
    if missing:
        result.add_problem(
            f"The header on row {number} is not a layout this portal recognises. Missing columns: "
            + ", ".join(f"'{label}'" for label in missing)
            + ". Known names for them include: "
            + "; ".join(
                f"{label}: " + " / ".join(f"'{a}'" for a in ALIASES[name][:3])
                for name, label in {**REQUIRED, **INSPECTION_REQUIRED}.items()
                if label in missing
            )
            + "."
        )
        return None
    return Layout(header_row=number, columns=columns, headers=headers, ignored=ignored)


@dataclass
class OfstedRow:
    number: int
    values: dict[str, object]


def parse_rows(table, layout: Layout, result: ImportResult) -> list[OfstedRow]:
    context = Context(date1904=table.date1904)
    counts = result.counts_for("Settings")
    rows: list[OfstedRow] = []
    first_seen: dict[str, int] = {}
    urn_index = layout.columns["urn"]
    for number, cells in table.rows:
        if number <= layout.header_row:
            continue
        urn_cell = cells[urn_index] if urn_index < len(cells) else None
        if is_blank(urn_cell):
            filled = sum(1 for cell in cells if not is_blank(cell))
            if filled > 3:
                result.add_problem("has no URN", row=number, column=layout.headers["urn"])
            else:
                counts.skipped += 1  # a footnote, title or blank line
            continue
        result.rows_read += 1
        values: dict[str, object] = {}
        valid = True
        for name, index in layout.columns.items():
            raw = cells[index] if index < len(cells) else None
            try:
                values[name] = PARSERS[name](raw, context)
            except CellError as exc:
                result.add_problem(
                    str(exc), row=number, column=layout.headers[name], value=display(raw)
                )
                valid = False
            else:
                if isinstance(raw, CellIssue) and "merged" not in raw.reason:
                    result.add_problem(
                        f"holds {raw.reason}", row=number, column=layout.headers[name]
                    )
                    valid = False
        if not valid:
            continue
        urn = values["urn"]
        if urn in first_seen:
            result.add_problem(
                f"repeats URN {urn} of row {first_seen[urn]}: each setting may appear once",
                row=number,
                column=layout.headers["urn"],
            )
            continue
        first_seen[urn] = number
        if not values.get("provision_type"):
            result.add_problem(
                "is empty, and Provision type is required",
                row=number,
                column=layout.headers["provision_type"],
            )
            continue
        rows.append(OfstedRow(number=number, values=values))
    return rows


def _chunks(items: list, size: int = 5000):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_ofsted(
    *, data: bytes, file_name: str, user, dry_run: bool = False, notify: bool = True
) -> ImportResult:
    """Check and (unless ``dry_run`` or any problem) import an Ofsted file."""
    result = ImportResult(file_name=file_name, dry_run=dry_run)
    for label in ("Providers", "Settings", "Inspections"):
        result.counts_for(label)
    try:
        table = read_table(data, file_name)
    except FileRejected as exc:
        result.add_problem(str(exc))
        return result
    layout = detect_layout(table, result)
    if layout is None:
        return result
    if layout.ignored:
        result.notes.append("Columns not imported: " + ", ".join(layout.ignored[:20]))
    rows = parse_rows(table, layout, result)
    plan = Plan(result=result)
    plan.build(rows)
    result.counts_for("Settings").invalid = result.invalid_rows
    if not result.ok or dry_run:
        return result
    plan.write(user=user, notify=notify)
    return result


class Plan:
    """What the rows change, worked out before anything is written."""

    def __init__(self, result: ImportResult):
        self.result = result
        self.new_providers: dict[str, Provider] = {}
        self.new_settings: list[Setting] = []
        self.changed_settings: dict[int, Setting] = {}
        self.setting_fields: set[str] = set()
        self.new_inspections: list[Inspection] = []
        self.changed_inspections: list[Inspection] = []
        self.inspection_fields: set[str] = set()
        self.touched_settings: list[Setting] = []

    def build(self, rows: list[OfstedRow]) -> None:
        urns = [row.values["urn"] for row in rows]
        existing: dict[str, Setting] = {}
        for chunk in _chunks(urns):
            for setting in Setting.objects.filter(urn__in=chunk):
                existing[setting.urn] = setting
        providers = self._load_providers(rows)
        inspections = self._load_inspections(list(existing.values()))
        counts = self.result.counts_for("Settings")
        for row in rows:
            setting = existing.get(row.values["urn"])
            creating = setting is None
            if creating:
                setting = Setting(urn=row.values["urn"])
            changed = self._apply_setting(setting, row.values, providers, row.number)
            if creating:
                self.new_settings.append(setting)
                counts.created += 1
                self._preview(row.number, "Settings", "new", setting, [])
            elif changed:
                self.changed_settings[setting.pk] = setting
                counts.updated += 1
                self._preview(row.number, "Settings", "update", setting, changed)
            else:
                counts.unchanged += 1
            if creating or changed:
                self.touched_settings.append(setting)
            self._plan_inspection(row, setting, inspections)

    def _preview(self, number, model, action, obj, changes) -> None:
        if len(self.result.changes) >= conf.IMPORT_PREVIEW_ROWS:
            self.result.change_total += 1  # counted, not described: the preview is full
            return
        fields = [
            FieldChange(
                name.replace("_", " "), display(old) if old is not None else "", display(new)
            )
            for name, old, new in changes
        ]
        self.result.record_change(
            RowChange(row=number, model=model, action=action, label=str(obj), fields=fields)
        )

    def _load_providers(self, rows) -> dict[str, Provider]:
        names = {normalise_provider_name(r.values["owner"]) for r in rows if r.values.get("owner")}
        found: dict[str, Provider] = {}
        for chunk in _chunks(sorted(names)):
            for provider in Provider.objects.filter(normalised_name__in=chunk).order_by("pk"):
                found.setdefault(provider.normalised_name, provider)
        return found

    def _load_inspections(self, settings: list[Setting]) -> dict[tuple, Inspection]:
        index: dict[tuple, Inspection] = {}
        ids = [s.pk for s in settings]
        for chunk in _chunks(ids):
            for inspection in Inspection.objects.filter(setting_id__in=chunk):
                if inspection.event_number:
                    index[(inspection.setting_id, "event", inspection.event_number)] = inspection
                index[
                    (
                        inspection.setting_id,
                        "date",
                        inspection.inspection_date,
                        inspection.inspection_type,
                    )
                ] = inspection
        return index

    def _owner(self, name: str, values, providers, number: int) -> Provider:
        key = normalise_provider_name(name)
        provider = providers.get(key) or self.new_providers.get(key)
        if provider is None:
            provider = Provider(
                name=name,
                normalised_name=key,
                approval_status=ApprovalStatus.APPLICANT,
                sector=_provider_sector(values.get("sector")),
            )
            self.new_providers[key] = provider
            self.result.counts_for("Providers").created += 1
            self._preview(number, "Providers", "new", provider, [])
        return provider

    def _apply_setting(self, setting: Setting, values, providers, number) -> list[tuple]:
        incoming = {
            "linked_education_urn": values.get("linked_education_urn"),
            "provision_type": values.get("provision_type"),
            "registration_status": values.get("registration_status"),
            "registration_date": values.get("registration_date"),
            "name": values.get("name"),
            "address_line_1": values.get("address_line_1"),
            "address_line_2": values.get("address_line_2"),
            "town": values.get("town"),
            "county": values.get("county"),
            "postcode": values.get("postcode"),
            "ofsted_region": values.get("ofsted_region") or values.get("government_office_region"),
            "local_authority": values.get("local_authority"),
            "ofsted_sector": values.get("sector"),
            "places": values.get("places"),
            "is_short_breaks_only": values.get("is_short_breaks_only"),
            "is_multi_building": values.get("is_multi_building"),
            "owner_name_from_ofsted": values.get("owner"),
        }
        changes = []
        for name in SETTING_FIELDS:
            new = incoming[name]
            if new in (None, ""):
                continue  # blank or REDACTED: keep what the register knows
            old = getattr(setting, name)
            if old != new:
                setattr(setting, name, new)
                self.setting_fields.add(name)
                changes.append((name, old, new))
        owner = values.get("owner")
        if owner:
            provider = self._owner(owner, values, providers, number)
            if provider.pk is None or setting.provider_id != provider.pk:
                current = setting.provider.name if setting.provider_id else ""
                setting.provider = provider
                self.setting_fields.add("provider")
                changes.append(("provider", current, provider.name))
        return changes

    def _plan_inspection(self, row: OfstedRow, setting: Setting, index) -> None:
        values = row.values
        inspection_date: date | None = values.get("inspection_date")
        counts = self.result.counts_for("Inspections")
        if inspection_date is None:
            if values.get("overall") or values.get("event_number"):
                self.result.add_problem("gives a judgement but no inspection date", row=row.number)
            return
        kind = values.get("event_type") or InspectionType.FULL
        event = values.get("event_number") or ""
        existing = None
        if setting.pk:
            if event:
                existing = index.get((setting.pk, "event", event))
            if existing is None:
                existing = index.get((setting.pk, "date", inspection_date, kind))
        target = existing or Inspection(
            setting=setting, event_number=event, inspection_date=inspection_date
        )
        incoming = {
            "inspection_type": kind,
            "publication_date": values.get("publication_date"),
            "overall": values.get("overall") or "",
            **{name: values.get(name) or "" for name in SUB_JUDGEMENTS},
        }
        changed = []
        for name in INSPECTION_FIELDS:
            new = incoming[name]
            if existing is not None and new in (None, ""):
                continue
            if getattr(target, name) != new:
                setattr(target, name, new)
                changed.append(name)
        if existing is not None and event and not existing.event_number:
            target.event_number = event
            changed.append("event_number")
        if existing is not None and not changed:
            counts.unchanged += 1
            return
        try:
            target.clean()
        except Exception as exc:  # ValidationError
            for message in getattr(exc, "messages", [str(exc)]):
                self.result.add_problem(message, row=row.number)
            return
        if existing is None:
            self.new_inspections.append(target)
            counts.created += 1
        else:
            self.changed_inspections.append(target)
            self.inspection_fields.update(changed)
            counts.updated += 1
        self.touched_settings.append(setting)

    def write(self, *, user, notify: bool) -> None:
        reason = import_reason(self.result.file_name)
        history = {"user": user, "reason": reason}
        try:
            with transaction.atomic():
                if self.new_providers:
                    bulk_create_with_history(list(self.new_providers.values()), Provider, **history)
                for setting in self.new_settings:
                    if setting.provider is not None:
                        setting.provider_id = setting.provider.pk
                if self.new_settings:
                    bulk_create_with_history(self.new_settings, Setting, **history)
                if self.changed_settings:
                    for setting in self.changed_settings.values():
                        if setting.provider is not None:
                            setting.provider_id = setting.provider.pk
                    bulk_update_with_history(
                        list(self.changed_settings.values()),
                        Setting,
                        sorted(self.setting_fields),
                        **history,
                    )
                for inspection in self.new_inspections:
                    inspection.setting_id = inspection.setting.pk
                if self.new_inspections:
                    bulk_create_with_history(self.new_inspections, Inspection, **history)
                if self.changed_inspections:
                    bulk_update_with_history(
                        self.changed_inspections,
                        Inspection,
                        sorted(self.inspection_fields),
                        **history,
                    )
                from registers.services.ofsted import respond_to_settings

                self.result.process = respond_to_settings(
                    setting_ids={s.pk for s in self.touched_settings}, user=user, notify=False
                )
        except (IntegrityError, DatabaseError) as exc:
            self.result.add_problem(
                f"Nothing was imported: the database refused a row ({exc.__class__.__name__}). "
                "Another import may have run meanwhile: try again."
            )
            return
        self.result.written = True
        if notify and self.result.process and self.result.process.flagged:
            from registers.services.notifications import send_ri_digest

            self.result.process.emails_sent = send_ri_digest(items=self.result.process.flagged)


def _provider_sector(value) -> str:
    if not value:
        return ""
    try:
        return PROVIDER_SECTORS(value, Context())
    except CellError:
        return ""
