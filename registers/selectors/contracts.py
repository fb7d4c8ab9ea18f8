"""Reads over contracts: the derived status and recommissioning dates."""

from datetime import date

from django.conf import settings as conf
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce
from django.utils import timezone

from registers.dates import add_months, last_completed_quarter
from registers.db import AddMonths
from registers.models import Contract, ContractStatus, ProcurementRoute


def unauthorised_spot_q() -> Q:
    return Q(procurement_route=ProcurementRoute.SPOT_PURCHASE, spot_authorised_on__isnull=True)


def live_contract_q(*, today: date) -> Q:
    """Started, not ended, not terminated, and authorised if a spot purchase."""
    return (
        Q(start_date__lte=today, end_date__gte=today)
        & (Q(terminated_on__isnull=True) | Q(terminated_on__gt=today))
        & ~unauthorised_spot_q()
    )


def with_status(queryset: QuerySet[Contract] | None = None, *, today: date | None = None):
    """Annotate ``status``, ``decision_due_date`` and ``expiring_from``.

    Status is derived from the dates, never typed. A contract is Expiring
    from its end date minus its notice period and recommissioning lead time.
    """
    today = today or timezone.localdate()
    queryset = Contract.objects.all() if queryset is None else queryset
    lead = Coalesce(F("recommissioning_lead_months"), Value(conf.RECOMMISSIONING_LEAD_MONTHS))
    return queryset.annotate(
        decision_due_date=AddMonths(F("end_date"), -lead),
        expiring_from=AddMonths(F("end_date"), -(lead + F("notice_period_months"))),
    ).annotate(
        status=Case(
            When(unauthorised_spot_q(), then=Value(ContractStatus.AWAITING_AUTHORISATION)),
            When(terminated_on__lte=today, then=Value(ContractStatus.TERMINATED)),
            When(start_date__gt=today, then=Value(ContractStatus.NOT_STARTED)),
            When(end_date__lt=today, then=Value(ContractStatus.EXPIRED)),
            When(expiring_from__lte=today, then=Value(ContractStatus.EXPIRING)),
            When(extensions_used__gt=0, then=Value(ContractStatus.EXTENDED)),
            default=Value(ContractStatus.ACTIVE),
            output_field=CharField(),
        )
    )


CLOSED_STATUSES = (ContractStatus.TERMINATED, ContractStatus.AWAITING_AUTHORISATION)


def decisions_due_q(*, today: date, within_months: int) -> Q:
    """Contracts (annotated by with_status) whose recommissioning decision is
    overdue or falls within ``within_months``, and that have not ended."""
    return Q(decision_due_date__lte=add_months(today, within_months), end_date__gte=today) & ~Q(
        status__in=CLOSED_STATUSES
    )


def decisions_due(queryset: QuerySet[Contract], *, today: date, within_months: int):
    return queryset.filter(decisions_due_q(today=today, within_months=within_months))


def ending_within_q(*, today: date, months: int) -> Q:
    """Contracts (annotated by with_status) ending within ``months``, not closed."""
    return Q(end_date__gte=today, end_date__lte=add_months(today, months)) & ~Q(
        status__in=CLOSED_STATUSES
    )


def ending_within(queryset: QuerySet[Contract], *, today: date, months: int):
    return queryset.filter(ending_within_q(today=today, months=months))


def awaiting_authorisation_q() -> Q:
    """Spot purchases waiting for a Head of Service's or Director's authorisation
    (contracts annotated by with_status)."""
    return Q(status=ContractStatus.AWAITING_AUTHORISATION)


def live_first(*, today: date) -> OrderBy:
    """An ordering that puts live contracts before the ended and future ones."""
    return Case(
        When(live_contract_q(today=today), then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    ).asc()


def contract_status(*, contract: Contract, today: date | None = None) -> str:
    return with_status(Contract.objects.filter(pk=contract.pk), today=today).values_list(
        "status", flat=True
    )[0]


def missing_review_q(*, today: date) -> Q:
    """Live contracts with no review for the last completed quarter."""
    year, quarter = last_completed_quarter(today)
    return live_contract_q(today=today) & ~Q(
        pk__in=Contract.objects.filter(reviews__year=year, reviews__quarter=quarter).values("pk")
    )


def live_contract_count(*, today: date, outer_field: str, authority_ids=None) -> Subquery:
    """Live contracts per row of an outer query (e.g. outer_field="provider"); with
    ``authority_ids``, only those councils' contracts."""
    contracts = Contract.objects.filter(live_contract_q(today=today)).filter(
        **{outer_field: OuterRef("pk")}
    )
    if authority_ids is not None:
        contracts = contracts.filter(authority_id__in=sorted(authority_ids))
    contracts = contracts.order_by().values(outer_field).annotate(total=Count("pk")).values("total")
    return Coalesce(Subquery(contracts, output_field=IntegerField()), Value(0))
