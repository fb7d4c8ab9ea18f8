"""Reads over settings: staleness, the in-use rule, the next visit due.

The ratings themselves are columns on Setting, kept by services/inspections.py.
"""

from datetime import date

from django.conf import settings as conf
from django.db.models import (
    BooleanField,
    Case,
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
    Authority,
    AuthoritySetting,
    Concern,
    Contract,
    Judgement,
    Setting,
    Visit,
    VisitStatus,
)
from registers.models.providers import IN_USE_APPROVAL_STATUSES
from registers.selectors.contracts import live_contract_q


def stale_before(*, today: date) -> date:
    """A latest full inspection before this date is stale."""
    return add_months(today, -conf.OFSTED_STALE_AFTER_MONTHS)


def stale_q(*, today: date) -> Q:
    return Q(latest_full_inspection_date__lt=stale_before(today=today))


def is_stale(setting: Setting, *, today: date) -> bool:
    when = setting.latest_full_inspection_date
    return when is not None and when < stale_before(today=today)


def in_use_q(*, today: date) -> Q:
    """A setting is in use when a live contract names it, or when its provider
    is approved (with or without conditions) and some authority has not opted
    out of it (every member authority uses an approved setting by default)."""
    live_contract = Contract.objects.filter(live_contract_q(today=today), setting=OuterRef("pk"))
    opted_out = AuthoritySetting.objects.filter(
        authority=OuterRef("pk"), setting=OuterRef(OuterRef("pk")), opted_out=True
    )
    some_authority_uses = Exists(Authority.objects.filter(~Exists(opted_out)))
    approved = Q(provider__approval_status__in=IN_USE_APPROVAL_STATUSES) & Q(some_authority_uses)
    return approved | Q(Exists(live_contract))


def rating_q(rating: str) -> Q:
    """Settings whose current rating is ``rating`` ("none": not yet inspected)."""
    return Q(current_rating="" if rating == "none" else rating)


def to_match_q() -> Q:
    """Settings with no known provider yet, listed for matching."""
    return Q(provider__isnull=True)


def monitored_for_q(*, authority_ids) -> Q:
    """Settings under enhanced monitoring for any of these authorities (each
    council carries its own flag for the settings it uses)."""
    flags = AuthoritySetting.objects.filter(
        setting=OuterRef("pk"), enhanced_monitoring=True, authority_id__in=authority_ids
    )
    return Q(Exists(flags))


def settings_in_use(*, today: date | None = None, queryset: QuerySet[Setting] | None = None):
    today = today or timezone.localdate()
    queryset = Setting.objects.all() if queryset is None else queryset
    return queryset.filter(in_use_q(today=today))


def authorities_using(*, setting_ids: list[int], today: date) -> dict[int, set[int]]:
    """Per setting, the authorities using it: each whose live contract names it
    and, when its provider is approved, every authority (each takes part in the
    shared approved list) but those that opted out of it. Four queries, whatever
    the number of settings."""
    uses: dict[int, set[int]] = {pk: set() for pk in setting_ids}
    contracts = (
        Contract.objects.filter(live_contract_q(today=today), setting_id__in=setting_ids)
        .order_by()
        .values_list("setting_id", "authority_id")
        .distinct()
    )
    for setting_id, authority_id in contracts:
        uses[setting_id].add(authority_id)
    approved = Setting.objects.filter(
        pk__in=setting_ids, provider__approval_status__in=IN_USE_APPROVAL_STATUSES
    ).values_list("pk", flat=True)
    approved = list(approved)
    if approved:
        every = set(Authority.objects.values_list("pk", flat=True))
        opted_out: dict[int, set[int]] = {}
        rows = AuthoritySetting.objects.filter(setting_id__in=approved, opted_out=True)
        for setting_id, authority_id in rows.values_list("setting_id", "authority_id"):
            opted_out.setdefault(setting_id, set()).add(authority_id)
        for setting_id in approved:
            uses[setting_id] |= every - opted_out.get(setting_id, set())
    return uses


def authority_uses_of(*, setting: Setting) -> dict[int, AuthoritySetting]:
    """Each authority's own side of a setting (opt-out, its own flag), by authority id."""
    return {row.authority_id: row for row in AuthoritySetting.objects.filter(setting=setting)}


def with_in_use(queryset: QuerySet[Setting], *, today: date | None = None) -> QuerySet[Setting]:
    """Annotate ``is_in_use``: the in-use rule in the same query as the rows."""
    today = today or timezone.localdate()
    return queryset.annotate(
        is_in_use=Case(
            When(in_use_q(today=today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


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
    queryset = Setting.objects.all() if queryset is None else queryset
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


def current_ratings(setting_ids, *, chunk: int = 2000) -> dict[int, str | None]:
    """Each setting's current rating (its latest full inspection's judgement)."""
    ids = sorted(set(setting_ids))
    ratings: dict[int, str | None] = {}
    for start in range(0, len(ids), chunk):
        queryset = Setting.objects.filter(pk__in=ids[start : start + chunk])
        ratings.update(queryset.values_list("pk", "current_rating"))
    return ratings


def setting_is_in_use(*, setting: Setting, today: date | None = None) -> bool:
    rows = with_in_use(Setting.objects.filter(pk=setting.pk), today=today)
    return rows.values_list("is_in_use", flat=True).get()
