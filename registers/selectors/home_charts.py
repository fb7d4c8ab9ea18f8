"""The data behind the manager's home page charts: each in one grouped query,
over the rows the user's lists show, with the rules those lists filter by."""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from registers.dates import add_months, financial_year_start
from registers.models import Contract, ProcurementRoute, Setting, Visit
from registers.selectors.home import open_concerns, visible
from registers.selectors.settings import in_use_q
from registers.selectors.visits import DONE_STATUSES, NOT_CANCELLED

YEARS = 4
MONTHS = 6


def financial_year_label(start: date) -> str:
    return f"{start.year}/{str(start.year + 1)[-2:]}"


def contract_value_by_route_and_year(user, *, today: date) -> dict:
    """Contract value (total, else annual) by the financial year a contract starts
    in, for the last ``YEARS`` years, and procurement route; with each cell's count."""
    first = date(financial_year_start(today).year - YEARS + 1, 4, 1)
    last = date(financial_year_start(today).year + 1, 3, 31)
    rows = (
        visible(user, Contract.objects.filter(start_date__range=(first, last)))
        .order_by()
        .values("start_date__year", "start_date__month", "procurement_route")
        .annotate(
            value=Sum(Coalesce("total_value", "annual_value")),
            contracts=Count("pk"),
        )
    )
    years = [date(first.year + n, 4, 1) for n in range(YEARS)]
    cells = {(year, route): [Decimal(0), 0] for year in years for route in ProcurementRoute}
    for row in rows:
        started = date(row["start_date__year"], row["start_date__month"], 1)
        cell = cells[(financial_year_start(started), row["procurement_route"])]
        cell[0] += row["value"] or Decimal(0)
        cell[1] += row["contracts"]
    routes = [route for route in ProcurementRoute if any(cells[(y, route)][1] for y in years)]
    return {"years": years, "routes": routes, "cells": cells}


def ratings_in_use_and_all(user, *, today: date) -> list[dict]:
    """Settings by current rating: those in use, and all in the register."""
    rows = (
        visible(user, Setting.objects.all())
        .order_by()
        .values("current_rating")
        .annotate(all=Count("pk"), in_use=Count("pk", filter=in_use_q(today=today)))
    )
    return list(rows)


def month_bounds(today: date, *, months: int = MONTHS) -> list[tuple[date, date]]:
    """The last ``months`` calendar months, this one included, oldest first."""
    this_month = today.replace(day=1)
    starts = [add_months(this_month, -n) for n in range(months - 1, -1, -1)]
    return [(start, add_months(start, 1) - timedelta(days=1)) for start in starts]


def visits_by_month(user, *, today: date) -> list[dict]:
    """Visits planned (not cancelled) and done, by month planned, this month and
    the five before."""
    bounds = month_bounds(today)
    rows = (
        visible(
            user,
            Visit.objects.filter(
                planned_date__range=(bounds[0][0], bounds[-1][1]), status__in=NOT_CANCELLED
            ),
        )
        .order_by()
        .values("planned_date__year", "planned_date__month")
        .annotate(planned=Count("pk"), done=Count("pk", filter=Q(status__in=DONE_STATUSES)))
    )
    found = {(r["planned_date__year"], r["planned_date__month"]): r for r in rows}
    result = []
    for start, end in bounds:
        row = found.get((start.year, start.month), {})
        result.append(
            {
                "start": start,
                "end": end,
                "planned": row.get("planned", 0),
                "done": row.get("done", 0),
            }
        )
    return result


def open_concerns_by_stage(user) -> dict[int, int]:
    rows = open_concerns(user).order_by().values("stage").annotate(concerns=Count("pk"))
    return {row["stage"]: row["concerns"] for row in rows}
