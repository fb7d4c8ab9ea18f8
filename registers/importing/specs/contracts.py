"""Contracts in spreadsheets."""

from registers.importing.cells import Choice, DateValue, Integer, Money, Text, YesNo
from registers.importing.engine import Column, ParsedRow, Spec
from registers.importing.plans import Plan
from registers.importing.specs.common import (
    export_date,
    label_of,
    lot_lookup,
    lot_reference,
    person,
    provider_lookup,
    resolve_column,
    setting_lookup,
    urn_parser,
    user_lookup,
    yes_no,
)
from registers.models import Contract, ProcurementRoute, TenderType
from registers.permissions import changeable_ids
from registers.validators import validate_cpv

HIDDEN = "is not a contract you may change"


class ContractSpec(Spec):
    model = Contract
    label = "Contracts"
    columns = [
        Column("Reference", "reference", Text(50), key=True, example="CS-2026-001"),
        Column("Title", "title", Text(200), required=True, example="Residential care, two places"),
        Column("Description", "description", Text()),
        Column(
            "Provider",
            "provider",
            Text(200),
            required=True,
            export=lambda c: c.provider.name,
            help="provider name or Companies House number",
        ),
        Column(
            "Setting URN",
            "setting",
            urn_parser(),
            export=lambda c: c.setting.urn if c.setting_id else "",
        ),
        Column("Department", "department", Text(100)),
        Column("Cost centre", "cost_centre", Text(20)),
        Column("Service category", "service_category", Text(100)),
        Column("CPV code", "cpv_code", Text(10, validator=validate_cpv)),
        Column(
            "Procurement route",
            "procurement_route",
            Choice(ProcurementRoute.choices),
            required=True,
            export=lambda c: c.get_procurement_route_display(),
        ),
        Column(
            "Published tender or invitation to quote",
            "tender_type",
            Choice(TenderType.choices),
            export=lambda c: label_of(c, "tender_type"),
        ),
        Column(
            "Framework lot",
            "lot",
            Text(60),
            export=lambda c: lot_reference(c.lot),
            help="framework reference/lot number, e.g. NW-FPS-2024/2",
        ),
        Column(
            "Contract manager",
            "contract_manager",
            Text(150),
            export=lambda c: person(c.contract_manager),
            help="username or email",
        ),
        Column(
            "Start date",
            "start_date",
            DateValue(),
            required=True,
            export=lambda c: export_date(c.start_date),
        ),
        Column(
            "End date",
            "end_date",
            DateValue(),
            required=True,
            export=lambda c: export_date(c.end_date),
        ),
        Column(
            "Review date", "review_date", DateValue(), export=lambda c: export_date(c.review_date)
        ),
        Column("Notice period (months)", "notice_period_months", Integer(0, 24)),
        Column("Extension options", "extension_options", Integer(0, 10)),
        Column("Extension length (months)", "extension_months", Integer(0, 60)),
        Column("Recommissioning lead time (months)", "recommissioning_lead_months", Integer(0, 60)),
        Column("Annual value (£)", "annual_value", Money()),
        Column("Total value (£)", "total_value", Money()),
        Column("VAT not recoverable (£)", "vat_not_recoverable", Money()),
        Column(
            "Key contract",
            "is_key_contract",
            YesNo(blank=None),
            export=lambda c: yes_no(c.is_key_contract),
        ),
        Column("Spot purchase justification", "spot_justification", Text()),
        Column("Extensions used", importable=False, export=lambda c: c.extensions_used),
        Column(
            "Spot purchase authorised on",
            importable=False,
            export=lambda c: export_date(c.spot_authorised_on),
        ),
    ]

    def row_key(self, row):
        return row.values.get("Reference")

    def key_description(self, key) -> str:
        return f"reference {key}"

    def resolve(self, rows, plan: Plan, user):
        resolve_column(
            rows,
            plan,
            "Provider",
            provider_lookup(user),
            "is not a provider on the register: add the provider first",
        )
        resolve_column(
            rows, plan, "Setting URN", setting_lookup(user), "is not a setting on the register"
        )
        resolve_column(
            rows,
            plan,
            "Framework lot",
            lot_lookup,
            "is not a lot: write the framework reference/lot number",
        )
        resolve_column(rows, plan, "Contract manager", user_lookup, "is not an active user")

    def find_existing(self, rows: list[ParsedRow], plan: Plan, user) -> dict:
        references = {row.values["Reference"] for row in rows}
        found = {
            contract.reference: contract
            for contract in Contract.objects.select_related(
                "provider", "setting", "lot__framework", "contract_manager"
            ).filter(reference__in=references)
        }
        # A reference the importer may not change gets the same answer as one
        # that is taken: the row names no contract they may write to.
        allowed = changeable_ids(user, Contract, [c.pk for c in found.values()])
        existing = {}
        for row in rows:
            contract = found.get(row.values["Reference"])
            if contract is None:
                continue
            if contract.pk not in allowed:
                plan.problem(row, HIDDEN, column="Reference", value=row.values["Reference"])
            else:
                existing[row.number] = contract
        return existing
