"""Enhanced monitoring: the Requires Improvement / Inadequate process (manual 003).

A service that records an inspection, or changes whether a setting is in use
(approving a provider, a live contract naming a setting, a setting changing
hands), queues its settings here with ``monitoring_queue``. The check runs
once per transaction, from the current state of each setting, so running it
again changes nothing. For a setting in use whose latest full inspection is
Requires improvement or Inadequate it flags enhanced monitoring, plans one
risk-based visit and, for Inadequate, opens an approval review; a later Good
or Outstanding lifts the flag. The managers' digest email goes after commit.

Ofsted's enforcement (a compliance notice or restriction on accommodation in
force, services/enforcements.py) holds a setting in use under the same
monitoring, with a risk visit since it was imposed; the flag lifts only when
neither the rating nor an enforcement holds it.
"""

import logging
from collections.abc import Iterable, Iterator
from datetime import date

from django.conf import settings as conf
from django.db.models import Q

from registers.changes import Change, snapshot
from registers.dates import add_working_days
from registers.models import (
    Authority,
    AuthoritySetting,
    Enforcement,
    Inspection,
    Judgement,
    Setting,
    Visit,
    VisitKind,
    VisitReason,
    VisitStatus,
)
from registers.models.inspections import CONCERNING_JUDGEMENTS, LIFTING_JUDGEMENTS
from registers.permissions import Actor
from registers.selectors.enforcements import active_enforcements
from registers.selectors.monitoring import (
    default_leads,
    latest_full_ids,
    monitoring_due_q,
    risk_visit_dates,
)
from registers.selectors.settings import authorities_using, settings_in_use
from registers.services.monitoring_outcome import FlaggedSetting, MonitoringOutcome
from registers.services.notifications import ri_digest_recipients, ri_digest_send
from registers.services.recording import log_write, record_changes
from registers.services.units import Unit, write_unit
from registers.services.visits import visits_write

logger = logging.getLogger(__name__)

QUEUE = "monitoring"
CHUNK = 2000


def monitoring_queue(*, setting_ids: Iterable[int], unit: Unit) -> None:
    """Queue settings for the check that runs once, before this unit commits."""
    unit.queue(QUEUE, setting_ids, _run)


def monitoring_refresh(*, user: Actor, today: date | None = None) -> MonitoringOutcome:
    """The daily job's pass: every setting whose state the check would change.

    The rating columns let the database find them in a few set-based queries,
    read in keyset batches (by id, on its index): when nothing is due, nothing
    is loaded. The check itself is the one every write uses.
    """
    with write_unit(user=user, today=today) as unit:
        for batch in _keyset_batches(monitoring_due_q(today=unit.today)):
            monitoring_queue(setting_ids=batch, unit=unit)
    return unit.results.get(QUEUE) or MonitoringOutcome()


def _keyset_batches(condition: Q) -> Iterator[list[int]]:
    last = 0
    while True:
        batch = list(
            Setting.objects.filter(condition, pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:CHUNK]
        )
        if not batch:
            return
        yield batch
        last = batch[-1]


def risk_visit_due(*, inspection: Inspection, rating: str) -> date:
    """Working days after publication (or, failing that, the inspection date)."""
    start = inspection.publication_date or inspection.inspection_date
    return add_working_days(start, conf.RISK_VISIT_WORKING_DAYS[rating])


def _run(*, items: set, unit: Unit) -> MonitoringOutcome:
    outcome = _check(ids=sorted(items), unit=unit)
    if outcome.flagged and not unit.quiet:
        _digests(outcome=outcome, unit=unit)
    log_write(
        logger,
        "monitoring.checked",
        user=unit.user,
        settings=outcome.checked,
        flagged=len(outcome.flagged),
        visits=len(outcome.visits_created),
        reviews=len(outcome.reviews_opened),
        lifted=len(outcome.lifted),
    )
    return outcome


def _digests(*, outcome: MonitoringOutcome, unit: Unit) -> None:
    """One digest per authority, to its own managers, of the settings it uses.
    An install of one council sends the one digest it always did."""
    authority_ids = sorted({a for item in outcome.flagged for a in item.authority_ids})
    several = len(authority_ids) > 1 or Authority.objects.count() > 1
    for authority_id in authority_ids if several else [None]:
        items = [
            item
            for item in outcome.flagged
            if authority_id is None or authority_id in item.authority_ids
        ]
        recipients = ri_digest_recipients(authority_id=authority_id)
        outcome.digest_recipients = max(outcome.digest_recipients, len(recipients))
        outcome.digests.append((authority_id, recipients))
        # Only for a change that is committed.
        unit.after_commit(
            lambda items=items, recipients=recipients: ri_digest_send(
                items=items, recipients=recipients
            )
        )


