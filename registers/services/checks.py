"""What every register's check begins with, and the plain write most share."""

import logging
from collections.abc import Callable, Sequence

from django.core.exceptions import ValidationError

from registers.changes import Change, ErrorCollector
from registers.permissions import Actor, changeable_ids, has_perm, perm_name
from registers.selectors.versions import changes_since, record_versions
from registers.services.authorities import authorities_check
from registers.services.recording import log_write, record_changes
from registers.services.units import write_unit


def check_basics(
    changes: Sequence[Change],
    *,
    user: Actor,
    errors: ErrorCollector,
    add_refused: str,
    change_refused: str,
    exempt: Callable[[Change], bool] = lambda change: False,
) -> None:
    """The record's own fields (Model.clean), and the user's right to add it or
    to change this record. ``exempt`` spares a change whose path checked its own
    permission (a decision page)."""
    if not changes:
        return
    model = type(changes[0].obj)
    authorities_check(changes, user=user, errors=errors)
    may_add = has_perm(user, perm_name("add", model))
    allowed = changeable_ids(user, model, [c.obj.pk for c in changes if not c.is_new])
    for change in changes:
        try:
            change.obj.clean()
        except ValidationError as exc:
            errors.add_error(change, exc)
        if change.is_new and not may_add:
            errors.add(change, add_refused)
        elif not change.is_new and change.obj.pk not in allowed and not exempt(change):
            errors.add(change, change_refused)
    check_versions(changes, errors=errors)


STALE = "stale"


def check_versions(changes: Sequence[Change], *, errors: ErrorCollector) -> None:
    """Refuse a change made to a version of the record that is no longer the latest:
    nothing is overwritten silently. A path that read the record says which version
    in ``context["read_version"]`` (forms, inline rows, list rows)."""
    read = [c for c in changes if not c.is_new and c.context.get("read_version") is not None]
    if not read:
        return
    model = type(read[0].obj)
    latest = record_versions(model, [c.obj.pk for c in read])
    for change in read:
        version = int(change.context["read_version"])
        current = latest.get(change.obj.pk, 0)
        if current == version:
            continue
        since = "; ".join(c.describe() for c in changes_since(model, change.obj.pk, version))
        errors.add_error(
            change,
            ValidationError(
                "Someone else changed this record after you opened it (%(since)s). "
                "Nothing was saved. Reload the page to see their changes, or save again "
                "to apply yours over them.",
                code=STALE,
                params={"since": since or "changed"},
            ),
        )


def write_records(
    changes: Sequence[Change], *, user: Actor, reason: str, logger: logging.Logger, event: str
) -> None:
    """Write checked changes with their history, for a register with no follow-on work."""
    with write_unit(user=user):
        created, updated = record_changes(changes, user=user, reason=reason)
    log_write(logger, event, user=user, created=len(created), updated=len(updated))
