"""The Ofsted rating tracker: recording inspections, by hand or imported.

Every inspection written or deleted has its setting's enhanced monitoring
reviewed once the transaction's writes are done: the latest full inspection
sets the current rating, and the rating drives the RI / Inadequate process.
"""

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from registers.changes import Change, ErrorCollector, Refusal
from registers.models import Inspection
from registers.permissions import Actor, has_perm
from registers.services.checks import check_basics
from registers.services.monitoring import monitoring_queue
from registers.services.recording import log_write, record_changes, record_delete, save_one
from registers.services.units import write_unit

logger = logging.getLogger(__name__)


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
    return errors.refusals()


def _unique_events(changes: Sequence[Change[Inspection]], errors: ErrorCollector) -> None:
    """One event number per setting: an event can cover several branches of an
    agency, so the same number may appear on other settings."""
    numbered = [
        c for c in changes if c.obj.event_number and c.obj.setting_id and c.changed("event_number")
    ]
    if not numbered:
        return
    wanted = defaultdict(set)
    for change in numbered:
        wanted[change.obj.setting_id].add(change.obj.event_number)
    condition = Q()
    for setting_id, events in wanted.items():
        condition |= Q(setting_id=setting_id, event_number__in=events)
    taken = {
        (setting_id, event): pk
        for pk, setting_id, event in Inspection.objects.filter(condition).values_list(
            "pk", "setting_id", "event_number"
        )
    }
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
        monitoring_queue(setting_ids=[setting_id], unit=unit)
    log_write(logger, "inspections.deleted", user=user, deleted=1)
