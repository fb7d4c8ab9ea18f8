"""Which children's homes in use are missing their Regulation 44 or 45 report.

One definition, used by the settings list (column and filter) and the QA
officers' pages: a children's home in use is flagged when its Regulation 44
report for last month has not been received, or when its latest Regulation 45
review's period ended more than REG45_OVERDUE_MONTHS ago (or it has none).
"""

from datetime import date

from django.conf import settings as conf
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from registers.dates import add_months
from registers.models import RegulationReport, RegulationReportKind, Setting, Visit
from registers.models.regulation_reports import CHILDRENS_HOME_TYPES
from registers.permissions import owned_by
from registers.selectors.settings import in_use_q


def last_month_start(today: date) -> date:
    return add_months(today.replace(day=1), -1)


def reg45_cutoff(today: date) -> date:
    return add_months(today, -conf.REG45_OVERDUE_MONTHS)


def reg44_missing_q(*, today: date, months: int = 1) -> Q:
    """A children's home in use with no Regulation 44 report for any of the
    ``months`` months up to last month (1: last month's is missing)."""
    last = last_month_start(today)
    reports = RegulationReport.objects.filter(
        setting=OuterRef("pk"),
        kind=RegulationReportKind.REG44,
        period_start__gte=add_months(last, -(max(months, 1) - 1)),
        period_start__lte=last,
    )
    return _home_in_use_q(today) & ~Q(Exists(reports))


def _home_in_use_q(today: date) -> Q:
    return Q(provision_type__in=CHILDRENS_HOME_TYPES) & in_use_q(today=today)


def with_reg44_missing_run(queryset: QuerySet[Setting], *, today: date) -> QuerySet[Setting]:
    """Annotate ``reg44_missing_run``: no Regulation 44 report for the last
    REG44_MISSING_RUN_MONTHS months in a row, which raises the setting's next
    visit in the schedule (selectors/visits.py). No query of its own."""
    run = reg44_missing_q(today=today, months=conf.REG44_MISSING_RUN_MONTHS)
    return queryset.annotate(reg44_missing_run=ExpressionWrapper(run, BooleanField()))


def with_regulation_flags(queryset: QuerySet[Setting], *, today: date) -> QuerySet[Setting]:
    """Annotate ``reg44_missing`` and ``reg45_overdue`` (both False for a setting
    that is not a children's home in use). No query of its own."""
    reg45 = RegulationReport.objects.filter(
        setting=OuterRef("pk"),
        kind=RegulationReportKind.REG45,
        period_end__gte=reg45_cutoff(today),
    )
    return queryset.annotate(
        reg44_missing=ExpressionWrapper(reg44_missing_q(today=today), BooleanField()),
        reg45_overdue=ExpressionWrapper(_home_in_use_q(today) & ~Q(Exists(reg45)), BooleanField()),
    )


def regulation_flagged(queryset: QuerySet[Setting], *, today: date) -> QuerySet[Setting]:
    """The settings of ``queryset`` with a missing or overdue report."""
    return with_regulation_flags(queryset, today=today).filter(
        Q(reg44_missing=True) | Q(reg45_overdue=True)
    )


def regulation_flag_labels(setting: Setting) -> list[str]:
    """The flags of an annotated setting, as the lists show them."""
    flags = []
    if getattr(setting, "reg44_missing", False):
        flags.append("Reg 44 missing")
    if getattr(setting, "reg45_overdue", False):
        flags.append("Reg 45 overdue")
    return flags


def settings_missing_reports(*, today: date, queryset: QuerySet[Setting] | None = None):
    """Flagged children's homes for the QA officers' pages, by provider and name."""
    queryset = Setting.objects.all() if queryset is None else queryset
    return (
        regulation_flagged(queryset, today=today)
        .select_related("provider")
        .order_by("provider__name", "name", "pk")
    )


def settings_missing_reports_for_officer(*, user, today: date):
    """The flagged children's homes whose visits ``user`` leads (of their authorities)."""
    led = owned_by(user, Visit.objects.filter(lead_officer=user)).values("setting")
    return settings_missing_reports(today=today, queryset=Setting.objects.filter(pk__in=led))
