"""The Ofsted rating tracker: recording inspections, by hand or imported.

Every inspection written or deleted has its setting's enhanced monitoring
reviewed once the transaction's writes are done: the latest full inspection
sets the current rating, and the rating drives the RI / Inadequate process.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from django.core.exceptions import PermissionDenied

from registers.changes import AS_PUBLISHED, Change, ErrorCollector, Refusal
from registers.history_rows import update_records
from registers.models import Inspection, InspectionType, Judgement, Setting
from registers.models.settings import RATING_FIELDS, rating_columns
from registers.permissions import Actor, has_perm
from registers.services.checks import check_basics
from registers.services.monitoring import monitoring_queue
from registers.services.recording import log_write, record_changes, record_delete, save_one
from registers.services.units import write_unit

logger = logging.getLogger(__name__)

CHUNK = 900  # parameters per query stay under SQLite's limit
RATINGS_CHUNK = 2000


def inspections_check(*, changes: Sequence[Change[Inspection]], user: Actor, **_) -> list[Refusal]:
    errors = ErrorCollector()
    check_basics(
        changes,
        user=user,
        errors=errors,
        add_refused="You may not record inspections.",
        change_refused="This is not an inspection you may change.",
    )
    _unique_events(changes, errors)
    _no_judgement_on_visits(changes, errors)
    return errors.refusals()


NO_JUDGEMENT_TYPES = (InspectionType.MONITORING, InspectionType.ASSURANCE)


def _no_judgement_on_visits(changes: Sequence[Change[Inspection]], errors: ErrorCollector) -> None:
    """Monitoring and assurance visits carry no judgement, unless Ofsted's own
    file gives one: published data is the authority (the import warns)."""
    for change in changes:
        inspection = change.obj
        if (
            inspection.inspection_type in NO_JUDGEMENT_TYPES
            and inspection.overall not in ("", Judgement.NOT_JUDGED)
            and not change.context.get(AS_PUBLISHED)
        ):
            errors.add(change, "Monitoring and assurance visits carry no judgement.", "overall")


def _unique_events(changes: Sequence[Change[Inspection]], errors: ErrorCollector) -> None:
    """One event number per setting: an event can cover several branches of an
    agency, so the same number may appear on other settings."""
    numbered = [
        c for c in changes if c.obj.event_number and c.obj.setting_id and c.changed("event_number")
    ]
    if not numbered:
        return
    wanted = {(c.obj.setting_id, c.obj.event_number) for c in numbered}
    setting_ids = sorted({setting_id for setting_id, _ in wanted})
    events = {event for _, event in wanted}
    taken = {}
    # One flat query per chunk: an OR per setting grows too deep for SQLite.
    for start in range(0, len(setting_ids), CHUNK):
        rows = Inspection.objects.filter(
            setting_id__in=setting_ids[start : start + CHUNK], event_number__in=events
        ).values_list("pk", "setting_id", "event_number")
        taken.update({(sid, event): pk for pk, sid, event in rows if (sid, event) in wanted})
    seen: set[tuple] = set()
    for change in numbered:
        key = (change.obj.setting_id, change.obj.event_number)
        owner = taken.get(key)
        if (owner is not None and owner != change.obj.pk) or key in seen:
            errors.add(
                change,
                "This setting already has an inspection with this event number.",
                "event_number",
            )
        seen.add(key)


def inspections_write(
    *, changes: Sequence[Change[Inspection]], user: Actor, reason: str, today: date | None = None
) -> None:
    with write_unit(user=user, today=today) as unit:
        created, updated = record_changes(changes, user=user, reason=reason)
        setting_ids = {c.obj.setting_id for c in changes} | {
            c.old("setting") for c in changes if not c.is_new
        }
        setting_ratings_refresh(setting_ids=setting_ids)
        monitoring_queue(setting_ids=setting_ids - {None}, unit=unit)
    log_write(logger, "inspections.written", user=user, created=len(created), updated=len(updated))


def inspection_save(
    *, inspection: Inspection, user: Actor, reason: str = "", today: date | None = None
) -> Inspection:
    return save_one(
        inspection,
        check=inspections_check,
        write=inspections_write,
        user=user,
        reason=reason or ("Changed in the portal" if inspection.pk else "Recorded in the portal"),
        today=today,
    )


def inspection_delete(
    *, inspection: Inspection, user: Actor, reason: str = "Deleted in the portal"
):
    """Deleting a wrong judgement may lift enhanced monitoring."""
    if not has_perm(user, "registers.delete_inspection", inspection):
        raise PermissionDenied("Only managers delete an inspection.")
    with write_unit(user=user) as unit:
        setting_id = inspection.setting_id
        record_delete(inspection, user=user, reason=reason)
        setting_ratings_refresh(setting_ids=[setting_id])
        monitoring_queue(setting_ids=[setting_id], unit=unit)
    log_write(logger, "inspections.deleted", user=user, deleted=1)


def setting_ratings_refresh(*, setting_ids: Iterable[int | None]) -> int:
    """Bring the settings' rating columns in line with their inspections.

    The only writer of Setting's rating columns (RATING_FIELDS). Called inside
    every inspection write and delete, so the columns commit or roll back with
    the inspections. Set-based: two queries per 2,000 settings. Returns how
    many settings changed.
    """
    ids = sorted({pk for pk in setting_ids if pk is not None})
    changed = 0
    for start in range(0, len(ids), RATINGS_CHUNK):
        chunk = ids[start : start + RATINGS_CHUNK]
        latest: dict[int, list[tuple[str, date]]] = defaultdict(list)
        rows = (
            Inspection.objects.filter(setting_id__in=chunk, inspection_type=InspectionType.FULL)
            .order_by("setting_id", "-inspection_date", "-id")
            .values_list("setting_id", "overall", "inspection_date")
        )
        for setting_id, overall, when in rows:
            if len(latest[setting_id]) < 2:
                latest[setting_id].append((overall, when))
        stale = []
        for setting in Setting.objects.filter(pk__in=chunk).only("pk", *RATING_FIELDS):
            columns = rating_columns(latest.get(setting.pk, []))
            if any(getattr(setting, name) != value for name, value in columns.items()):
                for name, value in columns.items():
                    setattr(setting, name, value)
                stale.append(setting)
        update_records(stale, Setting, RATING_FIELDS)
        changed += len(stale)
    return changed