def _check(*, ids: list[int], unit: Unit) -> MonitoringOutcome:
    outcome = MonitoringOutcome(checked=len(ids))
    for start in range(0, len(ids), CHUNK):
        _check_chunk(ids=ids[start : start + CHUNK], unit=unit, outcome=outcome)
    return outcome


def setting_reason(label: str, inspection: Inspection) -> str:
    return f"Enhanced monitoring: Ofsted judged it {label} on {inspection.inspection_date:%d/%m/%Y}"


def enforcement_reason(enforcement: Enforcement) -> str:
    return (
        f"Enhanced monitoring: {enforcement.get_kind_display().lower()} "
        f"from {enforcement.imposed_on:%d/%m/%Y}"
    )


def _flag(obj, *, inspection: Inspection | None, today: date, why: str) -> Change:
    """Put a setting, or one authority's side of it, under enhanced monitoring."""
    before = snapshot(obj) if obj.pk else None
    if not obj.enhanced_monitoring:
        obj.enhanced_monitoring_since = today
    obj.enhanced_monitoring = True
    obj.enhanced_monitoring_inspection = inspection
    obj._change_reason = why
    return Change(obj=obj, before=before)


def _lift(obj, *, why: str) -> Change:
    before = snapshot(obj)
    obj.enhanced_monitoring = False
    obj.enhanced_monitoring_since = None
    obj.enhanced_monitoring_inspection = None
    obj._change_reason = why
    return Change(obj=obj, before=before)


def _risk_visit(key: tuple[int, int], due: date, leads: dict, **trigger) -> Visit:
    """An unannounced risk-based visit of one authority to one setting."""
    setting_id, authority_id = key
    return Visit(
        authority_id=authority_id,
        setting_id=setting_id,
        planned_date=due,
        kind=VisitKind.UNANNOUNCED,
        reason=VisitReason.RISK,
        status=VisitStatus.PLANNED,
        lead_officer=leads.get(key),
        **trigger,
    )


def _own_flags(setting_ids: list[int]) -> dict[tuple[int, int], AuthoritySetting]:
    """Each authority's own side of these settings, by (setting, authority)."""
    rows = AuthoritySetting.objects.filter(setting_id__in=setting_ids)
    return {(row.setting_id, row.authority_id): row for row in rows}


