"""The Local Government Transparency Code 2015: contracts over £5,000."""

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TextIO

from django.conf import settings as conf
from django.db.models import Q, QuerySet

from registers.dates import quarter_bounds
from registers.importing.safety import escape_formula
from registers.models import Authority, Contract
from registers.permissions import Actor, owned_by
from registers.selectors.contracts import unauthorised_spot_q


@dataclass(frozen=True)
class CodeField:
    label: str
    value: object  # callable(contract) -> value


def _value(contract: Contract) -> Decimal | None:
    return contract.total_value if contract.total_value is not None else contract.annual_value


def _registration(contract: Contract) -> str:
    return contract.provider.company_number or contract.provider.charity_number


# What the Code requires, in the order the published file lists it.
REQUIRED = [
    CodeField("Reference", lambda c: c.reference),
    CodeField("Title", lambda c: c.title),
    CodeField("Description", lambda c: c.description),
    CodeField("Department", lambda c: c.department),
    CodeField("Supplier name", lambda c: c.provider.name),
    CodeField("Supplier registration number", _registration),
    CodeField("Start date", lambda c: c.start_date),
    CodeField("End date", lambda c: c.end_date),
    CodeField("Review date", lambda c: c.review_date),
    CodeField("Total value or estimated annual spend", _value),
    CodeField("VAT that cannot be recovered", lambda c: c.vat_not_recoverable),
    CodeField("Procurement process", lambda c: c.procurement_route),
    CodeField("Published tender or invitation to quote", lambda c: c.tender_type),
    CodeField("SME status", lambda c: c.provider.is_sme),
    CodeField("VCSE status", lambda c: c.provider.is_vcse),
]

HEADERS = [
    "Reference",
    "Title",
    "Description",
    "Department",
    "Supplier name",
    "Supplier company number",
    "Supplier charity number",
    "Start date",
    "End date",
    "Review date",
    "Total value (£)",
    "Estimated annual spend (£)",
    "VAT not recoverable (£)",
    "Procurement process",
    "Published tender or invitation to quote",
    "SME",
    "VCSE",
]


def transparency_applies(contract: Contract) -> bool:
    value = _value(contract)
    return value is not None and value > conf.TRANSPARENCY_THRESHOLD


def transparency_missing_fields(*, contract: Contract) -> list[str]:
    """The Code's fields a contract over £5,000 lacks; empty when publishable
    or below the threshold."""
    if not transparency_applies(contract):
        return []
    return [field.label for field in REQUIRED if field.value(contract) in (None, "")]


def transparency_contracts(
    *, year: int, quarter: int, user: Actor = None, authority_id: int | None = None
) -> QuerySet[Contract]:
    """Contracts over £5,000 live at any time in the quarter: of the user's
    authorities and, given one, of that authority only (each council publishes its own)."""
    start, end = quarter_bounds(year, quarter)
    threshold = conf.TRANSPARENCY_THRESHOLD
    contracts = owned_by(user, Contract.objects.all())
    if authority_id is not None:
        contracts = contracts.filter(authority_id=authority_id)
    return (
        contracts.filter(start_date__lte=end, end_date__gte=start)
        .filter(Q(terminated_on__isnull=True) | Q(terminated_on__gte=start))
        .exclude(unauthorised_spot_q())
        .filter(
            Q(total_value__gt=threshold) | Q(total_value__isnull=True, annual_value__gt=threshold)
        )
        .select_related("provider")
        .order_by("reference")
    )


def _date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _money(value: Decimal | None) -> str:
    return f"{value:.2f}" if value is not None else ""


def _yes_no(value: bool | None) -> str:
    return {True: "Yes", False: "No"}.get(value, "")


def row_for(contract: Contract) -> list[str]:
    return [
        contract.reference,
        contract.title,
        contract.description,
        contract.department,
        contract.provider.name,
        contract.provider.company_number,
        contract.provider.charity_number,
        _date(contract.start_date),
        _date(contract.end_date),
        _date(contract.review_date),
        _money(contract.total_value),
        _money(contract.annual_value),
        _money(contract.vat_not_recoverable),
        contract.get_procurement_route_display(),
        contract.get_tender_type_display() if contract.tender_type else "",
        _yes_no(contract.provider.is_sme),
        _yes_no(contract.provider.is_vcse),
    ]


def transparency_csv_write(
    *,
    year: int,
    quarter: int,
    stream: TextIO,
    user: Actor = None,
    authority_id: int | None = None,
) -> int:
    """Write the quarter's file of publishable contracts; returns their number.
    Those lacking a field the Code requires are left out (transparency_left_out)."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(HEADERS)
    count = 0
    for contract in transparency_contracts(
        year=year, quarter=quarter, user=user, authority_id=authority_id
    ):
        if transparency_missing_fields(contract=contract):
            continue  # left out: transparency_left_out lists it to whoever publishes
        writer.writerow([escape_formula(cell) for cell in row_for(contract)])
        count += 1
    return count


@dataclass(frozen=True)
class LeftOut:
    """A contract the Code asks to publish, held back for the fields it lacks."""

    contract: Contract
    missing: list[str]

    def __str__(self) -> str:
        return f"{self.contract.reference} (missing: {', '.join(self.missing)})"


def transparency_left_out(
    *, year: int, quarter: int, user: Actor = None, authority_id: int | None = None
) -> list[LeftOut]:
    """The quarter's contracts the file leaves out as not publishable, with what
    each lacks: the page and the command list them, so nothing is dropped unseen."""
    found = []
    for contract in transparency_contracts(
        year=year, quarter=quarter, user=user, authority_id=authority_id
    ):
        missing = transparency_missing_fields(contract=contract)
        if missing:
            found.append(LeftOut(contract=contract, missing=missing))
    return found


def transparency_authority(*, code: str) -> int:
    """The authority of an ONS code (or name), for the command's --authority."""
    found = Authority.objects.filter(Q(code__iexact=code) | Q(name__iexact=code)).first()
    if found is None:
        raise LookupError(f"No authority has the code or name {code!r}.")
    return found.pk


def contracts_not_publishable(queryset: QuerySet[Contract]) -> list[int]:
    """The ids of the contracts of ``queryset`` the Code requires published that
    lack a field it requires (transparency_missing_fields): one query."""
    return [
        contract.pk
        for contract in queryset.select_related("provider")
        if transparency_missing_fields(contract=contract)
    ]
