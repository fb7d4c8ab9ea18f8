"""Every write says who made it and why: simple-history reads these attributes."""

from typing import TypeVar

from django.db.models import Model

M = TypeVar("M", bound=Model)


def stamp[M: Model](obj: M, *, user, reason: str) -> M:
    obj._history_user = user
    obj._change_reason = reason
    return obj


def save_with_history[M: Model](
    obj: M, *, user, reason: str, update_fields: list[str] | None = None
) -> M:
    stamp(obj, user=user, reason=reason)
    obj.save(update_fields=update_fields)
    return obj
