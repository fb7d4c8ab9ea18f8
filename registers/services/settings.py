"""Settings: the places each provider runs, as the register and Ofsted know them.

A setting that changes hands (or is new) may come into use, so the
enhanced-monitoring check reviews it. The monitoring fields themselves are
written only by that check (registers.services.monitoring).
"""

import logging
from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError

from registers.changes import Change, ErrorCollector, Refusal
from registers.models import Setting
from registers.permissions import changeable_ids, has_perm
from registers.services.monitoring import monitor_settings
from registers.services.recording import log_write, record_changes, save_one
from registers.services.units import write_unit

logger = logging.getLogger(__name__)

MONITORING_FIELDS = ("enhanced_monitoring", "enhanced_monitoring_since")


def settings_check(*, changes: Sequence[Change[Setting]], user, **_) -> list[Refusal]:
    errors = ErrorCollector()
    may_add = has_perm(user, "registers.add_setting")
    allowed = changeable_ids(user, Setting, [c.obj.pk for c in changes if not c.is_new])
    for change in changes:
        setting = change.obj
        try:
            setting.clean()
        except ValidationError as exc:
            errors.add_error(change, exc)
        if change.is_new and not may_add:
            errors.add(change, "You may not add settings.")
        elif not change.is_new and setting.pk not in allowed:
            errors.add(change, "This is not a setting you may change.")
        if not change.is_new and change.changed(*MONITORING_FIELDS):
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
    *, changes: Sequence[Change[Setting]], user, reason: str, today: date | None = None
) -> None:
    with write_unit(user=user, today=today) as unit:
        created, updated = record_changes(changes, user=user, reason=reason)
        # A new setting, or one that changed hands, may have come into use.
        monitor_settings(
            setting_ids=[c.obj.pk for c in changes if c.is_new or c.changed("provider")],
            unit=unit,
        )
    log_write(logger, "settings.written", user=user, created=len(created), updated=len(updated))


def setting_save(*, setting: Setting, user, reason: str = "", today: date | None = None):
    return save_one(
        setting,
        check=settings_check,
        write=settings_write,
        user=user,
        reason=reason or ("Changed in the portal" if setting.pk else "Created in the portal"),
        today=today,
    )
