"""The daily job: the RI risk refresh, due price variations, reminders, the
compliance documents digest, and the deletion of uploads never confirmed.

Every step works from the current state, and each reminder is logged, so
running the job twice in a day adds nothing and sends nothing new.
"""

import logging
from datetime import date

from django.conf import settings as conf
from django.utils import timezone

from registers.services.compliance import compliance_digest_send
from registers.services.concerns import concern_stage_reminders_send
from registers.services.contract_records import contract_variations_apply_due
from registers.services.digests import daily_digests_send
from registers.services.export_jobs import exports_delete_stale
from registers.services.held_uploads import held_uploads_delete_stale
from registers.services.monitoring import monitoring_refresh
from registers.services.referral_emails import referral_deadline_reminders_send
from registers.services.referral_rounds import referrals_close_due

logger = logging.getLogger(__name__)


def daily_jobs_run(*, today: date | None = None) -> list[str]:
    today = today or timezone.localdate()
    outcome = monitoring_refresh(user=None, today=today)
    report = [
        f"RI process over {outcome.checked} settings: {len(outcome.flagged)} flagged, "
        f"{len(outcome.visits_created)} risk visit(s) planned, {len(outcome.lifted)} lifted, "
        f"digest to {outcome.digest_recipients} recipient(s)."
    ]
    applied = contract_variations_apply_due(user=None, today=today)
    report.append(f"Price variations applied: {applied}.")
    # First: the digest claims the compliance digest for each user it reaches.
    sent = daily_digests_send(today=today)
    report.append(f"Reminder digests sent: {sent}.")
    concern_reminders = concern_stage_reminders_send(today=today)
    report.append(f"Concern stage reminders queued: {concern_reminders}.")
    digests = compliance_digest_send(today=today)
    report.append(f"Compliance digests sent: {digests}.")
    closed = referrals_close_due(today=today)
    deadlines = referral_deadline_reminders_send(today=today)
    report.append(f"Referral rounds closed: {closed}; deadline reminders sent: {deadlines}.")
    held = held_uploads_delete_stale()
    report.append(f"Imports not confirmed within {conf.IMPORT_HELD_HOURS} hours, deleted: {held}.")
    exports = exports_delete_stale()
    report.append(f"Exports older than {conf.EXPORT_KEEP_HOURS} hours, deleted: {exports}.")
    logger.info("daily_jobs.done %s", " ".join(report), extra={"event": "daily_jobs.done"})
    return report
