"""The Requires Improvement / Inadequate process (manual 003).

One function, ``respond_to_settings``, serves every entry point: an inspection
entered by hand, an Ofsted import, a provider's approval, a new contract and
the daily job. It works from the current state of each setting, so running
it again changes nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings as conf
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from registers.dates import add_working_days
from registers.models import (
    Inspection,
    InspectionType,
    Judgement,
    Provider,
    Setting,
    Visit,
    VisitKind,
    VisitReason,
    VisitStatus,
)
from registers.models.ofsted import CONCERNING_JUDGEMENTS, LIFTING_JUDGEMENTS
from registers.selectors.settings import settings_in_use, with_ratings
from registers.services.access import sync_visit_lead
from registers.services.notifications import send_ri_digest

SETTING_FLAG_FIELDS = [
    "enhanced_monitoring",
    "enhanced_monitoring_since",
    "enhanced_monitoring_inspection",
]
PROVIDER_REVIEW_FIELDS = [
    "approval_review_required",
    "approval_review_reason",
    "approval_review_since",
]


@dataclass
class FlaggedSetting:
    setting: Setting
    inspection: Inspection
    rating: str
    visit_due: date | None
    approval_review: bool

    @property
    def rating_label(self) -> str:
        return Judgement(self.rating).label


@dataclass
class ProcessOutcome:
    flagged: list[FlaggedSetting] = field(default_factory=list)
    lifted: list[Setting] = field(default_factory=list)
    visits_created: list[Visit] = field(default_factory=list)
    reviews_opened: list[Provider] = field(default_factory=list)
    emails_sent: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.flagged or self.lifted or self.visits_created or self.reviews_opened)


def risk_visit_due(*, inspection: Inspection, rating: str) -> date:
    """Working days after publication (or, failing that, the inspection date)."""
    start = inspection.publication_date or inspection.inspection_date
    return add_working_days(start, conf.RISK_VISIT_WORKING_DAYS[rating])


def _latest_full_ids(setting_ids: list[int]) -> dict[int, int]:
    latest = Inspection.objects.filter(
        setting=OuterRef("pk"), inspection_type=InspectionType.FULL
    ).order_by("-inspection_date", "-id")
    rows = Setting.objects.filter(pk__in=setting_ids).annotate(
        latest_id=Subquery(latest.values("pk")[:1])
    )
    return {pk: latest_id for pk, latest_id in rows.values_list("pk", "latest_id") if latest_id}


def _default_leads(setting_ids: list[int]) -> dict[int, object]:
    """The officer who last led a visit to each setting, to lead the next one."""
    leads: dict[int, object] = {}
    visits = (
        Visit.objects.filter(
            setting_id__in=setting_ids, lead_officer__isnull=False, lead_officer__is_active=True
        )
        .select_related("lead_officer")
        .order_by("setting_id", "-planned_date")
    )
    for visit in visits:
        leads.setdefault(visit.setting_id, visit.lead_officer)
    return leads


def respond_to_settings(
    *,
    setting_ids: Iterable[int],
    user,
    today: date | None = None,
    notify: bool = True,
) -> ProcessOutcome:
    """Flag, plan a risk visit, open an approval review, or lift, as each
    setting's latest full inspection requires. Sends one digest email."""
    today = today or timezone.localdate()
    ids = list(set(setting_ids))
    outcome = ProcessOutcome()
    if not ids:
        return outcome
    with transaction.atomic():
        _process_chunked(ids=ids, user=user, today=today, outcome=outcome)
    if notify and outcome.flagged:
        outcome.emails_sent = send_ri_digest(items=outcome.flagged)
    return outcome


def _process_chunked(*, ids: list[int], user, today: date, outcome: ProcessOutcome) -> None:
    chunk = 2000
    for start in range(0, len(ids), chunk):
        _process(ids=ids[start : start + chunk], user=user, today=today, outcome=outcome)


