"""The daily job: the RI risk refresh, due price variations and reminders.

Every step works from the current state, and each reminder is logged, so
running the job twice in a day adds nothing and sends nothing new.
"""

from datetime import date, timedelta

from django.conf import settings as conf
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from registers.models import (
    ActionItem,
    ActionStatus,
    Concern,
    ReminderLog,
    Setting,
    Visit,
    VisitStatus,
)
from registers.roles import QA_OFFICER
from registers.selectors.settings import settings_in_use
from registers.services.contracts import apply_due_variations
from registers.services.ofsted import respond_to_settings


def run_daily_jobs(*, today: date | None = None) -> list[str]:
    today = today or timezone.localdate()
    report = []
    ids = set(settings_in_use(today=today).values_list("pk", flat=True))
    ids |= set(Setting.objects.filter(enhanced_monitoring=True).values_list("pk", flat=True))
    outcome = respond_to_settings(setting_ids=ids, user=None, today=today)
    report.append(
        f"RI process over {len(ids)} settings: {len(outcome.flagged)} flagged, "
        f"{len(outcome.visits_created)} risk visit(s) planned, {len(outcome.lifted)} lifted, "
        f"{outcome.emails_sent} email(s) sent."
    )
    applied = apply_due_variations(user=None, today=today)
    report.append(f"Price variations applied: {applied}.")
    sent = send_officer_reminders(today=today)
    report.append(f"Reminders sent: {sent}.")
    return report


def _already_sent(kind: str, recipient: str, today: date) -> bool:
    try:
        with transaction.atomic():
            ReminderLog.objects.create(kind=kind, recipient=recipient, sent_on=today)
    except IntegrityError:
        return True
    return False


def send_officer_reminders(*, today: date) -> int:
    """One email a day to each QA officer with overdue or imminent work."""
    sent = 0
    officers = (
        get_user_model()
        .objects.filter(groups__name=QA_OFFICER, is_active=True, email__gt="")
        .distinct()
    )
    week = today + timedelta(days=7)
    for officer in officers:
        visits = (
            Visit.objects.filter(
                lead_officer=officer, status=VisitStatus.PLANNED, planned_date__lte=week
            )
            .select_related("setting", "provider")
            .order_by("planned_date")
        )
        actions = ActionItem.objects.filter(
            visit__lead_officer=officer, due_date__lt=today
        ).exclude(status=ActionStatus.DONE)
        concerns = Concern.objects.filter(
            raised_by=officer,
            closed_on__isnull=True,
            stage_started_on__lt=today - timedelta(days=conf.CONCERN_STAGE_DAYS),
        )
        if not (visits or actions.exists() or concerns.exists()):
            continue
        if _already_sent("qa-daily", officer.email, today):
            continue
        lines = [f"Good morning {officer.first_name or officer.username},", ""]
        for visit in visits:
            when = "overdue since" if visit.planned_date < today else "planned for"
            lines.append(f"- Visit {when} {visit.planned_date:%d/%m/%Y}: {visit}")
        if actions.exists():
            lines.append(f"- {actions.count()} action item(s) at your providers are overdue.")
        if concerns.exists():
            lines.append(
                f"- {concerns.count()} concern(s) you raised have a stage over 10 days old."
            )
        lines += ["", "Open 'My visits' in the Commissioning Portal for details."]
        send_mail(
            "Your QA visits and actions", "\n".join(lines), conf.DEFAULT_FROM_EMAIL, [officer.email]
        )
        sent += 1
    return sent
