"""Reminders users choose: each user's kinds, and each role's defaults per council.

A user who has not chosen gets their roles' defaults in their council, as its
managers set them, or the portal's defaults below.
"""

import logging
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from registers.models import Authority, NotificationPreference, ReminderKind, RoleReminderDefault
from registers.permissions import Actor, authority_scope, has_perm
from registers.roles import (
    AUDITOR,
    BUSINESS_SUPPORT,
    COMMISSIONING_OFFICER,
    MANAGER,
    QA_OFFICER,
    REGIONAL_LEAD,
    ROLES,
)
from registers.selectors.users import memberships, several_authorities
from registers.services.recording import stamp

logger = logging.getLogger(__name__)

K = ReminderKind
# The portal's defaults, until a council's managers set their own.
PORTAL_DEFAULTS: dict[str, tuple[str, ...]] = {
    MANAGER: (K.CONTRACT_DECISIONS, K.CONTRACT_ENDS, K.CONTRACT_REVIEWS, K.RI_INADEQUATE),
    BUSINESS_SUPPORT: (K.DOCUMENTS_EXPIRING,),
    QA_OFFICER: (K.MY_VISITS, K.OVERDUE_ACTIONS, K.CONCERN_STAGES),
    COMMISSIONING_OFFICER: (K.CONTRACT_DECISIONS, K.CONTRACT_ENDS, K.CONTRACT_REVIEWS),
    AUDITOR: (),
    REGIONAL_LEAD: (),
}


def _clean_kinds(kinds: Iterable[str]) -> list[str]:
    kinds = list(dict.fromkeys(kinds))
    unknown = [kind for kind in kinds if kind not in ReminderKind.values]
    if unknown:
        raise ValidationError({"kinds": f"Not a kind of reminder: {', '.join(unknown)}."})
    return [kind for kind in ReminderKind.values if kind in kinds]


def notification_preference_save(
    *, user: Actor, kinds: Iterable[str], reason: str = ""
) -> NotificationPreference:
    """The user's own choice of reminder kinds (every user may choose theirs)."""
    chosen = _clean_kinds(kinds)
    preference = NotificationPreference.objects.filter(user=user).first()
    if preference is None:
        preference = NotificationPreference(user=user)
    preference.kinds = chosen
    stamp(preference, user=user, reason=reason or "Reminders chosen")
    preference.save()
    logger.info("notification_preference.saved user=%s kinds=%s", user.pk, len(chosen))
    return preference


def role_reminder_default_save(
    *, authority_id: int, role: str, kinds: Iterable[str], user: Actor, reason: str = ""
) -> RoleReminderDefault:
    """A council's default reminders for a role: its managers set them."""
    if not has_perm(user, "registers.change_rolereminderdefault"):
        raise PermissionDenied("Only managers set a role's default reminders.")
    if authority_id not in authority_scope(user).member_ids:
        raise PermissionDenied("You may set the defaults of your own council only.")
    if role not in ROLES:
        raise ValidationError({"role": f"{role!r} is not a role."})
    chosen = _clean_kinds(kinds)
    default = RoleReminderDefault.objects.filter(authority_id=authority_id, role=role).first()
    if default is None:
        default = RoleReminderDefault(authority_id=authority_id, role=role)
    default.kinds = chosen
    stamp(default, user=user, reason=reason or f"Default reminders of {role} set")
    default.save()
    return default


def _kinds_of_roles(roles: Iterable[str], council_defaults: dict[str, set[str]]) -> set[str]:
    kinds: set[str] = set()
    for role in roles:
        kinds |= council_defaults.get(role, set(PORTAL_DEFAULTS.get(role, ())))
    return kinds


def role_default_kinds(*, authority_ids: Iterable[int], roles: Iterable[str]) -> set[str]:
    """The default kinds of these roles in these councils: a council's own, else the portal's."""
    table = role_defaults_table(authority_ids=authority_ids)
    kinds: set[str] = set()
    for role in roles:
        kinds |= table.get(role, set())
    return kinds


def role_defaults_table(*, authority_ids: Iterable[int]) -> dict[str, set[str]]:
    """Every role's default kinds in these councils, in one query."""
    council_defaults: dict[str, set[str]] = {}
    for role, kinds in RoleReminderDefault.objects.filter(
        authority_id__in=sorted(set(authority_ids))
    ).values_list("role", "kinds"):
        council_defaults.setdefault(role, set()).update(kinds)
    return {role: _kinds_of_roles([role], council_defaults) for role in ROLES}


def reminder_kinds_for(*, user: Actor) -> set[str]:
    """The kinds the user's digest holds: their own choice, else their roles' defaults."""
    return reminder_kinds_by_user(users=[user])[user.pk]


def reminder_kinds_by_user(*, users) -> dict[int, set[str]]:
    """reminder_kinds_for of many users, in four queries whatever their number."""
    users = list(users)
    ids = [user.pk for user in users]
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=ids).values_list("user_id", "kinds")
    )
    roles_of: dict[int, set[str]] = {}
    for user_id, role in (
        get_user_model()
        .groups.through.objects.filter(user_id__in=ids)
        .values_list("user_id", "group__name")
    ):
        roles_of.setdefault(user_id, set()).add(role)
    councils = memberships(user_ids=ids)
    if not several_authorities():
        # One council: everyone belongs to it (see permissions.authority_scope).
        every = set(Authority.objects.values_list("pk", flat=True))
        councils = {user_id: every for user_id in ids}
    council_defaults: dict[int, dict[str, set[str]]] = {}
    for default in RoleReminderDefault.objects.all():
        council_defaults.setdefault(default.authority_id, {}).setdefault(
            default.role, set()
        ).update(default.kinds)
    found = {}
    for user_id in ids:
        if user_id in chosen:
            found[user_id] = set(chosen[user_id])
            continue
        merged: dict[str, set[str]] = {}
        for authority_id in councils.get(user_id, ()):
            for role, kinds in council_defaults.get(authority_id, {}).items():
                merged.setdefault(role, set()).update(kinds)
        found[user_id] = _kinds_of_roles(roles_of.get(user_id, set()), merged)
    return found
