"""Which authority a council's own record belongs to.

New records take the user's authority; a user in several picks one of theirs.
Nobody moves a record to, or adds one in, an authority they do not belong to.
"""

import logging
from collections.abc import Sequence

from django.db import transaction

from registers.changes import Change, ErrorCollector
from registers.models import Authority
from registers.permissions import Actor, authority_names, authority_scope
from registers.selectors.users import memberships, several_authorities

logger = logging.getLogger(__name__)

CHOOSE = "Choose the authority this record belongs to."
NOT_YOURS = "You can only add or change records of an authority you belong to."


def authority_default(*, user: Actor) -> int | None:
    """The authority a new record takes when none was chosen: the user's only
    one (for the portal itself, the install's only one); None when there is a choice."""
    return _default(authority_scope(user), user=user)


def _default(scope, *, user: Actor) -> int | None:
    ids = scope.all_ids if user is None else tuple(sorted(scope.member_ids))
    return ids[0] if len(ids) == 1 else None


def authorities_check(changes: Sequence[Change], *, user: Actor, errors: ErrorCollector) -> None:
    """Place new records in the user's authority; refuse any other authority."""
    if not changes or not hasattr(changes[0].obj, "authority_id"):
        return
    scope = authority_scope(user)  # one query for the whole batch
    for change in changes:
        obj = change.obj
        if obj.authority_id is None:
            obj.authority_id = _default(scope, user=user)
            if obj.authority_id is None:
                errors.add(change, CHOOSE, "authority")
            continue
        moved = change.before is None or change.before.authority_id != obj.authority_id
        if moved and obj.authority_id not in scope.member_ids:
            errors.add(change, NOT_YOURS, "authority")


def authority_choices(*, user: Actor):
    """The authorities a form offers this user."""
    return Authority.objects.filter(pk__in=sorted(authority_scope(user).member_ids))


def authority_create(*, name: str, code: str = "", members: Sequence = ()) -> Authority:
    with transaction.atomic():
        authority, _ = Authority.objects.get_or_create(name=name, defaults={"code": code})
        if members:
            authority.members.add(*members)
    logger.info("authority %s ready with %d new members", name, len(members))
    return authority


def staff_membership_check(
    changes: Sequence[Change], *, field: str, errors: ErrorCollector, label: str
) -> None:
    """Refuse a responsibility given to someone outside the record's own council."""
    named = [c for c in changes if getattr(c.obj, f"{field}_id")]
    if not named or not several_authorities():
        return
    member_of = memberships(user_ids=[getattr(c.obj, f"{field}_id") for c in named])
    names = authority_names()
    for change in named:
        obj = change.obj
        if obj.authority_id not in member_of.get(getattr(obj, f"{field}_id"), set()):
            who = getattr(obj, field)
            errors.add(
                change,
                f"{who} is not a member of {names.get(obj.authority_id, 'this authority')}: "
                f"a {label} must be one of the council's own staff.",
                field,
            )
