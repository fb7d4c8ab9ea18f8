"""The regional view: counts and sums across every authority, never a record
of another council's contracts, visits or concerns."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, Sum

from registers.models import Contract, ProcurementRoute, Setting, Visit, VisitStatus
from registers.models.inspections import CONCERNING_JUDGEMENTS
from registers.selectors.contracts import live_contract_q
from registers.selectors.settings import authorities_using, in_use_q

DONE = (VisitStatus.COMPLETED, VisitStatus.REPORT_ISSUED)


@dataclass
class SharedSetting:
    setting: Setting
    authorities: int


def contracts_by_authority(*, today: date) -> list[dict]:
    """Live contracts and their annual spend, by authority and procurement route."""
    rows = list(
        Contract.objects.filter(live_contract_q(today=today))
        .order_by()
        .values("authority__name", "procurement_route")
        .annotate(contracts=Count("pk"), spend=Sum("annual_value"))
        .order_by("authority__name", "procurement_route")
    )
    for row in rows:
        row["route"] = ProcurementRoute(row["procurement_route"]).label
    return rows


def visits_by_authority() -> list[dict]:
    return list(
        Visit.objects.order_by()
        .values("authority__name")
        .annotate(
            done=Count("pk", filter=Q(status__in=DONE)),
            outstanding=Count("pk", filter=Q(status=VisitStatus.PLANNED)),
        )
        .order_by("authority__name")
    )


def settings_used_by_several(*, today: date) -> list[SharedSetting]:
    """Settings named on live contracts of two or more authorities."""
    rows = (
        Contract.objects.filter(live_contract_q(today=today), setting__isnull=False)
        .order_by()
        .values("setting")
        .annotate(authorities=Count("authority", distinct=True))
        .filter(authorities__gte=2)
    )
    counts = {row["setting"]: row["authorities"] for row in rows}
    settings = Setting.objects.filter(pk__in=counts).select_related("provider").order_by("name")
    return [SharedSetting(setting=s, authorities=counts[s.pk]) for s in settings]


def concerning_settings(*, today: date) -> list[SharedSetting]:
    """Settings in use judged Requires improvement or Inadequate, each with how
    many authorities use it: every one of them runs its own process."""
    settings = list(
        Setting.objects.filter(in_use_q(today=today), current_rating__in=CONCERNING_JUDGEMENTS)
        .select_related("provider")
        .order_by("current_rating", "name")
    )
    uses = authorities_using(setting_ids=[s.pk for s in settings], today=today)
    return [SharedSetting(setting=s, authorities=len(uses[s.pk])) for s in settings]
