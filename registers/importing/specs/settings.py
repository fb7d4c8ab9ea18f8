"""Settings in spreadsheets."""

from registers.importing.cells import Choice, DateValue, Integer, Text, YesNo
from registers.importing.engine import Column, ParsedRow, Spec
from registers.importing.plans import Plan
from registers.importing.specs.common import (
    export_date,
    provider_lookup,
    resolve_column,
    urn_parser,
    yes_no,
)
from registers.importing.specs.providers import address_columns
from registers.models import RegistrationStatus, Setting
from registers.permissions import permitted
from registers.validators import validate_education_urn


class SettingSpec(Spec):
    model = Setting
    label = "Settings"
    columns = [
        Column("URN", "urn", urn_parser(), key=True, example="SC123456"),
        Column("Name", "name", Text(200), example="Oak Tree House"),
        Column(
            "Provider",
            "provider",
            Text(200),
            export=lambda s: s.provider.name if s.provider_id else "",
            help="provider name or Companies House number",
        ),
        Column("Provision type", "provision_type", Text(120), required=True),
        Column(
            "Registration status",
            "registration_status",
            Choice(RegistrationStatus.choices),
            export=lambda s: s.get_registration_status_display(),
        ),
        Column(
            "Registration date",
            "registration_date",
            DateValue(),
            export=lambda s: export_date(s.registration_date),
        ),
        Column("Places", "places", Integer(0, 10_000)),
        Column(
            "Linked education URN",
            "linked_education_urn",
            Text(7, validator=validate_education_urn),
        ),
        *address_columns(),
        Column("Local authority", "local_authority", Text(100)),
        Column("Ofsted region", "ofsted_region", Text(60)),
        Column("Ofsted sector", "ofsted_sector", Text(40)),
        Column(
            "Short-breaks only",
            "is_short_breaks_only",
            YesNo(blank=None),
            export=lambda s: yes_no(s.is_short_breaks_only),
        ),
        Column(
            "Multi-building home",
            "is_multi_building",
            YesNo(blank=None),
            export=lambda s: yes_no(s.is_multi_building),
        ),
        # Enforcement is recorded through its own service (services/enforcements.py),
        # which plans the risk visit: a spreadsheet only reads it.
        Column(
            "Compliance notice served on",
            importable=False,
            export=lambda s: export_date(s.compliance_notice_on),
        ),
        Column(
            "Restriction on accommodation from",
            importable=False,
            export=lambda s: export_date(s.accommodation_restriction_on),
        ),
        Column(
            "Enhanced monitoring", importable=False, export=lambda s: yes_no(s.enhanced_monitoring)
        ),
    ]

    def row_key(self, row):
        return row.values.get("URN")

    def key_description(self, key) -> str:
        return f"URN {key}"

    def resolve(self, rows, plan: Plan, user):
        resolve_column(
            rows,
            plan,
            "Provider",
            provider_lookup(user),
            "is not a provider on the register: add the provider first",
        )

    def find_existing(self, rows: list[ParsedRow], plan: Plan, user) -> dict:
        urns = {row.values["URN"] for row in rows}
        visible = permitted(user, ("view", "change"), Setting.objects.all())
        found = {s.urn: s for s in visible.select_related("provider").filter(urn__in=urns)}
        return {row.number: found[row.values["URN"]] for row in rows if row.values["URN"] in found}
