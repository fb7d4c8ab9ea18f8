"""Ofsted's published provider-level files ("Children's social care data in
England"), in any year's layout, as a specification on the one engine.

The header is found below any title rows, columns are matched by the names
Ofsted has used over the years (registers.importing.specs.ofsted_columns),
judgement wording is normalised, and REDACTED reads as unknown: it never
overwrites a name or address the register knows. Each row plans a Setting by
URN, the Provider that owns it when the file names one, and the setting's
latest full inspection.

Published data is the authority: what merely surprises the register's rules
(a judgement on a monitoring inspection, an unknown provision type, a
registration date after the inspection) is imported as published and listed
as a warning. A cell that cannot be read, or a URN given twice, still stops
the import. A joiners-and-leavers file given to this spec is read by
OfstedJoinersLeaversSpec instead.
"""

from datetime import date

from registers.changes import AS_PUBLISHED
from registers.importing.cells import CellError, Choice, Context, display, is_blank
from registers.importing.engine import ParsedRow, Spec
from registers.importing.plans import CLEAR, Plan, apply_values
from registers.importing.specs.ofsted_columns import (
    COLUMNS,
    EVENT_NUMBER,
    EVENT_TYPE,
    INSPECTION_DATE,
    LOCAL_AUTHORITY,
    OVERALL,
    OWNER,
    PROVISION_TYPE,
    REGISTRATION_DATE,
)
from registers.importing.specs.ofsted_joiners_leavers import (
    OfstedJoinersLeaversSpec,
    is_joiners_leavers,
)
from registers.importing.specs.ofsted_rows import (
    as_at_date,
    fill_region,
    settings_by_urn,
    settle_registration,
    spell_as_register,
)
from registers.importing.tables import Table
from registers.models import (
    ApprovalStatus,
    Inspection,
    InspectionType,
    Judgement,
    Provider,
    Sector,
    Setting,
)
from registers.permissions import permitted
from registers.selectors.inspections import inspection_index
from registers.selectors.providers import provider_key, providers_matching


