"""Which shared settings each authority uses.

Every member authority uses an approved provider's settings unless it opts out
(a setting it has chosen not to use); a live contract of its own always means
it uses the setting. Opting in or out changes which councils the Requires
Improvement / Inadequate process runs for, so the setting is queued for it.
"""

import logging

from django.core.exceptions import ValidationError

from registers.changes import Change, snapshot
from registers.models import AuthoritySetting, Setting
from registers.permissions import Actor, authority_scope
from registers.services.monitoring import monitoring_queue
from registers.services.recording import log_write, record_changes
from registers.services.units import write_unit

logger = logging.getLogger(__name__)

PERMISSION = "registers.choose_use_setting"


def setting_use_allowed(*, user: Actor) -> bool:
    return user is None or user.has_perm(PERMISSION)


def setting_use_choose(
    *, setting: Setting, authority_id: int, opted_out: bool, user: Actor, reason: str
) -> AuthoritySetting | None:
    """Opt one of the user's authorities out of a setting, or back into it."""
    errors = {}
    if not setting_use_allowed(user=user):
        errors["authority"] = "Only a manager can choose which settings the council uses."
    elif authority_id not in authority_scope(user).member_ids:
        errors["authority"] = "You can only choose for an authority you belong to."
    if not (reason or "").strip():
        errors["reason"] = "Say why, for the record's history."
    if errors:
        raise ValidationError(errors)
    with write_unit(user=user) as unit:
        row = AuthoritySetting.objects.filter(setting=setting, authority_id=authority_id).first()
        if row is None and not opted_out:
            return None  # used by default: nothing to record
        before = snapshot(row) if row is not None else None
        row = row or AuthoritySetting(authority_id=authority_id, setting=setting)
        row.opted_out = opted_out
        record_changes([Change(obj=row, before=before)], user=user, reason=reason.strip())
        monitoring_queue(setting_ids=[setting.pk], unit=unit)
    log_write(logger, "setting_use.chosen", user=user, setting=setting.pk, opted_out=opted_out)
    return row
