"""Reads over providers: how a provider is recognised, on every path.

A provider is matched by Companies House number, else by its name however it
is written ("The Acme Care Ltd." is "ACME CARE LIMITED"). A provider known by
name only may gain its number; one with another number is a different
organisation. Several matches are reported, never guessed.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from registers.models import Provider
from registers.validators import COMPANY_RE, normalise_company_number, normalise_provider_name

CHUNK = 5000


def approval_review_open_q() -> Q:
    """Providers whose approval is under review (an Ofsted judgement or a concern opened it)."""
    return Q(approval_review_required=True)


@dataclass(frozen=True)
class ProviderKey:
    number: str  # normalised Companies House number, or ""
    name: str  # normalised name, or ""


def provider_key(*, number: str = "", name: str = "") -> ProviderKey:
    number = normalise_company_number(number)
    return ProviderKey(
        number=number if COMPANY_RE.match(number) else "", name=normalise_provider_name(name)
    )


def provider_reference_key(reference: str) -> ProviderKey:
    """A cell that holds either a provider's name or its Companies House number."""
    return provider_key(number=reference, name=reference)


def providers_matching(
    keys: Iterable[ProviderKey], *, queryset: QuerySet[Provider] | None = None
) -> dict[ProviderKey, list[Provider]]:
    """Every key's matches: none, one, or several (ambiguous). Two queries a chunk."""
    queryset = Provider.objects.all() if queryset is None else queryset
    keys = set(keys)
    numbers = sorted({key.number for key in keys if key.number})
    names = sorted({key.name for key in keys if key.name})
    by_number: dict[str, Provider] = {}
    for start in range(0, len(numbers), CHUNK):
        for provider in queryset.filter(company_number__in=numbers[start : start + CHUNK]):
            by_number[provider.company_number] = provider
    by_name: dict[str, list[Provider]] = defaultdict(list)
    for start in range(0, len(names), CHUNK):
        chunk = names[start : start + CHUNK]
        for provider in queryset.filter(normalised_name__in=chunk).order_by("pk"):
            by_name[provider.normalised_name].append(provider)
    matches = {}
    for key in keys:
        if key.number and key.number in by_number:
            matches[key] = [by_number[key.number]]
            continue
        candidates = by_name.get(key.name, []) if key.name else []
        if key.number:
            candidates = [p for p in candidates if not p.company_number]
        matches[key] = candidates
    return matches
