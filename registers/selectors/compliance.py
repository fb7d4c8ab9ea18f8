"""Reads over compliance documents: what is expiring, expired, or missing.

A required kind is held for a setting when a current document of that kind
belongs to the setting or to its provider (insurance is usually the
provider's; a gas safety certificate the setting's).
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings as conf
from django.db.models import Q, QuerySet

from registers.models import ComplianceDocument, ComplianceDocumentKind, Setting
from registers.selectors.settings import in_use_q


def required_kinds() -> list[ComplianceDocumentKind]:
    return list(ComplianceDocumentKind.objects.filter(required_for_settings_in_use=True))


def expiring_documents(*, today: date, within_days: int) -> QuerySet[ComplianceDocument]:
    return ComplianceDocument.objects.expiring(today=today, within_days=within_days)


def expired_documents(*, today: date) -> QuerySet[ComplianceDocument]:
    return ComplianceDocument.objects.expired(today=today)


def missing_required(
    settings: list[Setting], *, today: date, kinds: list[ComplianceDocumentKind] | None = None
) -> dict[int, list[ComplianceDocumentKind]]:
    """Per setting, the required kinds it holds no current document of (on
    itself or its provider). Two queries, whatever the number of settings."""
    kinds = required_kinds() if kinds is None else kinds
    if not kinds or not settings:
        return {}
    setting_ids = {s.pk for s in settings}
    provider_ids = {s.provider_id for s in settings if s.provider_id}
    held = (
        ComplianceDocument.objects.current(today=today)
        .filter(kind__in=kinds)
        .filter(Q(setting__in=setting_ids) | Q(provider__in=provider_ids))
        .values_list("kind_id", "setting_id", "provider_id")
    )
    on_setting, on_provider = set(), set()
    for kind_id, setting_id, provider_id in held:
        if setting_id:
            on_setting.add((kind_id, setting_id))
        else:
            on_provider.add((kind_id, provider_id))
    missing = {}
    for setting in settings:
        gaps = [
            kind
            for kind in kinds
            if (kind.pk, setting.pk) not in on_setting
            and (kind.pk, setting.provider_id) not in on_provider
        ]
        if gaps:
            missing[setting.pk] = gaps
    return missing


@dataclass
class MissingRow:
    setting: Setting
    kinds: list[ComplianceDocumentKind]

    @property
    def kind_names(self) -> str:
        return ", ".join(kind.name for kind in self.kinds)


def settings_missing_documents(*, today: date) -> list[MissingRow]:
    """Settings in use missing a current document of a required kind."""
    kinds = required_kinds()
    if not kinds:
        return []
    settings = list(
        Setting.objects.filter(in_use_q(today=today))
        .select_related("provider")
        .order_by("provider__name", "name", "pk")
    )
    missing = missing_required(settings, today=today, kinds=kinds)
    return [MissingRow(setting=s, kinds=missing[s.pk]) for s in settings if s.pk in missing]


@dataclass
class ComplianceGaps:
    """What stands between a provider and approval without an override."""

    expired: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.expired or self.missing)

    def describe(self) -> str:
        parts = []
        if self.expired:
            parts.append("expired: " + "; ".join(self.expired))
        if self.missing:
            parts.append("missing: " + "; ".join(self.missing))
        return ". ".join(parts)


def provider_compliance_gaps(provider_ids, *, today: date) -> dict[int, ComplianceGaps]:
    """Per provider: its (and its settings') expired documents not yet replaced
    by a later one, and the required kinds each of its settings is missing.
    Three queries, for any number of providers (an import approves many)."""
    provider_ids = {pk for pk in provider_ids if pk is not None}
    gaps = {pk: ComplianceGaps() for pk in provider_ids}
    if not provider_ids:
        return gaps
    settings = list(Setting.objects.filter(provider__in=provider_ids).order_by("name", "pk"))
    names = {s.pk: s.display_name for s in settings}
    owner_of = {s.pk: s.provider_id for s in settings}
    kinds = required_kinds()
    rows = ComplianceDocument.objects.filter(
        Q(provider__in=provider_ids) | Q(setting__in=list(names))
    ).values_list("kind_id", "kind__name", "provider_id", "setting_id", "expiry_date")
    # The latest expiry of each holder's kind (None: never expires).
    latest: dict[tuple, date | None] = {}
    kind_names: dict[int, str] = {}
    for kind_id, kind_name, provider_id, setting_id, expiry in rows:
        key = (kind_id, "setting" if setting_id else "provider", setting_id or provider_id)
        kind_names[kind_id] = kind_name
        if key not in latest or (
            latest[key] is not None and (expiry is None or expiry > latest[key])
        ):
            latest[key] = expiry
    for (kind_id, holder, holder_id), expiry in sorted(
        latest.items(), key=lambda item: (item[1] or date.max, item[0][0])
    ):
        if expiry is None or expiry >= today:
            continue
        where = f" ({names[holder_id]})" if holder == "setting" else ""
        owner = owner_of[holder_id] if holder == "setting" else holder_id
        gaps[owner].expired.append(f"{kind_names[kind_id]}{where} expired {expiry:%d/%m/%Y}")

    def current(kind_id, holder, holder_id) -> bool:
        key = (kind_id, holder, holder_id)
        return key in latest and (latest[key] is None or latest[key] >= today)

    for setting in settings:
        for kind in kinds:
            if not (
                current(kind.pk, "setting", setting.pk)
                or current(kind.pk, "provider", setting.provider_id)
            ):
                gaps[setting.provider_id].missing.append(f"{kind.name} ({names[setting.pk]})")
    return gaps


# --- a setting's documents, kind by kind (placement checks) --------------------------


class DocumentState:
    VALID = "Valid"
    EXPIRING = "Expiring"
    EXPIRED = "Expired"
    MISSING = "Missing"


def expiry_state(expiry: date | None, *, today: date) -> str:
    """Valid, expiring (within the longest expiring list's window) or expired."""
    if expiry is None:
        return DocumentState.VALID
    if expiry < today:
        return DocumentState.EXPIRED
    if (expiry - today).days <= max(conf.COMPLIANCE_EXPIRY_WINDOWS):
        return DocumentState.EXPIRING
    return DocumentState.VALID


def placement_kinds() -> list[ComplianceDocumentKind]:
    """The kinds a placement check looks at: those ticked for placements, and
    those every setting in use must hold."""
    return list(
        ComplianceDocumentKind.objects.filter(
            Q(checked_for_placements=True) | Q(required_for_settings_in_use=True)
        )
    )


@dataclass
class KindStatus:
    kind: ComplianceDocumentKind
    state: str
    document: ComplianceDocument | None = None

    @property
    def expiry_date(self) -> date | None:
        return self.document.expiry_date if self.document else None

    @property
    def holder(self) -> str:
        if self.document is None:
            return ""
        return "setting" if self.document.setting_id else "provider"

    @property
    def blocking(self) -> bool:
        return self.state in (DocumentState.EXPIRED, DocumentState.MISSING)


def setting_document_statuses(
    setting: Setting, *, today: date, kinds: list[ComplianceDocumentKind] | None = None
) -> list[KindStatus]:
    """Per kind, the setting's best document (on the setting or its provider:
    one that never expires, else the latest expiry) and its state. Two queries."""
    kinds = placement_kinds() if kinds is None else kinds
    if not kinds:
        return []
    holders = Q(setting=setting.pk)
    if setting.provider_id:
        holders |= Q(provider=setting.provider_id)
    best: dict[int, ComplianceDocument] = {}
    for document in ComplianceDocument.objects.filter(holders, kind__in=kinds):
        held = best.get(document.kind_id)
        if held is None or (
            held.expiry_date is not None
            and (document.expiry_date is None or document.expiry_date > held.expiry_date)
        ):
            best[document.kind_id] = document
    statuses = []
    for kind in kinds:
        document = best.get(kind.pk)
        state = (
            DocumentState.MISSING
            if document is None
            else expiry_state(document.expiry_date, today=today)
        )
        statuses.append(KindStatus(kind=kind, state=state, document=document))
    return statuses
