"""The daily job: the RI risk refresh, due price variations, reminders, the
compliance documents digest, and the deletion of uploads never confirmed.

Every step works from the current state, and each reminder is logged, so
running the job twice in a day adds nothing and sends nothing new.
"""

import logging
from datetime import date, timedelta

from django.conf import settings as conf
from django.core.mail import send_mail
from django.db.models import Count
from django.utils import timezone

from registers.models import ActionItem, ReminderLog, Visit, VisitStatus
from registers.models.concerns import stage_limit
from registers.roles import QA_OFFICER
from registers.selectors.concerns import concerns_past_stage_limit
from registers.selectors.users import active_users_in
from registers.services.compliance import compliance_digest_send
from registers.services.concerns import concern_stage_reminders_send
from registers.services.contract_records import contract_variations_apply_due
from registers.services.held_uploads import held_uploads_delete_stale
from registers.services.monitoring import monitoring_refresh
from registers.services.reminders import reminder_claim

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
    concern_reminders = concern_stage_reminders_send(today=today)
    report.append(f"Concern stage reminders queued: {concern_reminders}.")
    digests = compliance_digest_send(today=today)
    report.append(f"Compliance digests sent: {digests}.")
    held = held_uploads_delete_stale()
    report.append(f"Imports not confirmed within {conf.IMPORT_HELD_HOURS} hours, deleted: {held}.")
    logger.info("daily_jobs.done %s", " ".join(report), extra={"event": "daily_jobs.done"})
    return report


# Visits listed in one reminder; the rest are counted.
REMINDER_VISITS_LISTED = 20


def _counts_by(queryset, field: str, ids: list[int]) -> dict[int, int]:
    rows = (
        queryset.filter(**{f"{field}__in": ids})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values_list(field, "n")
    )
    return dict(rows)


def officer_reminders_send(*, today: date) -> int:
    """One email a day to each QA officer with overdue or imminent work.

    Set-based: who has work is counted for every officer at once (three
    grouped queries); officers already reminded today are skipped first, so a
    second run reads almost nothing.
    """
    sent = 0
    week = today + timedelta(days=7)
    reminded = set(
        ReminderLog.objects.filter(kind="qa-daily", sent_on=today).values_list(
            "recipient", flat=True
        )
    )
    officers = [
        officer
        for officer in active_users_in(QA_OFFICER).filter(email__gt="")
        if officer.email not in reminded
    ]
    if not officers:
        return 0
    ids = [officer.pk for officer in officers]
    due_visits = Visit.objects.filter(status=VisitStatus.PLANNED, planned_date__lte=week)
    visit_counts = _counts_by(due_visits, "lead_officer", ids)
    action_counts = _counts_by(ActionItem.objects.overdue(today=today), "visit__lead_officer", ids)
    concern_counts = _counts_by(concerns_past_stage_limit(today=today), "raised_by", ids)
    for officer in officers:
        visit_count = visit_counts.get(officer.pk, 0)
        action_count = action_counts.get(officer.pk, 0)
        concern_count = concern_counts.get(officer.pk, 0)
        if not (visit_count or action_count or concern_count):
            continue
        if not reminder_claim(kind="qa-daily", recipient=officer.email, today=today):
            continue
        visits = list(
            due_visits.filter(lead_officer=officer)
            .with_overdue(today=today)
            .select_related("setting", "provider")
            .order_by("planned_date", "id")[:REMINDER_VISITS_LISTED]
        )
        lines = [f"Good morning {officer.first_name or officer.username},", ""]
        for visit in visits:
            when = "overdue since" if visit.is_overdue else "planned for"
            lines.append(f"- Visit {when} {visit.planned_date:%d/%m/%Y}: {visit}")
        if visit_count > len(visits):
            lines.append(f"- and {visit_count - len(visits)} more visit(s).")
        if action_count:
            lines.append(f"- {action_count} action item(s) at your providers are overdue.")
        if concern_count:
            lines.append(
                f"- {concern_count} concern(s) you raised have a stage over "
                f"{stage_limit().days} days old."
            )
        lines += ["", "Open 'My visits' in the Commissioning Portal for details."]
        send_mail(
            "Your QA visits and actions", "\n".join(lines), conf.DEFAULT_FROM_EMAIL, [officer.email]
        )
        sent += 1
    return sent