def _check_chunk(*, ids: list[int], unit: Unit, outcome: MonitoringOutcome) -> None:
    today = unit.today
    # Only settings in use, or already flagged, can change: rate just those.
    in_use = set(
        settings_in_use(today=today, queryset=Setting.objects.filter(pk__in=ids))
        .order_by()
        .values_list("pk", flat=True)
    )
    flagged = (
        Setting.objects.filter(pk__in=ids, enhanced_monitoring=True)
        .order_by()
        .values_list("pk", flat=True)
    )
    candidates = in_use | set(flagged)
    if not candidates:
        return
    # The rating columns are current: the inspection services refresh them
    # before this check runs.
    rated = list(
        Setting.objects.filter(pk__in=candidates).select_related("provider").order_by("pk")
    )
    enforced = active_enforcements(setting_ids=[s.pk for s in rated])
    concerning = [
        s
        for s in rated
        if s.pk in in_use and (s.current_rating in CONCERNING_JUDGEMENTS or s.pk in enforced)
    ]
    # A flag lifts on a Good or Outstanding judgement, or when no full inspection is
    # left to back it (a wrong judgement deleted), unless an enforcement holds it.
    lifting = [
        s
        for s in rated
        if s.enhanced_monitoring
        and s.pk not in enforced
        and (s.current_rating in LIFTING_JUDGEMENTS or not s.current_rating)
    ]
    if not concerning and not lifting:
        return

    latest_ids = latest_full_ids(
        [s.pk for s in concerning if s.current_rating in CONCERNING_JUDGEMENTS]
    )
    inspections = Inspection.objects.in_bulk(latest_ids.values())
    visits = Visit.objects.filter(
        setting_id__in=[s.pk for s in concerning], reason=VisitReason.RISK
    ).values_list("setting_id", "authority_id", "status", "triggered_by_inspection_id")
    # Each authority using the setting keeps its own risk visit.
    has_open_risk_visit = {
        (sid, aid) for sid, aid, status, _ in visits if status == VisitStatus.PLANNED
    }
    visited_for = {(sid, aid, insp) for sid, aid, _, insp in visits}
    visited_on = risk_visit_dates([s.pk for s in concerning if s.pk in enforced])
    leads = default_leads([s.pk for s in concerning])
    uses = authorities_using(setting_ids=[s.pk for s in concerning], today=today)
    own_flags = _own_flags([s.pk for s in concerning + lifting])

    setting_changes: list[Change] = []
    own_flag_changes: list[Change] = []
    visit_changes: list[Change] = []
    provider_changes: dict[int, Change] = {}

    for setting in concerning:
        enforcement = enforced.get(setting.pk)
        rating = setting.current_rating
        if rating in CONCERNING_JUDGEMENTS:
            inspection = inspections[latest_ids[setting.pk]]
            label = Judgement(rating).label
            is_new_flag = setting.enhanced_monitoring_inspection_id != inspection.pk
            why = setting_reason(label, inspection)
        else:
            # Held by the enforcement alone: no inspection is named.
            inspection = None
            is_new_flag = (
                not setting.enhanced_monitoring
                or setting.enhanced_monitoring_inspection_id is not None
            )
            why = enforcement_reason(enforcement)
        flagged_by = inspection.pk if inspection else None
        if is_new_flag:
            setting_changes.append(_flag(setting, inspection=inspection, today=today, why=why))

        # Each authority using the setting carries its own flag.
        newly_flagged = []
        for authority_id in sorted(uses.get(setting.pk, ())):
            own = own_flags.get((setting.pk, authority_id))
            if (
                own is not None
                and own.enhanced_monitoring
                and own.enhanced_monitoring_inspection_id == flagged_by
            ):
                continue
            own = own or AuthoritySetting(authority_id=authority_id, setting=setting)
            own_flag_changes.append(_flag(own, inspection=inspection, today=today, why=why))
            newly_flagged.append(authority_id)

        visit_due = None
        for authority_id in sorted(uses.get(setting.pk, ())):
            key = (setting.pk, authority_id)
            if key in has_open_risk_visit:
                continue
            if inspection is not None and (*key, inspection.pk) not in visited_for:
                visit_due = risk_visit_due(inspection=inspection, rating=rating)
                visit = _risk_visit(key, visit_due, leads, triggered_by_inspection=inspection)
                visit._change_reason = f"Risk-based visit after Ofsted judgement: {label}"
            elif enforcement is not None and not any(
                planned >= enforcement.imposed_on for planned in visited_on.get(key, ())
            ):
                due = add_working_days(
                    enforcement.imposed_on, conf.ENFORCEMENT_RISK_VISIT_WORKING_DAYS
                )
                visit = _risk_visit(key, due, leads, triggered_by_enforcement=enforcement)
                visit._change_reason = (
                    f"Risk-based visit after Ofsted's {enforcement.get_kind_display().lower()}"
                )
                outcome.enforcement_visits.append(visit)
            else:
                continue
            visit.setting = setting
            visit_changes.append(Change(obj=visit))

        if inspection is None:
            if is_new_flag or newly_flagged:
                outcome.enforcement_flagged.append(setting)
            continue
        provider = setting.provider
        # Only the judgement that newly flags the setting opens a review: a review a
        # manager has closed stays closed until Ofsted judges the setting again.
        opens_review = (
            is_new_flag
            and rating == Judgement.INADEQUATE
            and provider is not None
            and not provider.approval_review_required
            and provider.pk not in provider_changes
        )
        if opens_review:
            before = snapshot(provider)
            provider.approval_review_required = True
            provider.approval_review_since = today
            provider.approval_review_reason = (
                f"{setting} judged Inadequate on {inspection.inspection_date:%d/%m/%Y}."
            )
            provider._change_reason = "Approval review: a setting was judged Inadequate"
            provider_changes[provider.pk] = Change(obj=provider, before=before)

        if is_new_flag or newly_flagged:
            # Only the authorities newly flagged hear of it: one already told is not again.
            outcome.flagged.append(
                FlaggedSetting(
                    setting=setting,
                    inspection=inspection,
                    rating=rating,
                    visit_due=visit_due,
                    approval_review=opens_review,
                    authority_ids=frozenset(newly_flagged),
                )
            )

    for setting in lifting:
        if setting.current_rating:
            label = Judgement(setting.current_rating).label
            why = f"Enhanced monitoring lifted: Ofsted judged it {label}"
        else:
            why = "Enhanced monitoring lifted: no full inspection is left to support it"
        setting_changes.append(_lift(setting, why=why))
        outcome.lifted.append(setting)
        for (setting_id, _), own in own_flags.items():
            if setting_id == setting.pk and own.enhanced_monitoring:
                own_flag_changes.append(_lift(own, why=why))

    reason = "Enhanced monitoring (Ofsted follow-up)"
    record_changes(setting_changes, user=unit.user, reason=reason)
    record_changes(own_flag_changes, user=unit.user, reason=reason)
    record_changes(list(provider_changes.values()), user=unit.user, reason=reason)
    outcome.reviews_opened.extend(c.obj for c in provider_changes.values())
    if visit_changes:
        visits_write(changes=visit_changes, user=unit.user, reason=reason)
        outcome.visits_created.extend(c.obj for c in visit_changes)
