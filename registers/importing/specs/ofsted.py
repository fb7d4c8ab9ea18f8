"""Ofsted's published provider-level files ("Children's social care data in
England"), in any year's layout, as a specification on the one engine.

The header is found below any title rows, columns are matched by the names
Ofsted has used over the years (registers.importing.specs.ofsted_columns),
judgement wording is normalised, and REDACTED reads as unknown: it never
overwrites a name or address the register knows. Each row plans a Setting by
URN, the Provider that owns it when the file names one, and the setting's
latest full inspection.
"""

from registers.importing.cells import CellError, Choice, Context, is_blank
from registers.importing.engine import ParsedRow, Spec
from registers.importing.plans import CLEAR, Plan, apply_values
from registers.importing.specs.ofsted_columns import (
    COLUMNS,
    EVENT_NUMBER,
    EVENT_TYPE,
    GOVERNMENT_OFFICE_REGION,
    INSPECTION_DATE,
    OVERALL,
    OWNER,
)
from registers.models import (
    ApprovalStatus,
    Inspection,
    InspectionType,
    Provider,
    Sector,
    Setting,
)
from registers.permissions import permitted
from registers.selectors.inspections import inspection_index
from registers.selectors.providers import provider_key, providers_matching

CHUNK = 5000


class OfstedSpec(Spec):
    model = Setting
    label = "Settings"
    header_search_rows = 30
    ignore_unknown_columns = True
    required_headers = ("Provision type", "Local authority", "Name")
    columns = COLUMNS

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
        settings = self._existing_settings(rows, user)
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
            provider = self._region_and_owner(change.obj, row, owners)
            if row.invalid:
                continue
            if provider is not None and provider.pk is None and id(provider) not in new_providers:
                provider.sector = _provider_sector(row.values.get("Sector"))
                new_providers[id(provider)] = (provider, row.number)
            plan.add(change, label="Settings")
            self._plan_inspection(row, change.obj, index, inspection_columns, plan)
        for provider, number in new_providers.values():
            plan.add(plan.new_change(provider, row=number), label="Providers")

    def _existing_settings(self, rows, user) -> dict[str, Setting]:
        urns = sorted({row.values["URN"] for row in rows})
        visible = permitted(user, ("view", "change"), Setting.objects.all())
        found: dict[str, Setting] = {}
        for start in range(0, len(urns), CHUNK):
            for setting in visible.filter(urn__in=urns[start : start + CHUNK]):
                found[setting.urn] = setting
        return found

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

    def _region_and_owner(self, setting: Setting, row: ParsedRow, owners) -> Provider | None:
        """Fill the region from the older column, and link the owner Ofsted names."""
        region = row.values.get(GOVERNMENT_OFFICE_REGION)
        if not setting.ofsted_region and isinstance(region, str) and region:
            setting.ofsted_region = region
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
        if not row.invalid:
            plan.add(change, label="Inspections")


def _provider_sector(value) -> str:
    if not isinstance(value, str) or not value:
        return ""
    try:
        return Choice(Sector.choices)(value, Context())
    except CellError:
        return ""
