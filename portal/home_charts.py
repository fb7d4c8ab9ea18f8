"""The manager's home page charts, for Unfold's Chart.js components, each with
the same figures as a table (for screen readers and keyboard users) whose
cells link to the filtered list behind them."""

import json
from datetime import date

from django.urls import reverse
from django.utils.http import urlencode

from registers.models import ConcernStage, Judgement, ProcurementRoute
from registers.models.inspections import FULL_SCALE
from registers.selectors.home_charts import (
    contract_value_by_route_and_year,
    financial_year_label,
    open_concerns_by_stage,
    ratings_in_use_and_all,
    visits_by_month,
)
from registers.selectors.visits import DONE_STATUSES, NOT_CANCELLED

# Council blue and its lighter shades, then a contrasting grey (Unfold's variables).
COLOURS = [
    "var(--color-primary-700)",
    "var(--color-primary-400)",
    "var(--color-base-500)",
    "var(--color-primary-200)",
]


MAIN_GRADES = (
    Judgement.OUTSTANDING,
    Judgement.GOOD,
    Judgement.REQUIRES_IMPROVEMENT,
    Judgement.INADEQUATE,
)


def list_link(model_name: str, **query) -> str:
    url = reverse(f"admin:registers_{model_name}_changelist")
    return f"{url}?{urlencode(query)}" if query else url


def link_date(day: date) -> str:
    # ISO in links: Unfold's date range filter reads Django's DATE_INPUT_FORMATS,
    # whose first (and only unambiguous) entry is ISO.
    return day.isoformat()


def pounds(value) -> str:
    return f"£{value:,.0f}"


def _chart(*, key, title, caption, labels, datasets, head, rows, note="") -> dict:
    data = {
        "labels": labels,
        "datasets": [
            {"label": label, "data": values, "backgroundColor": COLOURS[n % len(COLOURS)]}
            for n, (label, values) in enumerate(datasets)
        ],
    }
    return {
        "key": key,
        "title": title,
        "caption": caption,
        "note": note,
        "data": json.dumps(data),
        "head": head,
        "rows": rows,
    }


def contract_value_chart(user, *, today: date) -> dict:
    found = contract_value_by_route_and_year(user, today=today)
    years, routes, cells = found["years"], found["routes"], found["cells"]
    rows = []
    for route in routes:
        row = [{"text": ProcurementRoute(route).label}]
        for year in years:
            value, contracts = cells[(year, route)]
            end = date(year.year + 1, 3, 31)
            link = list_link(
                "contract",
                procurement_route__exact=route,
                start_date_from=link_date(year),
                start_date_to=link_date(end),
            )
            row.append({"text": f"{pounds(value)} ({contracts})", "link": link, "count": contracts})
        rows.append(row)
    return _chart(
        key="contract-value",
        title="Contract value by procurement route and financial year",
        caption="Contract value (total, else annual) by procurement route and the financial "
        "year the contract starts in; the number of contracts in brackets.",
        labels=[ProcurementRoute(route).label for route in routes],
        datasets=[
            (financial_year_label(year), [float(cells[(year, r)][0]) for r in routes])
            for year in years
        ],
        head=["Procurement route"] + [financial_year_label(year) for year in years],
        rows=rows,
        note="" if routes else "No contract starts in these financial years.",
    )


def ratings_chart(user, *, today: date) -> dict:
    found = {row["current_rating"]: row for row in ratings_in_use_and_all(user, today=today)}
    # The four current grades always; historic grades and "not judged" when held.
    scale = [j for j in FULL_SCALE if j in MAIN_GRADES or j.value in found]
    ratings = [(j.value, j.label) for j in scale] + [("none", "Not yet inspected")]
    rows, in_use, every = [], [], []
    for value, label in ratings:
        row = found.get("" if value == "none" else value, {})
        in_use.append(row.get("in_use", 0))
        every.append(row.get("all", 0))
        rows.append(
            [
                {"text": label},
                {
                    "text": str(row.get("in_use", 0)),
                    "link": list_link("setting", rating=value, in_use="yes"),
                    "count": row.get("in_use", 0),
                },
                {
                    "text": str(row.get("all", 0)),
                    "link": list_link("setting", rating=value),
                    "count": row.get("all", 0),
                },
            ]
        )
    return _chart(
        key="ratings",
        title="Ofsted ratings: settings in use and all settings",
        caption="Settings by current Ofsted rating: those in use (an approved provider or a "
        "live contract) and every setting in the register.",
        labels=[label for _, label in ratings],
        datasets=[("In use", in_use), ("All settings in the register", every)],
        head=["Current rating", "In use", "All settings"],
        rows=rows,
    )


def visits_chart(user, *, today: date) -> dict:
    months = visits_by_month(user, today=today)
    rows = []
    for month in months:
        dates = {
            "planned_date_from": link_date(month["start"]),
            "planned_date_to": link_date(month["end"]),
        }
        rows.append(
            [
                {"text": month["start"].strftime("%B %Y")},
                {
                    "text": str(month["planned"]),
                    "link": list_link("visit", status__in=",".join(NOT_CANCELLED), **dates),
                    "count": month["planned"],
                },
                {
                    "text": str(month["done"]),
                    "link": list_link("visit", status__in=",".join(DONE_STATUSES), **dates),
                    "count": month["done"],
                },
            ]
        )
    return _chart(
        key="visits",
        title="QA visits planned and done, by month",
        caption="QA visits by the month they were planned for: planned (not cancelled) and "
        "done (completed or report issued).",
        labels=[month["start"].strftime("%b %Y") for month in months],
        datasets=[
            ("Planned", [month["planned"] for month in months]),
            ("Done", [month["done"] for month in months]),
        ],
        head=["Month", "Planned", "Done"],
        rows=rows,
    )


def concerns_chart(user) -> dict:
    by_stage = open_concerns_by_stage(user)
    rows = [
        [
            {"text": stage.label},
            {
                "text": str(by_stage.get(stage.value, 0)),
                "link": list_link("concern", open="yes", stage__exact=stage.value),
                "count": by_stage.get(stage.value, 0),
            },
        ]
        for stage in ConcernStage
    ]
    return _chart(
        key="concerns",
        title="Open provider concerns by stage",
        caption="Open provider concerns by escalation stage (manual 003: no stage over 10 days).",
        labels=[f"Stage {stage.value}" for stage in ConcernStage],
        datasets=[("Open concerns", [by_stage.get(stage.value, 0) for stage in ConcernStage])],
        head=["Stage", "Open concerns"],
        rows=rows,
    )


def manager_charts(user, *, today: date) -> list[dict]:
    return [
        contract_value_chart(user, today=today),
        ratings_chart(user, today=today),
        visits_chart(user, today=today),
        concerns_chart(user),
    ]
