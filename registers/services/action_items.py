"""Action plans: the actions a provider must complete after a QA visit.

Whoever may change a visit may add to and change its action plan. Marking an
action done records the day it was completed.
"""

import logging
from collections.abc import Callable, Sequence
from datetime import date

from django.utils import timezone

from registers.changes import (
    Change,
    ErrorCollector,
    Refusal,
    change_from,
    has_value,
    raise_first,
)
from registers.models import ActionItem, ActionStatus, Visit
from registers.permissions import Actor, Grants, changeable_ids, has_perm, permitted
from registers.services.checks import check_versions, write_records
from registers.services.recording import save_one

logger = logging.getLogger(__name__)


def action_items_addable(*, user: Actor, grants: Callable[[], Grants] | None = None) -> bool:
    """Whoever may change a visit may add to its action plan. ``grants``: the
    request's per-record grants, when the caller has them."""
    return has_perm(user, "registers.add_actionitem") or (
        permitted(user, ("change",), Visit.objects.all(), grants=grants).exists()
    )


def action_items_check(
    *, changes: Sequence[Change[ActionItem]], user: Actor, today: date | None = None
) -> list[Refusal]:
    today = today or timezone.localdate()
    errors = ErrorCollector()
    visit_ids = [c.obj.visit_id for c in changes] + [c.old("visit") for c in changes]
    visits = changeable_ids(user, Visit, visit_ids)
    for change in changes:
        item = change.obj
        if not change.is_new and change.old("visit") not in visits:
            errors.add(change, "This is not an action item you may change.")
        elif not has_value(item, "visit"):
            errors.add(change, "Choose the visit whose action plan this belongs to.", "visit")
        elif item.visit_id is not None and item.visit_id not in visits:
            errors.add(change, "This is not a visit you may change.", "visit")
        if item.status == ActionStatus.DONE and change.changed("status"):
            item.completed_on = item.completed_on or today
        if item.completed_on and item.completed_on > today:
            errors.add(change, "An action cannot be completed in the future.", "completed_on")
    check_versions(changes, errors=errors)
    return errors.refusals()


def action_items_write(
    *, changes: Sequence[Change[ActionItem]], user: Actor, reason: str, **_
) -> None:
    write_records(changes, user=user, reason=reason, logger=logger, event="action_items.written")


def action_item_save(*, item: ActionItem, user: Actor, reason: str = "") -> ActionItem:
    return save_one(
        item,
        check=action_items_check,
        write=action_items_write,
        user=user,
        reason=reason or ("Action changed" if item.pk else "Action added"),
    )


def action_items_mark_done(
    *, items: Sequence[ActionItem], user: Actor, today: date | None = None
) -> int:
    """The list action: each action not yet done is done today."""
    today = today or timezone.localdate()
    changes = []
    for item in items:
        if item.status != ActionStatus.DONE:
            change = change_from(item)
            item.status = ActionStatus.DONE
            changes.append(change)
    raise_first(action_items_check(changes=changes, user=user, today=today))
    action_items_write(changes=changes, user=user, reason="Marked done")
    return len(changes)
