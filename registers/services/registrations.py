"""Registrations that end: a setting in use that Ofsted records as suspended,
resigned, closed or cancelled is flagged for placement review, and the
managers get one digest after commit.

The alert starts when the status changes, whichever path changes it (an
Ofsted file, a form), so importing the same file again starts none.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from registers.changes import Change
from registers.models import RegistrationStatus, Setting
from registers.models.settings import ENDED_STATUSES
from registers.selectors.settings import settings_in_use
from registers.services.notifications import registration_ended_send, ri_digest_recipients
from registers.services.recording import log_write
from registers.services.units import Unit

logger = logging.getLogger(__name__)

RESULT = "registration_ended"


@dataclass
class EndedRegistration:
    setting: Setting
    status: str
    since: date | None

    @property
    def status_label(self) -> str:
        return RegistrationStatus(self.status).label


@dataclass
class RegistrationOutcome:
    ended: list[EndedRegistration] = field(default_factory=list)
    digest_recipients: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.ended)

    def summary(self) -> str:
        return (
            f"Registration ended: {len(self.ended)} setting(s) in use flagged for placement "
            "review; the managers are emailed."
        )


def registrations_ending(*, changes: Sequence[Change[Setting]], unit: Unit) -> None:
    """Before the settings are written: flag each one in use whose status has just
    become an ended one, and send the digest once the transaction commits."""
    ending = [
        c
        for c in changes
        if c.obj.pk
        and c.obj.registration_status in ENDED_STATUSES
        and c.changed("registration_status")
    ]
    if not ending:
        return
    in_use = set(
        settings_in_use(
            today=unit.today, queryset=Setting.objects.filter(pk__in=[c.obj.pk for c in ending])
        ).values_list("pk", flat=True)
    )
    items = []
    for change in ending:
        setting = change.obj
        if setting.pk not in in_use:
            continue
        status = RegistrationStatus(setting.registration_status).label
        since = setting.registration_status_since
        setting.placement_review_required = True
        setting.placement_review_since = unit.today
        setting.placement_review_reason = f"Registration {status.lower()}" + (
            f" from {since:%d/%m/%Y}" if since else ""
        )
        items.append(
            EndedRegistration(setting=setting, status=setting.registration_status, since=since)
        )
    if not items:
        return
    outcome = unit.results.get(RESULT)
    if outcome is None:
        # One digest per transaction, however many writes it holds.
        outcome = unit.results[RESULT] = RegistrationOutcome()
        if not unit.quiet:
            recipients = ri_digest_recipients()
            outcome.digest_recipients = len(recipients)
            unit.after_commit(
                lambda: registration_ended_send(items=outcome.ended, recipients=recipients)
            )
    outcome.ended += items
    log_write(logger, "registrations.ended", user=unit.user, settings=len(items))
