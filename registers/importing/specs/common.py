"""Shared column types: references to other records, judgements, dates."""

import re
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Q

from registers.importing.cells import Choice, Text, as_text
from registers.models import Judgement, Lot, Provider, Setting
from registers.models.providers import normalise_provider_name
from registers.validators import (
    COMPANY_RE,
    normalise_company_number,
    normalise_urn,
    validate_urn,
)

JUDGEMENT_ALIASES = {
    "requires improvement": Judgement.REQUIRES_IMPROVEMENT,
    "RI": Judgement.REQUIRES_IMPROVEMENT,
    "improved": Judgement.IMPROVED,
    "sustained": Judgement.SUSTAINED,
    "declined": Judgement.DECLINED,
    "declined effectiveness": Judgement.DECLINED,
    "not applicable": Judgement.NOT_JUDGED,
    "n/a": Judgement.NOT_JUDGED,
}


def judgement_parser() -> Choice:
    """Ofsted's wording over the years: "Requires improvement", "Requires
    Improvement", "Requires improvement to be good" are one judgement."""
    return Choice(Judgement.choices, aliases=JUDGEMENT_ALIASES)


def urn_parser() -> Text:
    return Text(12, normalise=normalise_urn, validator=validate_urn)


def dd_mm_yyyy(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def yes_no(value) -> str:
    return {True: "Yes", False: "No"}.get(value, "")


def label_of(obj, field_name: str) -> str:
    return getattr(obj, f"get_{field_name}_display")() if getattr(obj, field_name) else ""


# --- references resolved in bulk ---------------------------------------------


def resolve_column(rows, result, header: str, lookup, describe) -> None:
    """Replace each row's reference in ``header`` with the object ``lookup`` finds.

    ``lookup`` takes the set of references and returns {reference: object or
    list of objects}; ``describe`` explains a missing one.
    """
    wanted = {row.values[header] for row in rows if row.values.get(header) not in (None, "")}
    if not wanted:
        return
    found = lookup(wanted)
    for row in rows:
        reference = row.values.get(header)
        if reference in (None, ""):
            row.values[header] = None
            continue
        match = found.get(reference)
        if isinstance(match, list):
            if len(match) == 1:
                match = match[0]
            else:
                result.add_problem(
                    f"matches {len(match)} records: give a unique reference",
                    row=row.number,
                    column=header,
                    value=str(reference),
                )
                row.invalid = True
                continue
        if match is None:
            result.add_problem(
                describe(reference), row=row.number, column=header, value=str(reference)
            )
            row.invalid = True
            continue
        row.values[header] = match


def provider_lookup(references: set[str]) -> dict:
    """A provider by Companies House number, or by name however it is written."""
    numbers = {normalise_company_number(r) for r in references}
    numbers = {n for n in numbers if COMPANY_RE.match(n)}
    names = {normalise_provider_name(r) for r in references}
    by_number = {p.company_number: p for p in Provider.objects.filter(company_number__in=numbers)}
    by_name = defaultdict(list)
    for provider in Provider.objects.filter(normalised_name__in=names):
        by_name[provider.normalised_name].append(provider)
    found = {}
    for reference in references:
        number = normalise_company_number(reference)
        if number in by_number:
            found[reference] = by_number[number]
        else:
            found[reference] = by_name.get(normalise_provider_name(reference)) or None
    return found


def setting_lookup(references: set[str]) -> dict:
    settings = Setting.objects.filter(urn__in=references)
    return {setting.urn: setting for setting in settings}


def user_lookup(references: set[str]) -> dict:
    lowered = {r.lower() for r in references}
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(username__in=references) | Q(email__in=references) | Q(username__in=lowered))
    )
    found = {}
    for user in users:
        found[user.username] = user
        found[user.username.lower()] = user
        if user.email:
            found.setdefault(user.email, user)
    return {
        reference: found.get(reference) or found.get(reference.lower()) for reference in references
    }


LOT_RE = re.compile(r"^(?P<ref>.+?)\s*(?:/|\blot\b)\s*(?P<number>\d+)$", re.IGNORECASE)


def lot_lookup(references: set[str]) -> dict:
    """A lot written "FRAMEWORK-REF/2" or "FRAMEWORK-REF lot 2"."""
    parsed = {}
    for reference in references:
        match = LOT_RE.match(as_text(reference))
        if match:
            parsed[reference] = (match.group("ref").strip().upper(), int(match.group("number")))
    lots = Lot.objects.select_related("framework").filter(
        framework__reference__in={ref for ref, _ in parsed.values()}
    )
    index = {(lot.framework.reference.upper(), lot.number): lot for lot in lots}
    return {reference: index.get(key) for reference, key in parsed.items()}


def lot_reference(lot) -> str:
    return f"{lot.framework.reference}/{lot.number}" if lot else ""
