"""Settings: the places each provider runs, as the register and Ofsted know them.

A setting that changes hands (or is new) may come into use, so the
enhanced-monitoring check reviews it. The monitoring fields themselves are
written only by that check (registers.services.monitoring).
"""

import logging
from collections.abc import Sequence
from datetime import date

from registers.changes import Change, ErrorCollector, Refusal, has_value
from registers.models import Setting
from registers.permissions import Actor
from registers.services.checks import check_basics
from registers.services.monitoring import monitoring_queue
from registers.services.recording import log_write, record_changes, save_one
from registers.services.registrations import registrations_ending
from registers.services.units import write_unit

logger = logging.getLogger(__name__)

MONITORING_FIELDS = (
    "enhanced_monitoring",
    "enhanced_monitoring_since",
    "enhanced_monitoring_inspection",
)


def settings_check(*, changes: Sequence[Change[Setting]], user: Actor, **_) -> list[Refusal]:
    errors = ErrorCollector()
    check_basics(
        changes,
        user=user,
        errors=errors,
        add_refused="You may not add settings.",
        change_refused="This is not a setting you may change.",
    )
    for change in changes:
        setting = change.obj
        flagged_new = change.is_new and bool(
            setting.enhanced_monitoring
            or setting.enhanced_monitoring_since
            or has_value(setting, "enhanced_monitoring_inspection")
        )
        if flagged_new or (not change.is_new and change.changed(*MONITORING_FIELDS)):
            errors.add(change, "Enhanced monitoring follows the Ofsted judgements, not edits.")
    _unique_urns(changes, errors)
    return errors.refusals()


def _unique_urns(changes: Sequence[Change[Setting]], errors: ErrorCollector) -> None:
    moved = [c for c in changes if c.obj.urn and c.changed("urn")]
    if not moved:
        return
    taken = dict(
        Setting.objects.filter(urn__in={c.obj.urn for c in moved}).values_list("urn", "pk")
    )
    seen: set[str] = set()
    for change in moved:
        owner = taken.get(change.obj.urn)
        if (owner is not None and owner != change.obj.pk) or change.obj.urn in seen:
            errors.add(change, "Another setting has this URN.", "urn")
        seen.add(change.obj.urn)


def settings_write(
    *, changes: Sequence[Change[Setting]], user: Actor, reason: str, today: date | None = None
) -> None:
    with write_unit(user=user, today=today) as unit:
        # A setting in use whose registration ends is flagged in the same history row.
        registrations_ending(changes=changes, unit=unit)
        created, updated = record_changes(changes, user=user, reason=reason)
        # A new setting, or one that changed hands, may have come into use.
        monitoring_queue(
            setting_ids=[c.obj.pk for c in changes if c.is_new or c.changed("provider")],
            unit=unit,
        )
    log_write(logger, "settings.written", user=user, created=len(created), updated=len(updated))


def setting_save(*, setting: Setting, user: Actor, reason: str = "", today: date | None = None):
    return save_one(
        setting,
        check=settings_check,
        write=settings_write,
        user=user,
        reason=reason or ("Changed in the portal" if setting.pk else "Created in the portal"),
        today=today,
    )
