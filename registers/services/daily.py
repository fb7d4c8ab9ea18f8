"""The daily job: the RI risk refresh, due price variations and reminders.

Every step works from the current state, and each reminder is logged, so
running the job twice in a day adds nothing and sends nothing new.
"""

import logging
from datetime import date, timedelta

from django.conf import settings as conf
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from registers.models import ActionItem, Concern, ReminderLog, Visit, VisitStatus
from registers.roles import QA_OFFICER
from registers.selectors.users import active_users_in
from registers.services.contract_records import contract_variations_apply_due
from registers.services.monitoring import monitoring_refresh

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
    sent = officer_reminders_send(today=today)
    report.append(f"Reminders sent: {sent}.")
    logger.info("daily_jobs.done %s", " ".join(report), extra={"event": "daily_jobs.done"})
    return report


def _already_sent(kind: str, recipient: str, today: date) -> bool:
    try:
        with transaction.atomic():
            ReminderLog.objects.create(kind=kind, recipient=recipient, sent_on=today)
    except IntegrityError:
        return True
    return False


def officer_reminders_send(*, today: date) -> int:
    """One email a day to each QA officer with overdue or imminent work."""
    sent = 0
    week = today + timedelta(days=7)
    for officer in active_users_in(QA_OFFICER).filter(email__gt=""):
        visits = list(
            Visit.objects.filter(
                lead_officer=officer, status=VisitStatus.PLANNED, planned_date__lte=week
            )
            .with_overdue(today=today)
            .select_related("setting", "provider")
            .order_by("planned_date")
        )
        actions = ActionItem.objects.overdue(today=today).filter(visit__lead_officer=officer)
        concerns = Concern.objects.stage_overdue(today=today).filter(raised_by=officer)
        action_count, concern_count = actions.count(), concerns.count()
        if not (visits or action_count or concern_count):
            continue
        if _already_sent("qa-daily", officer.email, today):
            continue
        lines = [f"Good morning {officer.first_name or officer.username},", ""]
        for visit in visits:
            when = "overdue since" if visit.is_overdue else "planned for"
            lines.append(f"- Visit {when} {visit.planned_date:%d/%m/%Y}: {visit}")
        if action_count:
            lines.append(f"- {action_count} action item(s) at your providers are overdue.")
        if concern_count:
            lines.append(
                f"- {concern_count} concern(s) you raised have a stage over "
                f"{conf.CONCERN_STAGE_DAYS} days old."
            )
        lines += ["", "Open 'My visits' in the Commissioning Portal for details."]
        send_mail(
            "Your QA visits and actions", "\n".join(lines), conf.DEFAULT_FROM_EMAIL, [officer.email]
        )
        sent += 1
    return sent
