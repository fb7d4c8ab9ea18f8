"""Reads over provider concerns: which have a stage past its limit."""

from datetime import date

from django.db.models import QuerySet

from registers.models import Concern


def concerns_past_stage_limit(
    *, today: date, queryset: QuerySet[Concern] | None = None
) -> QuerySet[Concern]:
    """Open concerns whose current stage has run past the stage limit
    (models/concerns.py stage_limit): the daily reminder, the officers' digest
    and the concerns list's filter all read this."""
    queryset = Concern.objects.all() if queryset is None else queryset
    return queryset.stage_overdue(today=today)
