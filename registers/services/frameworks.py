"""Frameworks, DPS and flexible purchasing systems, their lots and admissions."""

import logging
from collections.abc import Iterable, Sequence

from registers.changes import Change, ErrorCollector, Refusal
from registers.models import Framework, Lot, Provider
from registers.permissions import Actor
from registers.services.checks import check_basics, write_records
from registers.services.recording import forget_stamps, save_one, stamp
from registers.services.units import write_unit

logger = logging.getLogger(__name__)


def frameworks_check(*, changes: Sequence[Change], user: Actor, **_) -> list[Refusal]:
    """Frameworks and lots: their own rules, and who may add or change them."""
    errors = ErrorCollector()
    for model in (Framework, Lot):
        check_basics(
            [c for c in changes if isinstance(c.obj, model)],
            user=user,
            errors=errors,
            add_refused=f"You may not add {model._meta.verbose_name_plural}.",
            change_refused=f"This is not a {model._meta.verbose_name} you may change.",
        )
    return errors.refusals()


def frameworks_write(*, changes: Sequence[Change], user: Actor, reason: str, **_) -> None:
    write_records(changes, user=user, reason=reason, logger=logger, event="frameworks.written")


def framework_save(*, framework: Framework, user: Actor, reason: str = "") -> Framework:
    return save_one(
        framework,
        check=frameworks_check,
        write=frameworks_write,
        user=user,
        reason=reason or ("Changed in the portal" if framework.pk else "Created in the portal"),
    )


def lot_save(
    *, lot: Lot, user: Actor, reason: str = "", providers: Iterable[Provider] | None = None
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
            forget_stamps([lot])
    return lot
