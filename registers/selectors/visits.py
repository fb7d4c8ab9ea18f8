"""Reads for the QA officers' week: my visits, due and overdue, the calendar."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from registers.models import ActionItem, Judgement, Setting, Visit, VisitStatus
from registers.models.inspections import JUDGEMENT_RANK
from registers.permissions import owned_by
from registers.selectors.regulation_reports import with_reg44_missing_run
from registers.selectors.settings import in_use_q, with_next_visit

# Visits that took place (report issued or not), and those held or to be held.
DONE_STATUSES = (VisitStatus.COMPLETED, VisitStatus.REPORT_ISSUED)
NOT_CANCELLED = (VisitStatus.PLANNED, VisitStatus.COMPLETED, VisitStatus.REPORT_ISSUED)


def week_end(today: date) -> date:
    """The Sunday closing ``today``'s week (weeks start on Monday)."""
    return today + timedelta(days=6 - today.weekday())


def this_week_q(*, today: date) -> Q:
    """Visits planned for the rest of this week (today to Sunday), not yet done."""
    return Q(status=VisitStatus.PLANNED, planned_date__gte=today, planned_date__lte=week_end(today))


def awaiting_report_q() -> Q:
    """Visits completed whose report has not been issued yet."""
    return Q(status=VisitStatus.COMPLETED)


def action_provider():
    """The provider an action item concerns: its visit's setting's, or the
    provider whose office was visited."""
    return Coalesce("visit__setting__provider", "visit__provider")


def actions_for_provider(queryset: QuerySet[ActionItem], provider_id) -> QuerySet[ActionItem]:
    return queryset.alias(concerns_provider=action_provider()).filter(concerns_provider=provider_id)


def visits_for_officer(*, user, today: date) -> dict[str, list[Visit]]:
    # Only of the officer's authorities (owned_by), like every other read.
    planned = list(
        owned_by(user, Visit.objects.filter(lead_officer=user, status=VisitStatus.PLANNED))
        .with_overdue(today=today)
        .select_related("setting", "provider")
        .order_by("planned_date")
    )
    end = week_end(today)
    upcoming = [v for v in planned if not v.is_overdue]
    return {
        "overdue": [v for v in planned if v.is_overdue],
        "this_week": [v for v in upcoming if v.planned_date <= end],
        "later": [v for v in upcoming if v.planned_date > end][:50],
        "awaiting_report": list(
            owned_by(user, Visit.objects.filter(awaiting_report_q(), lead_officer=user))
            .select_related("setting", "provider")
            .order_by("actual_date")
        ),
    }


def overdue_actions_for_officer(*, user, today: date) -> QuerySet[ActionItem]:
    return (
        owned_by(user, ActionItem.objects.overdue(today=today))
        .filter(visit__lead_officer=user)
        .select_related("visit__setting", "visit__provider")
        .order_by("due_date")
    )


@dataclass
class DueSetting:
    setting: Setting
    rating: str | None
    next_due: date | None  # None: never visited, due now
    last_visit: date | None
    concern_stage: int
    overdue: bool
    reg44_missing_run: bool = False

    @property
    def priority(self) -> int:
        """Inadequate first, then Requires improvement, ...; a run of missing
        Regulation 44 reports counts as one rating worse."""
        return JUDGEMENT_RANK.get(self.rating, 0) + (1 if self.reg44_missing_run else 0)

    @property
    def rating_label(self) -> str:
        return Judgement(self.rating).label if self.rating else "Not yet inspected"


def settings_due_for_visit(*, today: date, within_days: int = 30) -> list[DueSetting]:
    """Settings in use whose next visit is due within ``within_days`` (or
    overdue, or never visited) and that have no visit planned. Inadequate
    first, then Requires improvement, then by due date (manual 003).

    A children's home with a run of missing Regulation 44 reports (no report
    for REG44_MISSING_RUN_MONTHS months) is due now, and ranks one rating worse."""
    planned = Visit.objects.filter(setting=OuterRef("pk"), status=VisitStatus.PLANNED)
    in_use = Setting.objects.filter(in_use_q(today=today))
    queryset = (
        with_reg44_missing_run(with_next_visit(in_use, today=today), today=today)
        .annotate(has_planned=Exists(planned))
        .filter(has_planned=False)
        .select_related("provider")
    )
    horizon = today + timedelta(days=within_days)
    rows = [
        DueSetting(
            setting=s,
            rating=s.current_rating,
            next_due=s.next_visit_due,
            last_visit=s.last_visit_date,
            concern_stage=s.open_concern_stage,
            overdue=s.next_visit_due is None or s.next_visit_due < today,
            reg44_missing_run=s.reg44_missing_run,
        )
        for s in queryset
        if s.next_visit_due is None or s.next_visit_due <= horizon or s.reg44_missing_run
    ]
    rows.sort(key=lambda r: (-r.priority, r.next_due or date.min))
    return rows


def overdue_planned_visits(*, today: date, viewer=None) -> QuerySet[Visit]:
    return (
        owned_by(viewer, Visit.objects.overdue(today=today))
        .select_related("setting", "provider", "lead_officer")
        .order_by("planned_date")
    )


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    visits: list[Visit]


def calendar_month(*, year: int, month: int, user=None, viewer=None) -> list[list[CalendarDay]]:
    """Weeks (Monday first) of the month with the visits planned each day:
    ``user``'s own, or the team's; of ``viewer``'s authorities."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    visits = (
        owned_by(viewer, Visit.objects.filter(planned_date__range=(first, last)))
        .exclude(status=VisitStatus.CANCELLED)
        .select_related("setting", "provider", "lead_officer")
        .order_by("planned_date", "id")
    )
    if user is not None:
        visits = visits.filter(lead_officer=user)
    by_day: dict[date, list[Visit]] = {}
    for visit in visits:
        by_day.setdefault(visit.planned_date, []).append(visit)
    return [
        [CalendarDay(day=d, in_month=d.month == month, visits=by_day.get(d, [])) for d in week]
        for week in weeks
    ]
