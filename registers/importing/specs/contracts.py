"""Contracts in spreadsheets."""

from registers.importing.cells import Choice, DateValue, Integer, Money, Text, YesNo
from registers.importing.engine import Column, Spec
from registers.importing.specs.common import (
    dd_mm_yyyy,
    label_of,
    lot_lookup,
    lot_reference,
    provider_lookup,
    resolve_column,
    setting_lookup,
    urn_parser,
    user_lookup,
    yes_no,
)
from registers.models import Contract, ProcurementRoute, TenderType
from registers.permissions import has_perm
from registers.validators import validate_cpv


class ContractSpec(Spec):
    model = Contract
    label = "Contracts"
    columns = [
        Column("Reference", "reference", Text(50), required=True),
        Column("Title", "title", Text(200), required=True),
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
            export=lambda c: c.contract_manager.username if c.contract_manager_id else "",
            help="username or email",
        ),
        Column(
            "Start date",
            "start_date",
            DateValue(),
            required=True,
            export=lambda c: dd_mm_yyyy(c.start_date),
        ),
        Column(
            "End date",
            "end_date",
            DateValue(),
            required=True,
            export=lambda c: dd_mm_yyyy(c.end_date),
        ),
        Column(
            "Review date", "review_date", DateValue(), export=lambda c: dd_mm_yyyy(c.review_date)
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
            YesNo(blank=False),
            export=lambda c: yes_no(c.is_key_contract),
        ),
        Column("Spot purchase justification", "spot_justification", Text()),
        Column("Extensions used", importable=False, export=lambda c: c.extensions_used),
        Column(
            "Spot purchase authorised on",
            importable=False,
            export=lambda c: dd_mm_yyyy(c.spot_authorised_on),
        ),
    ]

    def row_key(self, row):
        return row.values.get("Reference")

    def key_description(self, key) -> str:
        return f"reference {key}"

    def resolve(self, rows, result, user):
        resolve_column(
            rows,
            result,
            "Provider",
            provider_lookup,
            lambda ref: "is not a provider on the register: add the provider first",
        )
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
            "Framework lot",
            lot_lookup,
            lambda ref: "is not a lot: write the framework reference/lot number",
        )
        resolve_column(
            rows, result, "Contract manager", user_lookup, lambda ref: "is not an active user"
        )

    def find_existing(self, rows, result, user):
        references = {row.values["Reference"] for row in rows}
        existing = Contract.objects.select_related(
            "provider", "setting", "lot__framework", "contract_manager"
        ).filter(reference__in=references)
        by_reference = {contract.reference: contract for contract in existing}
        for row in rows:
            row.obj = by_reference.get(row.values["Reference"])
            row.previous_manager = row.obj.contract_manager if row.obj else None

    def new_object(self, row, user):
        return Contract(spot_requested_by=user)

    def check_permission(self, obj, row, user, changed):
        if "contract_manager" in changed and not has_perm(user, "registers.change_contract"):
            return "changes the contract manager, which only managers and business support may do"
        return None

    def after_write(self, *, created, updated, user, result):
        from registers.services.access import sync_contract_manager
        from registers.services.ofsted import respond_to_settings

        for contract in created:
            if contract.contract_manager_id:
                sync_contract_manager(contract=contract)
        for contract in updated:
            previous = getattr(contract, "_import_previous_manager", None)
            if contract.contract_manager_id != getattr(previous, "pk", None):
                sync_contract_manager(contract=contract, previous_manager=previous)
        setting_ids = {c.setting_id for c in [*created, *updated] if c.setting_id}
        result.process = respond_to_settings(setting_ids=setting_ids, user=user)

    def apply(self, obj, row):
        obj._import_previous_manager = getattr(row, "previous_manager", None)
        changed = super().apply(obj, row)
        if obj.pk is None and obj.procurement_route != ProcurementRoute.SPOT_PURCHASE:
            obj.spot_requested_by = None
        return changed