def _process(*, ids: list[int], user, today: date, outcome: ProcessOutcome) -> None:
    # Only settings in use, or already flagged, can change: rate just those.
    in_use = set(
        settings_in_use(today=today, queryset=Setting.objects.filter(pk__in=ids)).values_list(
            "pk", flat=True
        )
    )
    flagged = Setting.objects.filter(pk__in=ids, enhanced_monitoring=True).values_list(
        "pk", flat=True
    )
    candidates = in_use | set(flagged)
    if not candidates:
        return
    rated = list(
        with_ratings(Setting.objects.filter(pk__in=candidates), today=today).select_related(
            "provider"
        )
    )
    concerning = [s for s in rated if s.pk in in_use and s.current_rating in CONCERNING_JUDGEMENTS]
    lifting = [s for s in rated if s.enhanced_monitoring and s.current_rating in LIFTING_JUDGEMENTS]
    if not concerning and not lifting:
        return

    latest_ids = _latest_full_ids([s.pk for s in concerning])
    inspections = Inspection.objects.in_bulk(latest_ids.values())
    visits = Visit.objects.filter(
        setting_id__in=[s.pk for s in concerning], reason=VisitReason.RISK
    ).values_list("setting_id", "status", "triggered_by_inspection_id")
    has_open_risk_visit = {sid for sid, status, _ in visits if status == VisitStatus.PLANNED}
    visited_for = {(sid, insp) for sid, _, insp in visits}
    leads = _default_leads([s.pk for s in concerning])

    settings_to_save: list[Setting] = []
    new_visits: list[Visit] = []
    providers_to_save: dict[int, Provider] = {}

    for setting in concerning:
        inspection = inspections[latest_ids[setting.pk]]
        rating = setting.current_rating
        label = Judgement(rating).label
        is_new_flag = setting.enhanced_monitoring_inspection_id != inspection.pk
        if is_new_flag:
            if not setting.enhanced_monitoring:
                setting.enhanced_monitoring_since = today
            setting.enhanced_monitoring = True
            setting.enhanced_monitoring_inspection = inspection
            setting._change_reason = (
                f"Enhanced monitoring: Ofsted judged it {label} on "
                f"{inspection.inspection_date:%d/%m/%Y}"
            )
            settings_to_save.append(setting)

        visit_due = None
        if setting.pk not in has_open_risk_visit and (setting.pk, inspection.pk) not in visited_for:
            visit_due = risk_visit_due(inspection=inspection, rating=rating)
            visit = Visit(
                setting=setting,
                planned_date=visit_due,
                kind=VisitKind.UNANNOUNCED,
                reason=VisitReason.RISK,
                status=VisitStatus.PLANNED,
                lead_officer=leads.get(setting.pk),
                triggered_by_inspection=inspection,
            )
            visit._change_reason = f"Risk-based visit after Ofsted judgement: {label}"
            new_visits.append(visit)

        provider = setting.provider
        opens_review = (
            rating == Judgement.INADEQUATE
            and provider is not None
            and not provider.approval_review_required
            and provider.pk not in providers_to_save
        )
        if opens_review:
            provider.approval_review_required = True
            provider.approval_review_since = today
            provider.approval_review_reason = (
                f"{setting} judged Inadequate on {inspection.inspection_date:%d/%m/%Y}."
            )
            provider._change_reason = "Approval review: a setting was judged Inadequate"
            providers_to_save[provider.pk] = provider

        if is_new_flag:
            outcome.flagged.append(
                FlaggedSetting(
                    setting=setting,
                    inspection=inspection,
                    rating=rating,
                    visit_due=visit_due,
                    approval_review=opens_review,
                )
            )

    for setting in lifting:
        setting.enhanced_monitoring = False
        setting.enhanced_monitoring_since = None
        setting.enhanced_monitoring_inspection = None
        label = Judgement(setting.current_rating).label
        setting._change_reason = f"Enhanced monitoring lifted: Ofsted judged it {label}"
        settings_to_save.append(setting)
        outcome.lifted.append(setting)

    if settings_to_save:
        bulk_update_with_history(settings_to_save, Setting, SETTING_FLAG_FIELDS, default_user=user)
    if providers_to_save:
        bulk_update_with_history(
            list(providers_to_save.values()), Provider, PROVIDER_REVIEW_FIELDS, default_user=user
        )
        outcome.reviews_opened.extend(providers_to_save.values())
    if new_visits:
        created = bulk_create_with_history(new_visits, Visit, default_user=user)
        for visit in created:
            if visit.lead_officer_id:
                sync_visit_lead(visit=visit)
        outcome.visits_created.extend(created)