class OfstedSpec(Spec):
    model = Setting
    label = "Settings"
    kind = "Ofsted provider-level file"
    header_search_rows = 30
    ignore_unknown_columns = True
    # Names, owners and inspections are optional: some years publish none of them.
    required_headers = (PROVISION_TYPE, LOCAL_AUTHORITY)
    columns = COLUMNS

    def __init__(self, as_at: date | None = None):
        self.as_at = as_at  # the date the file describes, when it says

    def for_table(self, table: Table, file_name: str) -> Spec:
        as_at = as_at_date(table, file_name, self.header_search_rows)
        if is_joiners_leavers(table, self.header_search_rows):
            return OfstedJoinersLeaversSpec(as_at=as_at)
        return type(self)(as_at=as_at)

    def write_order(self):
        return [Provider, Setting, Inspection]

    def count_labels(self):
        return ["Providers", "Settings", "Inspections"]

    def row_key(self, row: ParsedRow):
        return row.values.get("URN")

    def key_description(self, key) -> str:
        return f"URN {key}"

    def is_footnote(self, cells) -> bool:
        # A source note or total under the table: no URN, and little else.
        if not is_blank(cells.get("URN")):
            return False
        return sum(1 for value in cells.values() if not is_blank(value)) <= 3

    # --- the plan -----------------------------------------------------------------

    def plan(self, rows: list[ParsedRow], plan: Plan, user) -> None:
        rows = [row for row in rows if not row.invalid]
        inspection_headers = {INSPECTION_DATE, OVERALL, EVENT_NUMBER}
        present = rows[0].present if rows else set()
        if present & inspection_headers and not {INSPECTION_DATE, OVERALL} <= present:
            plan.result.add_problem(
                "The file has inspection columns but not both "
                f"'{INSPECTION_DATE}' and '{OVERALL}' (or their older names)."
            )
            return
        settings = settings_by_urn(rows, user)
        owners = self._owners(rows, plan, user)
        index = inspection_index(s.pk for s in settings.values())
        setting_columns = self.columns_of(Setting)
        inspection_columns = self.columns_of(Inspection)
        new_providers: dict[int, tuple[Provider, int]] = {}
        for row in rows:
            stored = settings.get(row.values["URN"])
            change = (
                plan.change_for(stored, row=row.number)
                if stored
                else plan.new_change(Setting(), row=row.number)
            )
            apply_values(change, row, setting_columns, plan)
            spell_as_register(change.obj, row, plan.result)
            fill_region(change.obj, row)
            registered = change.obj.registration_date
            settle_registration(
                change,
                row,
                plan.result,
                since=registered if change.is_new and registered else None,
                as_at=self.as_at,
            )
            provider = self._owner(change.obj, row, owners)
            if row.invalid:
                continue
            if provider is not None and provider.pk is None and id(provider) not in new_providers:
                provider.sector = _provider_sector(row.values.get("Sector"))
                new_providers[id(provider)] = (provider, row.number)
            plan.add(change, label="Settings")
            self._plan_inspection(row, change.obj, index, inspection_columns, plan)
        for provider, number in new_providers.values():
            plan.add(plan.new_change(provider, row=number), label="Providers")

    def _owners(self, rows, plan: Plan, user) -> dict[str, Provider | None]:
        """Each owner name -> the provider it names: found, new, or (when several
        providers answer to it) none, with a warning. Never a guess."""
        names = {row.values[OWNER] for row in rows if isinstance(row.values.get(OWNER), str)} - {""}
        keys = {name: provider_key(name=name) for name in names}
        visible = permitted(user, ("view", "change"), Provider.objects.all())
        matches = providers_matching(keys.values(), queryset=visible)
        new: dict[str, Provider] = {}  # one new provider per owner, however often named
        owners: dict[str, Provider | None] = {}
        for name, key in keys.items():
            found = matches[key]
            if len(found) == 1:
                owners[name] = found[0]
            elif len(found) > 1:
                owners[name] = None
                plan.result.add_warning(
                    f"matches {len(found)} providers: the settings it owns are left for "
                    "matching by hand",
                    column=OWNER,
                    value=name,
                )
            else:
                if key.name not in new:
                    new[key.name] = Provider(name=name, approval_status=ApprovalStatus.APPLICANT)
                owners[name] = new[key.name]
        return owners

    def _owner(self, setting: Setting, row: ParsedRow, owners) -> Provider | None:
        """Link the owner Ofsted names."""
        owner = row.values.get(OWNER)
        if not isinstance(owner, str) or not owner:
            return None
        setting.owner_name_from_ofsted = owner
        provider = owners.get(owner)
        if provider is not None and (provider.pk is None or setting.provider_id != provider.pk):
            setting.provider = provider
        return provider

    def _plan_inspection(self, row, setting, index, columns, plan: Plan) -> None:
        values = row.values
        when = values.get(INSPECTION_DATE)
        if when in (None, "", CLEAR):
            if values.get(OVERALL) or values.get(EVENT_NUMBER):
                plan.problem(row, "gives a judgement but no inspection date")
            return
        kind = values.get(EVENT_TYPE) or InspectionType.FULL
        stored = index.match(
            setting_id=setting.pk,
            event_number=values.get(EVENT_NUMBER) or "",
            inspection_date=when,
            kind=kind,
        )
        if stored is None:
            change = plan.new_change(Inspection(setting=setting), row=row.number)
        else:
            change = plan.change_for(stored, row=row.number)
        apply_values(change, row, columns, plan)
        change.obj.inspection_type = kind
        _warn_of_surprises(row, change, setting, plan)
        if not row.invalid:
            plan.add(change, label="Inspections")


def _warn_of_surprises(row: ParsedRow, change, setting: Setting, plan: Plan) -> None:
    """What Ofsted published that the register's rules would not expect."""
    inspection = change.obj
    if inspection.inspection_type in (InspectionType.MONITORING, InspectionType.ASSURANCE) and (
        inspection.overall not in ("", Judgement.NOT_JUDGED)
    ):
        change.context[AS_PUBLISHED] = True
        plan.result.add_warning(
            f"is a {inspection.get_inspection_type_display().lower()} inspection with a "
            f"judgement ({Judgement(inspection.overall).label}): imported as published; the "
            "current rating comes from full inspections only",
            row=row.number,
            column=EVENT_TYPE,
        )
    registered = setting.registration_date
    if registered and inspection.inspection_date and registered > inspection.inspection_date:
        plan.result.add_warning(
            f"is after the inspection date ({display(inspection.inspection_date)}): imported "
            "as published",
            row=row.number,
            column=REGISTRATION_DATE,
            value=display(registered),
        )


def _provider_sector(value) -> str:
    if not isinstance(value, str) or not value:
        return ""
    try:
        return Choice(Sector.choices)(value, Context())
    except CellError:
        return ""
