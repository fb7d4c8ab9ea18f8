"""Reads for the enhanced-monitoring check (services/monitoring.py): which settings
it would change, their latest full inspections, and their risk visits."""

from datetime import date

from django.db.models import Exists, F, OuterRef, Q, Subquery

from registers.models import (
    AuthoritySetting,
    Contract,
    Inspection,
    InspectionType,
    Setting,
    Visit,
    VisitReason,
    VisitStatus,
)
from registers.models.inspections import CONCERNING_JUDGEMENTS, LIFTING_JUDGEMENTS
from registers.selectors.contracts import live_contract_q
from registers.selectors.enforcements import under_enforcement_q
from registers.selectors.settings import in_use_q


def monitoring_due_q(*, today: date) -> Q:
    """Settings the check would change: a flag to lift, or a concerning rating in
    use not yet flagged for its latest full inspection or without its risk visit."""
    enforced = under_enforcement_q()
    lift = (
        Q(enhanced_monitoring=True)
        & (Q(current_rating__in=LIFTING_JUDGEMENTS) | Q(current_rating=""))
        & ~enforced
    )
    risk_visits = Visit.objects.filter(setting=OuterRef("pk"), reason=VisitReason.RISK)
    # A risk visit planned on or after the day the enforcement in force began.
    visited_since_enforcement = Exists(
        risk_visits.filter(
            Q(planned_date__gte=OuterRef("compliance_notice_on"))
            | Q(planned_date__gte=OuterRef("accommodation_restriction_on"))
        )
    )
    open_risk_visit = Exists(risk_visits.filter(status=VisitStatus.PLANNED))
    visited_for_flag = Exists(
        risk_visits.filter(triggered_by_inspection=OuterRef("enhanced_monitoring_inspection"))
    )
    not_flagged_for_latest = (
        Q(enhanced_monitoring=False)
        | Q(enhanced_monitoring_inspection__isnull=True)
        | ~Q(enhanced_monitoring_inspection__inspection_date=F("latest_full_inspection_date"))
    )
    # A council whose contract has become live since the setting was flagged
    # (no write marks that day) carries no flag of its own yet.
    own_flag = AuthoritySetting.objects.filter(
        setting=OuterRef("setting"), authority=OuterRef("authority"), enhanced_monitoring=True
    )
    council_unflagged = Exists(
        Contract.objects.filter(live_contract_q(today=today), setting=OuterRef("pk")).filter(
            ~Exists(own_flag)
        )
    )
    rated = Q(current_rating__in=CONCERNING_JUDGEMENTS)
    concerning = rated & (
        not_flagged_for_latest | (~open_risk_visit & ~visited_for_flag) | council_unflagged
    )
    by_enforcement = enforced & (
        Q(enhanced_monitoring=False)
        | (~rated & Q(enhanced_monitoring_inspection__isnull=False))
        | (~open_risk_visit & ~visited_since_enforcement)
        | council_unflagged
    )
    return lift | (in_use_q(today=today) & (concerning | by_enforcement))


def latest_full_ids(setting_ids: list[int]) -> dict[int, int]:
    latest = Inspection.objects.filter(
        setting=OuterRef("pk"), inspection_type=InspectionType.FULL
    ).order_by("-inspection_date", "-id")
    rows = (
        Setting.objects.filter(pk__in=setting_ids)
        .order_by()
        .annotate(latest_id=Subquery(latest.values("pk")[:1]))
    )
    return {pk: latest_id for pk, latest_id in rows.values_list("pk", "latest_id") if latest_id}


def default_leads(setting_ids: list[int]) -> dict[tuple[int, int], object]:
    """The officer who last led each authority's visit to each setting, to lead
    its next one: each council's risk visit is led by its own officers."""
    leads: dict[tuple[int, int], object] = {}
    visits = (
        Visit.objects.filter(
            setting_id__in=setting_ids, lead_officer__isnull=False, lead_officer__is_active=True
        )
        .select_related("lead_officer")
        .order_by("setting_id", "-planned_date")
    )
    for visit in visits:
        leads.setdefault((visit.setting_id, visit.authority_id), visit.lead_officer)
    return leads


def risk_visit_dates(setting_ids: list[int]) -> dict[tuple[int, int], list[date]]:
    """The planned dates of each authority's risk visits to these settings."""
    dates: dict[tuple[int, int], list[date]] = {}
    rows = Visit.objects.filter(setting_id__in=setting_ids, reason=VisitReason.RISK).values_list(
        "setting_id", "authority_id", "planned_date"
    )
    for setting_id, authority_id, planned in rows:
        dates.setdefault((setting_id, authority_id), []).append(planned)
    return dates
