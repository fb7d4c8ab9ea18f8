"""Writing records with their history: who made the change and why.

Every service writes through these functions. One change is saved through
the ORM, so simple-history writes its row; many are written in bulk, with the
same history rows written by registers.history_rows.
"""

import logging
from collections.abc import Callable, Sequence

from django.db.models import Model
from django.utils import timezone

from registers.changes import GIVEN_REASON, Change, Refusal, link_parents, raise_first
from registers.history_rows import bulk_create_recorded, bulk_update_recorded
from registers.permissions import Actor

logger = logging.getLogger(__name__)


def stamp[M: Model](obj: M, *, user: Actor, reason: str) -> M:
    """simple-history reads these attributes when the record is saved."""
    obj._history_user = user
    obj._change_reason = reason
    return obj


def change_for[M: Model](obj: M, *, context: dict | None = None) -> Change[M]:
    """A change to one record: its stored version is read from the database."""
    before = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk else None
    context = dict(context or {})
    # A form, inline row or list row stamps the version it read (see check_versions).
    if getattr(obj, "_read_version", None) is not None:
        context.setdefault("read_version", obj._read_version)
    # A form stamps the reason its user typed, so its check sees it before the save.
    if getattr(obj, "_given_reason", None):
        context.setdefault(GIVEN_REASON, obj._given_reason)
    return Change(obj=obj, before=before, context=context)


def record_changes(
    changes: Sequence[Change], *, user: Actor, reason: str
) -> tuple[list[Model], list[Model]]:
    """Write new and changed records with history; unchanged ones write nothing.

    Returns (created, updated). A record stamped with its own reason keeps it.
    """
    changed = [c for c in changes if c.is_new or c.changed_fields()]
    for change in changed:
        link_parents(change.obj)
    if len(changed) == 1:
        obj = changed[0].obj
        obj._history_user = user
        obj._change_reason = getattr(obj, "_change_reason", None) or reason
        obj.save()
        forget_stamps([obj])
        return ([obj], []) if changed[0].is_new else ([], [obj])
    created, updated = [], []
    by_model: dict[type[Model], list[Change]] = {}
    for change in changed:
        by_model.setdefault(type(change.obj), []).append(change)
    for model, model_changes in by_model.items():
        new = [c.obj for c in model_changes if c.is_new]
        if new:
            created += bulk_create_recorded(new, model, user=user, reason=reason)
        old = [c for c in model_changes if not c.is_new]
        if old:
            updated += _bulk_update(old, model, user=user, reason=reason)
    forget_stamps([*created, *updated])
    return created, updated


def _bulk_update(changes: Sequence[Change], model, *, user: Actor, reason: str) -> list[Model]:
    objs = [c.obj for c in changes]
    fields = sorted({name for c in changes for name in c.changed_fields()})
    now = timezone.now()
    for field in model._meta.concrete_fields:
        if getattr(field, "auto_now", False):
            for obj in objs:
                setattr(obj, field.attname, now)
            fields.append(field.name)
    bulk_update_recorded(objs, model, fields, user=user, reason=reason)
    return objs


def forget_stamps(objs: Sequence[Model]) -> None:
    # A reason belongs to one write: a later write of the same object must not reuse it.
    for obj in objs:
        obj.__dict__.pop("_change_reason", None)
        obj.__dict__.pop("_history_user", None)
        obj.__dict__.pop("_read_version", None)
        obj.__dict__.pop("_given_reason", None)


def record_delete(obj: Model, *, user: Actor, reason: str) -> None:
    stamp(obj, user=user, reason=reason)
    obj.delete()
    forget_stamps([obj])
    log_write(logger, f"{obj._meta.model_name}.deleted", user=user, deleted=1)


def save_one[M: Model](
    obj: M,
    *,
    check: Callable[..., list[Refusal]],
    write: Callable[..., None],
    user: Actor,
    reason: str,
    context: dict | None = None,
    **options,
) -> M:
    """A single save is a bulk of one: the same checks, the same write."""
    link_parents(obj)
    change = change_for(obj, context=context)
    raise_first(check(changes=[change], user=user, **options))
    write(changes=[change], user=user, reason=reason, **options)
    return obj


def check_one[M: Model](
    obj: M,
    *,
    check: Callable[..., list[Refusal]],
    user: Actor,
    context: dict | None = None,
    **options,
) -> None:
    """The checks alone, for a form: raises ValidationError by field."""
    link_parents(obj)
    raise_first(check(changes=[change_for(obj, context=context)], user=user, **options))


def log_write(logger: logging.Logger, event: str, *, user: Actor, **facts) -> None:
    """One structured line per write: who, what and how many."""
    username = getattr(user, "username", None) or "system"
    detail = " ".join(f"{key}={value}" for key, value in facts.items())
    logger.info(
        "%s by %s %s",
        event,
        username,
        detail,
        extra={"event": event, "user": username, "facts": facts},
    )
