"""Calendar helpers: months, quarters and working days in England."""

from datetime import date, timedelta
from functools import cache

import holidays
from dateutil.relativedelta import relativedelta


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


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    first_month = 3 * (quarter - 1) + 1
    start = date(year, first_month, 1)
    end = add_months(start, 3) - timedelta(days=1)
    return start, end


def last_completed_quarter(today: date) -> tuple[int, int]:
    year, quarter = quarter_of(today)
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


QUARTER_YEARS = (1990, 2200)


def parse_quarter(value: str) -> tuple[int, int]:
    """'2026Q3' -> (2026, 3). Calendar quarters: Q1 is January to March."""
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
