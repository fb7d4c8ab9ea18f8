"""Calendar helpers: months, quarters and working days in England."""

from datetime import date, timedelta
from functools import cache

import holidays
from dateutil.relativedelta import relativedelta
from django.conf import settings


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    return day + relativedelta(months=months)


@cache
def _england() -> holidays.HolidayBase:
    # Years are filled in on demand; "ENG" leaves out Scotland's and Wales's days.
    return holidays.country_holidays("GB", subdiv="ENG")


def is_working_day(day: date) -> bool:
    return _england().is_working_day(day)


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start``, skipping weekends and
    bank holidays in England."""
    return _england().get_nth_working_day(start, days) if days else start


MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def quarter_first_month() -> int:
    """The month that starts Q1: April for financial quarters (the default, as English
    councils report), January for calendar quarters (settings.REPORTING_QUARTERS)."""
    return 1 if settings.REPORTING_QUARTERS == "calendar" else 4


def quarter_of(day: date) -> tuple[int, int]:
    """(year, quarter) of ``day``; a financial year is named by the year it starts in."""
    first = quarter_first_month()
    year = day.year if day.month >= first else day.year - 1
    return year, (day.month - first) % 12 // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    start = add_months(date(year, quarter_first_month(), 1), 3 * (quarter - 1))
    end = add_months(start, 3) - timedelta(days=1)
    return start, end


def quarter_label(year: int, quarter: int) -> str:
    """'2026Q1 (April to June 2026)': the code and the months it covers (a quarter
    never spans two calendar years)."""
    start, end = quarter_bounds(year, quarter)
    return f"{year}Q{quarter} ({MONTHS[start.month - 1]} to {MONTHS[end.month - 1]} {end.year})"


def quarters_kind() -> str:
    """'financial quarter (Q1 is April to June)' or 'calendar quarter (Q1 is January
    to March)', for help texts."""
    if quarter_first_month() == 1:
        return "calendar quarter (Q1 is January to March)"
    return "financial quarter (Q1 is April to June; 2026Q1 starts in April 2026)"


def last_completed_quarter(today: date) -> tuple[int, int]:
    year, quarter = quarter_of(today)
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


QUARTER_YEARS = (1990, 2200)


def parse_quarter(value: str) -> tuple[int, int]:
    """'2026Q3' -> (2026, 3), in the install's quarters (REPORTING_QUARTERS)."""
    text = value.strip().upper()
    year, sep, quarter = text.partition("Q")
    if not sep or not year.isdigit() or quarter not in {"1", "2", "3", "4"} or len(year) != 4:
        raise ValueError(f"'{value}' is not a quarter: write it as 2026Q3.")
    if not QUARTER_YEARS[0] <= int(year) <= QUARTER_YEARS[1]:
        # date() cannot hold a quarter ending after 9999, and no contract is that old or new.
        raise ValueError(
            f"'{value}' is not a quarter the register covers: "
            f"the year must be from {QUARTER_YEARS[0]} to {QUARTER_YEARS[1]}."
        )
    return int(year), int(quarter)


def financial_year_start(day: date) -> date:
    """1 April that starts the UK financial year containing ``day``."""
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)
