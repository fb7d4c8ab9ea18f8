"""What each reminder kind holds for one user today: the same selectors as the
lists each reminder links to, so a digest's count is the list's count."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings as conf
from django.db.models import Q, QuerySet
from django.urls import reverse

from registers.models import Contract, ReminderKind, Setting, Visit, VisitStatus
from registers.permissions import authority_scope, owned_by
from registers.selectors.compliance import expiring_documents
from registers.selectors.concerns import concerns_past_stage_limit
from registers.selectors.contracts import (
    decisions_due,
    ending_within,
    missing_review_q,
    with_status,
)
from registers.selectors.settings import monitored_for_q
from registers.selectors.visits import overdue_actions_for_officer

# Listed in one section of a digest; the rest are counted.
LISTED = 10
ENDING_MONTHS = 6
DECISION_MONTHS = 3


@dataclass
class Section:
    """One kind's part of a digest: a heading, a few lines, and the filtered list."""

    kind: str
    heading: str
    count: int
    lines: list[str] = field(default_factory=list)
    link: str = ""


def _my_contracts(user, today: date) -> QuerySet[Contract]:
    return with_status(owned_by(user, Contract.objects.filter(contract_manager=user)))


def _changelist(name: str, query: str) -> str:
    return f"{reverse(f'admin:registers_{name}_changelist')}?{query}"


def _section(kind, queryset, line, link: str) -> Section | None:
    count = queryset.count()
    if not count:
        return None
    rows = list(queryset[:LISTED])
    lines = [line(row) for row in rows]
    if count > len(rows):
        lines.append(f"and {count - len(rows)} more")
    return Section(kind=kind, heading=ReminderKind(kind).label, count=count, lines=lines, link=link)


def contract_decisions_section(user, today: date) -> Section | None:
    found = decisions_due(_my_contracts(user, today), today=today, within_months=DECISION_MONTHS)
    return _section(
        ReminderKind.CONTRACT_DECISIONS,
        found.order_by("decision_due_date", "reference"),
        lambda c: f"{c}: decision due {c.decision_due_date:%d/%m/%Y}",
        _changelist("contract", "mine=yes&decision=due"),
    )


def contract_ends_section(user, today: date) -> Section | None:
    found = ending_within(_my_contracts(user, today), today=today, months=ENDING_MONTHS)
    return _section(
        ReminderKind.CONTRACT_ENDS,
        found.order_by("end_date", "reference"),
        lambda c: f"{c}: ends {c.end_date:%d/%m/%Y}",
        _changelist("contract", f"mine=yes&expiring={ENDING_MONTHS}"),
    )


def contract_reviews_section(user, today: date) -> Section | None:
    found = _my_contracts(user, today).filter(missing_review_q(today=today))
    return _section(
        ReminderKind.CONTRACT_REVIEWS,
        found.order_by("reference"),
        lambda c: f"{c}: no review for the last quarter",
        _changelist("contract", "mine=yes&review=missing"),
    )


def my_visits_section(user, today: date) -> Section | None:
    found = owned_by(
        user,
        Visit.objects.filter(
            lead_officer=user,
            status=VisitStatus.PLANNED,
            planned_date__lte=today + timedelta(days=7),
        ),
    ).select_related("setting", "provider")
    return _section(
        ReminderKind.MY_VISITS,
        found.order_by("planned_date", "pk"),
        lambda v: (
            f"{'Overdue since' if v.planned_date < today else 'Planned for'} "
            f"{v.planned_date:%d/%m/%Y}: {v}"
        ),
        _changelist("visit", "mine=yes"),
    )


def overdue_actions_section(user, today: date) -> Section | None:
    found = overdue_actions_for_officer(user=user, today=today)
    return _section(
        ReminderKind.OVERDUE_ACTIONS,
        found.order_by("due_date", "pk"),
        lambda a: f"{a}: due {a.due_date:%d/%m/%Y}",
        _changelist("actionitem", "overdue=yes"),
    )


def documents_expiring_section(user, today: date) -> Section | None:
    found = expiring_documents(today=today, within_days=conf.COMPLIANCE_DIGEST_DAYS)
    return _section(
        ReminderKind.DOCUMENTS_EXPIRING,
        found.select_related("kind", "provider", "setting").order_by("expiry_date", "pk"),
        lambda d: f"{d}: expires {d.expiry_date:%d/%m/%Y}",
        _changelist("compliancedocument", f"expiry={conf.COMPLIANCE_DIGEST_DAYS}"),
    )


def ri_inadequate_section(user, today: date) -> Section | None:
    """Settings judged RI or Inadequate, under enhanced monitoring for the user's council."""
    found = Setting.objects.filter(monitored_for_q(authority_ids=authority_scope(user).member_ids))
    return _section(
        ReminderKind.RI_INADEQUATE,
        found.order_by("name", "pk"),
        str,
        _changelist("setting", "enhanced_monitoring=yes"),
    )


def concern_stages_section(user, today: date) -> Section | None:
    """Open concerns the user owns (or raised, with no owner named) whose stage has
    run past the limit: the concerns' own reminder's list (services/concerns.py)."""
    mine = Q(owner=user) | Q(owner__isnull=True, raised_by=user)
    found = owned_by(user, concerns_past_stage_limit(today=today).filter(mine))
    return _section(
        ReminderKind.CONCERN_STAGES,
        found.select_related("provider", "setting").order_by("stage_started_on", "pk"),
        lambda c: f"{c}: stage {c.stage} since {c.stage_started_on:%d/%m/%Y}",
        _changelist("concern", "open=overdue"),
    )


# Each kind's section.
SECTIONS = {
    ReminderKind.CONTRACT_DECISIONS: contract_decisions_section,
    ReminderKind.CONTRACT_ENDS: contract_ends_section,
    ReminderKind.CONTRACT_REVIEWS: contract_reviews_section,
    ReminderKind.MY_VISITS: my_visits_section,
    ReminderKind.OVERDUE_ACTIONS: overdue_actions_section,
    ReminderKind.DOCUMENTS_EXPIRING: documents_expiring_section,
    ReminderKind.RI_INADEQUATE: ri_inadequate_section,
    ReminderKind.CONCERN_STAGES: concern_stages_section,
}


def digest_sections(user, kinds, today: date) -> list[Section]:
    """The sections of the user's digest that hold something, in the kinds' order."""
    found = []
    for kind in ReminderKind.values:
        if kind in kinds and kind in SECTIONS:
            section = SECTIONS[kind](user, today)
            if section is not None:
                found.append(section)
    return found
