"""Reads over settings: ratings and trend, the in-use rule, the next visit due."""

from datetime import date

from django.conf import settings as conf
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from registers.dates import add_months
from registers.db import AddMonths
from registers.models import (
    Concern,
    Contract,
    Inspection,
    InspectionType,
    Judgement,
    Setting,
    Visit,
    VisitStatus,
)
from registers.models.inspections import JUDGEMENT_RANK
from registers.models.providers import IN_USE_APPROVAL_STATUSES
from registers.selectors.contracts import live_contract_q


class Trend:
    IMPROVED = "improved"
    DECLINED = "declined"
    SAME = "same"
    FIRST = "first"
    LABELS = {
        IMPROVED: "Improved",
        DECLINED: "Declined",
        SAME: "Same",
        FIRST: "First inspection",
    }
    CHOICES = list(LABELS.items())


def _rank(field: str) -> Case:
    return Case(
        *[
            When(**{field: judgement}, then=Value(rank))
            for judgement, rank in JUDGEMENT_RANK.items()
        ],
        default=None,
        output_field=IntegerField(),
    )


def with_ratings(queryset: QuerySet[Setting] | None = None, *, today: date | None = None):
    """Annotate current and previous rating, trend, latest full date and staleness.

    One query for any number of rows: the current rating is that of the
    latest full inspection, computed by the database, not per row.
    """
    today = today or timezone.localdate()
    queryset = Setting.objects.all() if queryset is None else queryset
    latest_full = Inspection.objects.filter(
        setting=OuterRef("pk"), inspection_type=InspectionType.FULL
    ).order_by("-inspection_date", "-id")
    stale_before = add_months(today, -conf.OFSTED_STALE_AFTER_MONTHS)
    return (
        queryset.annotate(
            current_rating=Subquery(latest_full.values("overall")[:1], output_field=CharField()),
            previous_rating=Subquery(latest_full.values("overall")[1:2], output_field=CharField()),
            latest_full_inspection_date=Subquery(latest_full.values("inspection_date")[:1]),
        )
        .annotate(
            current_rank=_rank("current_rating"),
            previous_rank=_rank("previous_rating"),
        )
        .annotate(
            trend=Case(
                When(current_rating__isnull=True, then=Value("")),
                When(previous_rating__isnull=True, then=Value(Trend.FIRST)),
                When(current_rank__lt=F("previous_rank"), then=Value(Trend.IMPROVED)),
                When(current_rank__gt=F("previous_rank"), then=Value(Trend.DECLINED)),
                When(current_rank=F("previous_rank"), then=Value(Trend.SAME)),
                default=Value(""),
                output_field=CharField(),
            ),
            is_stale=Case(
                When(latest_full_inspection_date__lt=stale_before, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )


def in_use_q(*, today: date) -> Q:
    """A setting is in use when its provider is approved (with or without
    conditions) or a live contract names it."""
    live_contract = Contract.objects.filter(live_contract_q(today=today), setting=OuterRef("pk"))
    return Q(provider__approval_status__in=IN_USE_APPROVAL_STATUSES) | Q(Exists(live_contract))


def settings_in_use(*, today: date | None = None, queryset: QuerySet[Setting] | None = None):
    today = today or timezone.localdate()
    queryset = Setting.objects.all() if queryset is None else queryset
    return queryset.filter(in_use_q(today=today))


def setting_is_in_use(*, setting: Setting, today: date | None = None) -> bool:
    return settings_in_use(today=today, queryset=Setting.objects.filter(pk=setting.pk)).exists()


def open_concern_stage_subquery() -> Subquery:
    concerns = (
        Concern.objects.open()
        .filter(Q(setting=OuterRef("pk")) | Q(provider=OuterRef("provider")))
        .order_by("-stage")
        .values("stage")
    )
    return Subquery(concerns[:1], output_field=IntegerField())


def with_next_visit(queryset: QuerySet[Setting] | None = None, *, today: date | None = None):
    """Annotate ``last_visit_date`` and ``next_visit_due`` (None: never visited, due now).

    The interval comes from the rating (Inadequate 3 months ... Outstanding 18),
    shortened to 1 month while a concern at stage 2 or higher is open.
    """
    today = today or timezone.localdate()
    queryset = with_ratings(queryset, today=today)
    months = conf.NEXT_VISIT_MONTHS
    last_visit = (
        Visit.objects.filter(
            setting=OuterRef("pk"),
            status__in=[VisitStatus.COMPLETED, VisitStatus.REPORT_ISSUED],
        )
        .order_by("-actual_date")
        .values("actual_date")[:1]
    )
    interval = Case(
        When(open_concern_stage__gte=2, then=Value(conf.CONCERN_NEXT_VISIT_MONTHS)),
        *[
            When(current_rating=rating, then=Value(months[rating]))
            for rating in (
                Judgement.INADEQUATE,
                Judgement.REQUIRES_IMPROVEMENT,
                Judgement.GOOD,
                Judgement.OUTSTANDING,
            )
        ],
        default=Value(months[None]),
        output_field=IntegerField(),
    )
    return queryset.annotate(
        last_visit_date=Subquery(last_visit),
        open_concern_stage=Coalesce(open_concern_stage_subquery(), Value(0)),
    ).annotate(
        visit_interval_months=interval,
        next_visit_due=AddMonths(F("last_visit_date"), F("visit_interval_months")),
    )
