"""Ofsted's enforcement on a setting: a compliance notice or a restriction on
accommodation, imposed and later lifted, each step recorded with its history.

Business support and managers record them. Every write keeps the setting's
two columns (the notice and restriction in force, which the lists flag) and
queues the setting for the enhanced-monitoring check (services/monitoring.py),
the same one an RI or Inadequate judgement goes through: a setting in use is
flagged and given a risk visit, and the flag lifts only when nothing holds it.
"""

import logging
from collections.abc import Sequence
from datetime import date

from django.utils import timezone

from registers.changes import Change, ErrorCollector, Refusal, change_from, raise_first, snapshot
from registers.models import Enforcement, EnforcementKind, Setting
from registers.permissions import Actor, can
from registers.services.checks import check_basics
from registers.services.monitoring import monitoring_queue
from registers.services.recording import log_write, record_changes, record_delete, save_one
from registers.services.units import write_unit

logger = logging.getLogger(__name__)

# The setting's column that carries each kind while one is in force.
COLUMNS = {
    EnforcementKind.COMPLIANCE_NOTICE: "compliance_notice_on",
    EnforcementKind.ACCOMMODATION_RESTRICTION: "accommodation_restriction_on",
}


def enforcements_check(
    *, changes: Sequence[Change[Enforcement]], user: Actor, today: date | None = None, **_
) -> list[Refusal]:
    errors = ErrorCollector()
    today = today or timezone.localdate()
    for change in changes:
        if change.is_new:
            change.obj.recorded_by = change.obj.recorded_by or user
    check_basics(
        changes,
        user=user,
        errors=errors,
        add_refused="Only business support and managers record enforcement.",
        change_refused="Only business support and managers change enforcement records.",
    )
    for change in changes:
        enforcement = change.obj
        if not change.is_new and change.changed("setting", "kind"):
            errors.add(
                change, "Record a new enforcement rather than changing its setting or kind.", "kind"
            )
        if enforcement.imposed_on and enforcement.imposed_on > today:
            errors.add(change, "It cannot be imposed in the future.", "imposed_on")
        if enforcement.lifted_on and enforcement.imposed_on:
            if enforcement.lifted_on < enforcement.imposed_on:
                errors.add(change, "It cannot be lifted before it was imposed.", "lifted_on")
            if enforcement.lifted_on > today:
                errors.add(change, "It cannot be lifted in the future.", "lifted_on")
        if change.is_new and enforcement.setting_id and enforcement.kind:
            _one_in_force(change, errors)
    return errors.refusals()


def _one_in_force(change: Change[Enforcement], errors: ErrorCollector) -> None:
    enforcement = change.obj
    current = (
        Enforcement.objects.active()
        .filter(setting_id=enforcement.setting_id, kind=enforcement.kind)
        .first()
    )
    if current is not None:
        errors.add(
            change,
            f"{enforcement.setting.display_name} already has a "
            f"{current.get_kind_display().lower()} in force from "
            f"{current.imposed_on:%d/%m/%Y}: lift it first.",
            "kind",
        )


def enforcements_write(
    *, changes: Sequence[Change[Enforcement]], user: Actor, reason: str, **_
) -> None:
    """Write the records, keep each setting's columns, and queue the monitoring check."""
    with write_unit(user=user) as unit:
        created, updated = record_changes(changes, user=user, reason=reason)
        setting_ids = sorted({c.obj.setting_id for c in changes})
        _keep_setting_columns(setting_ids, user=user, reason=reason)
        monitoring_queue(setting_ids=setting_ids, unit=unit)
    log_write(logger, "enforcements.written", user=user, created=len(created), updated=len(updated))


def _keep_setting_columns(setting_ids: list[int], *, user: Actor, reason: str) -> None:
    """Each setting's columns: the earliest of each kind still in force."""
    in_force: dict[tuple[int, str], date] = {}
    for row in (
        Enforcement.objects.active().filter(setting_id__in=setting_ids).order_by("imposed_on")
    ):
        in_force.setdefault((row.setting_id, row.kind), row.imposed_on)
    changes = []
    for setting in Setting.objects.filter(pk__in=setting_ids):
        before = snapshot(setting)
        for kind, column in COLUMNS.items():
            setattr(setting, column, in_force.get((setting.pk, kind)))
        changes.append(Change(obj=setting, before=before))
    record_changes(changes, user=user, reason=f"Enforcement: {reason}")


def enforcement_impose(
    *,
    setting: Setting,
    kind: str,
    imposed_on: date,
    note: str = "",
    user: Actor,
    reason: str = "",
) -> Enforcement:
    """Record a compliance notice or restriction on accommodation on a setting."""
    enforcement = Enforcement(setting=setting, kind=kind, imposed_on=imposed_on, note=note)
    return enforcement_save(enforcement=enforcement, user=user, reason=reason)


def enforcement_save(*, enforcement: Enforcement, user: Actor, reason: str = "") -> Enforcement:
    """A new enforcement, or a change to a recorded one's date or note."""
    if not reason:
        reason = (
            f"{enforcement.get_kind_display()} recorded"
            if enforcement.pk is None
            else "Enforcement record changed"
        )
    return save_one(
        enforcement, check=enforcements_check, write=enforcements_write, user=user, reason=reason
    )


def enforcement_lift_allowed(*, enforcement: Enforcement, user: Actor) -> bool:
    return enforcement.is_active and can(user, "change", enforcement)


def enforcement_lift(
    *, enforcement: Enforcement, user: Actor, note: str, lifted_on: date | None = None
) -> Enforcement:
    """Record that Ofsted lifted it: the monitoring lifts when nothing else holds it."""
    change = change_from(enforcement)
    errors = ErrorCollector()
    if not enforcement.is_active:
        errors.add(change, f"{enforcement} was already lifted.", "lifted_on")
    if not (note or "").strip():
        errors.add(change, "Say why it was lifted.", "lifted_note")
    raise_first(errors.refusals())
    enforcement.lifted_on = lifted_on or timezone.localdate()
    enforcement.lifted_note = note.strip()
    enforcement.lifted_by = user
    raise_first(enforcements_check(changes=[change], user=user))
    enforcements_write(
        changes=[change],
        user=user,
        reason=f"{enforcement.get_kind_display()} lifted on {enforcement.lifted_on:%d/%m/%Y}",
    )
    return enforcement


def enforcement_delete(*, enforcement: Enforcement, user: Actor, reason: str) -> None:
    """A record made in error (a manager's): the setting's columns and its
    monitoring follow what is left. Lifting, not deleting, is how one ends."""
    with write_unit(user=user) as unit:
        setting_id = enforcement.setting_id
        record_delete(enforcement, user=user, reason=reason)
        _keep_setting_columns([setting_id], user=user, reason=reason)
        monitoring_queue(setting_ids=[setting_id], unit=unit)
