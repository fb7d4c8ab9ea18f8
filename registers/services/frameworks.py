"""Frameworks, DPS and flexible purchasing systems, their lots and admissions."""

import logging
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError

from registers.changes import Change, ErrorCollector, Refusal
from registers.models import Framework, Lot, Provider
from registers.permissions import changeable_ids, has_perm
from registers.services.recording import log_write, record_changes, save_one, stamp
from registers.services.units import write_unit

logger = logging.getLogger(__name__)


def frameworks_check(*, changes: Sequence[Change], user, **_) -> list[Refusal]:
    """Frameworks and lots: their own rules, and who may add or change them."""
    errors = ErrorCollector()
    for model in (Framework, Lot):
        mine = [c for c in changes if isinstance(c.obj, model)]
        if not mine:
            continue
        may_add = has_perm(user, f"registers.add_{model._meta.model_name}")
        allowed = changeable_ids(user, model, [c.obj.pk for c in mine if not c.is_new])
        for change in mine:
            try:
                change.obj.clean()
            except ValidationError as exc:
                errors.add_error(change, exc)
            if change.is_new and not may_add:
                errors.add(change, f"You may not add {model._meta.verbose_name_plural}.")
            elif not change.is_new and change.obj.pk not in allowed:
                errors.add(change, f"This is not a {model._meta.verbose_name} you may change.")
    return errors.refusals()


def frameworks_write(*, changes: Sequence[Change], user, reason: str, **_) -> None:
    with write_unit(user=user):
        created, updated = record_changes(changes, user=user, reason=reason)
    log_write(logger, "frameworks.written", user=user, created=len(created), updated=len(updated))


def framework_save(*, framework: Framework, user, reason: str = "") -> Framework:
    return save_one(
        framework,
        check=frameworks_check,
        write=frameworks_write,
        user=user,
        reason=reason or ("Changed in the portal" if framework.pk else "Created in the portal"),
    )


def lot_save(
    *, lot: Lot, user, reason: str = "", providers: Iterable[Provider] | None = None
) -> Lot:
    """Save a lot and, when given, the providers admitted to it (recorded in its history)."""
    with write_unit(user=user):
        save_one(
            lot,
            check=frameworks_check,
            write=frameworks_write,
            user=user,
            reason=reason or ("Changed in the portal" if lot.pk else "Created in the portal"),
        )
        if providers is not None:
            stamp(lot, user=user, reason=reason or "Admitted providers changed")
            lot.providers.set(providers)
    return lot
