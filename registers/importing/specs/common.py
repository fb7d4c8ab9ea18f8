"""Column types and references that several file kinds share."""

import re
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db.models import Q

from registers.importing.cells import Choice, Text, as_text
from registers.importing.engine import ParsedRow
from registers.importing.plans import Plan
from registers.models import Judgement, Lot, Provider, Setting
from registers.permissions import permitted
from registers.selectors.providers import provider_reference_key, providers_matching
from registers.validators import normalise_urn, validate_urn

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


def export_date(value):
    """A date cell of an export: the date itself, so XLSX and ODS hold a typed date
    (it sorts and filters as one); the CSV writes it DD/MM/YYYY (export.py)."""
    return value or ""


def yes_no(value) -> str:
    return {True: "Yes", False: "No"}.get(value, "")


def label_of(obj, field_name: str) -> str:
    return getattr(obj, f"get_{field_name}_display")() if getattr(obj, field_name) else ""


# --- references resolved in bulk ---------------------------------------------

Lookup = Callable[[set], dict]  # references -> {reference: record, or a list of matches}


def resolve_column(
    rows: list[ParsedRow], plan: Plan, header: str, lookup: Lookup, missing: str
) -> None:
    """Replace each row's reference in ``header`` with the record it names.

    A reference to a record the importer may not see gets the same message as
    one to no record at all: ``missing``.
    """
    wanted = {
        row.values[header]
        for row in rows
        if not row.invalid and isinstance(row.values.get(header), str) and row.values[header]
    }
    if not wanted:
        return
    found = lookup(wanted)
    for row in rows:
        reference = row.values.get(header)
        if row.invalid or not isinstance(reference, str) or not reference:
            continue
        match = found.get(reference)
        if isinstance(match, list):
            if len(match) > 1:
                plan.problem(
                    row,
                    f"matches {len(match)} records: give the Companies House number to tell "
                    "them apart",
                    column=header,
                    value=reference,
                )
                continue
            match = match[0] if match else None
        if match is None:
            plan.problem(row, missing, column=header, value=reference)
            continue
        row.values[header] = match


def provider_lookup(user) -> Lookup:
    """A provider by Companies House number, or by its name however written."""

    def lookup(references: set[str]) -> dict:
        keys = {reference: provider_reference_key(reference) for reference in references}
        visible = permitted(user, ("view", "change"), Provider.objects.all())
        matches = providers_matching(keys.values(), queryset=visible)
        return {reference: matches[key] for reference, key in keys.items()}

    return lookup


def setting_lookup(user) -> Lookup:
    def lookup(references: set[str]) -> dict:
        visible = permitted(user, ("view", "change"), Setting.objects.all())
        return {setting.urn: setting for setting in visible.filter(urn__in=references)}

    return lookup


def user_lookup(references: set[str]) -> dict:
    """An active user by username or email."""
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


def person(user) -> str:
    return user.username if user else ""
