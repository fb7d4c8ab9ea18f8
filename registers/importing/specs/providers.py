"""Providers in spreadsheets."""

from django.core.validators import validate_email

from registers.importing.cells import Choice, Text, YesNo
from registers.importing.engine import Column, ParsedRow, Spec
from registers.importing.plans import Plan
from registers.importing.specs.common import export_date, label_of, yes_no
from registers.models import ApprovalStatus, Provider, Sector
from registers.permissions import permitted
from registers.selectors.providers import provider_key, providers_matching
from registers.validators import (
    normalise_company_number,
    normalise_postcode,
    normalise_provider_name,
    validate_charity_number,
    validate_company_number,
    validate_postcode,
)


def address_columns() -> list[Column]:
    return [
        Column("Address line 1", "address_line_1", Text(200)),
        Column("Address line 2", "address_line_2", Text(200)),
        Column("Town", "town", Text(100)),
        Column("County", "county", Text(100)),
        Column(
            "Postcode",
            "postcode",
            Text(10, normalise=normalise_postcode, validator=validate_postcode),
        ),
    ]


class ProviderSpec(Spec):
    model = Provider
    label = "Providers"
    columns = [
        Column("Name", "name", Text(200), required=True, example="Oak Tree Care Ltd"),
        Column("Trading name", "trading_name", Text(200)),
        Column(
            "Companies House number",
            "company_number",
            Text(12, normalise=normalise_company_number, validator=validate_company_number),
            help="8 characters; short legacy numbers are zero-padded",
        ),
        Column(
            "Charity number",
            "charity_number",
            Text(12, normalise=str.upper, validator=validate_charity_number),
        ),
        Column("Sector", "sector", Choice(Sector.choices), export=lambda p: label_of(p, "sector")),
        Column("SME", "is_sme", YesNo(blank=None), export=lambda p: yes_no(p.is_sme)),
        Column("VCSE", "is_vcse", YesNo(blank=None), export=lambda p: yes_no(p.is_vcse)),
        *address_columns(),
        Column("Main contact", "contact_name", Text(200)),
        Column("Contact email", "contact_email", Text(254, validator=validate_email)),
        Column("Contact phone", "contact_phone", Text(30)),
        Column(
            "Approval status",
            "approval_status",
            Choice(ApprovalStatus.choices),
            export=lambda p: p.get_approval_status_display(),
            help="managers only; Approved with conditions, Suspended and Removed need a reason",
        ),
        Column(
            "Reason for status",
            "approval_status_reason",
            Text(),
            help="required when the approval status changes to one that needs a reason",
        ),
        Column(
            "Status changed on",
            importable=False,
            export=lambda p: export_date(p.approval_status_changed_on),
        ),
        Column(
            "Approval review required",
            importable=False,
            export=lambda p: yes_no(p.approval_review_required),
        ),
    ]

    def row_key(self, row: ParsedRow):
        number = row.values.get("Companies House number")
        if isinstance(number, str) and number:
            return ("number", number)
        name = row.values.get("Name")
        return ("name", normalise_provider_name(name)) if isinstance(name, str) and name else None

    def key_description(self, key) -> str:
        kind, value = key
        return f"Companies House number {value}" if kind == "number" else "the provider name"

    def find_existing(self, rows: list[ParsedRow], plan: Plan, user) -> dict:
        keys = {
            row.number: provider_key(
                number=_text(row, "Companies House number"), name=_text(row, "Name")
            )
            for row in rows
        }
        visible = permitted(user, ("view", "change"), Provider.objects.all())
        matches = providers_matching(keys.values(), queryset=visible)
        existing = {}
        for row in rows:
            found = matches[keys[row.number]]
            if len(found) > 1:
                plan.problem(
                    row,
                    f"matches {len(found)} providers of that name: add the Companies House "
                    "number to tell them apart",
                    column="Name",
                    value=_text(row, "Name"),
                )
            elif found:
                existing[row.number] = found[0]
        return existing

    def new_object(self, row, user):
        return Provider(approval_status=ApprovalStatus.APPLICANT)


def _text(row: ParsedRow, header: str) -> str:
    value = row.values.get(header)
    return value if isinstance(value, str) else ""
