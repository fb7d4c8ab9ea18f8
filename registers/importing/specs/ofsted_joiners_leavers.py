"""Ofsted's joiners-and-leavers files: the providers that registered or left
during a year, with the registration status each reached and when it took
effect, as a specification on the one engine.

Every year's layout differs: the 2017-18 file gives a first-effective date for
each status and has unfilled placeholders in its column names ("Registration
status (as at @enddate)"); later files give one "Cancelled or resigned date"
and name the status column after the year's end ("Registration status at 31
March 2020"), some below title rows. A row changes the registration status of
the setting with its URN, with the date it took effect; a setting the register
does not know yet (a joiner) is added with everything the row gives. Only the
status of a setting already on the register changes: an older file never
overwrites newer details.
"""

from datetime import date

from registers.importing.cells import DateValue, Text, as_text, is_blank
from registers.importing.columns import Column, ParsedRow, header_key
from registers.importing.engine import Spec
from registers.importing.plans import Plan, apply_values
from registers.importing.specs.ofsted_columns import (
    COLUMNS,
    GOVERNMENT_OFFICE_REGION,
    LOCAL_AUTHORITY,
    PROVISION_TYPE,
    REGISTRATION_DATE,
    REGISTRATION_STATUS,
    URN,
    Published,
)
from registers.importing.specs.ofsted_rows import (
    fill_region,
    settings_by_urn,
    settle_registration,
    spell_as_register,
)
from registers.importing.tables import CellIssue, Table
from registers.models import RegistrationStatus, Setting
from registers.models.settings import ENDED_STATUSES

JOINER = "Joiner status"
LEAVER = "Leaver status"
LEFT_ON = "Cancelled or resigned date"
RESIGNED_ON = "Resigned date"
CLOSED_ON = "Closed date"
CANCELLED_ON = "Cancelled date"
SUSPENDED_ON = "Suspended date"

# The columns whose date says when each status took effect, most specific first.
EFFECTIVE_DATE = {
    RegistrationStatus.ACTIVE: (REGISTRATION_DATE,),
    RegistrationStatus.RESIGNED: (RESIGNED_ON, LEFT_ON),
    RegistrationStatus.CLOSED: (CLOSED_ON, LEFT_ON),
    RegistrationStatus.CANCELLED: (CANCELLED_ON, LEFT_ON),
    RegistrationStatus.SUSPENDED: (SUSPENDED_ON,),
}
STATUS_COLUMNS = (REGISTRATION_STATUS, REGISTRATION_DATE)


def _first_effective(status: str) -> tuple[str, ...]:
    return (
        f"First effective date (that the provider became {status})",
        f"First effective date (that the provider {status})",
        f"Date {status}",
        f"{status.capitalize()} date",
    )


def _date(header: str, *aliases: str) -> Column:
    return Column(header, parser=Published(DateValue()), aliases=aliases)


def _known(header: str, *aliases: str, patterns: tuple[str, ...] = ()) -> Column:
    return Column(header, aliases=aliases, importable=False, patterns=patterns)


JOINERS_LEAVERS_COLUMNS = [
    *[column for column in COLUMNS if column.model is not None or not column.importable],
    next(column for column in COLUMNS if column.header == GOVERNMENT_OFFICE_REGION),
    Column(JOINER, parser=Published(Text(40)), aliases=("Joiner", "Joiners")),
    Column(LEAVER, parser=Published(Text(40)), aliases=("Leaver", "Leavers")),
    _date(
        LEFT_ON,
        "Resigned or cancelled date",
        "Date cancelled or resigned",
        "Cancellation or resignation date",
        "Leaver date",
        "Date left",
    ),
    _date(RESIGNED_ON, *_first_effective("resigned")),
    _date(CLOSED_ON, *_first_effective("closed")),
    _date(CANCELLED_ON, *_first_effective("cancelled")),
    _date(SUSPENDED_ON, *_first_effective("suspended")),
    # The status at the start of the year, and who inspected: not kept.
    _known(
        "Registration status at the start of the year",
        patterns=(
            r"^(reg|registration) status (as )?at .*start",
            r"^registration status (as )?at 1 april",
        ),
    ),
    _known("Flag for appealed", "Appealed"),
    _known("Inspectorate", patterns=(r"^inspectorate",)),
]

# A header naming any of these (besides a URN) is a joiners-and-leavers file.
MARKERS = {header_key(name) for name in (JOINER, LEAVER, "Joiner", "Leaver", LEFT_ON)}


def is_joiners_leavers(table: Table, search_rows: int) -> bool:
    for _, cells in table.rows[:search_rows]:
        keys = {header_key(c) for c in cells if not isinstance(c, CellIssue) and as_text(c)}
        if "urn" in keys and (
            keys & MARKERS or any(key.startswith("first effective date") for key in keys)
        ):
            return True
    return False


class OfstedJoinersLeaversSpec(Spec):
    model = Setting
    label = "Settings"
    kind = "Ofsted joiners-and-leavers file"
    header_search_rows = 30
    ignore_unknown_columns = True
    required_headers = (PROVISION_TYPE, LOCAL_AUTHORITY, REGISTRATION_STATUS)
    columns = JOINERS_LEAVERS_COLUMNS

    def __init__(self, as_at: date | None = None):
        self.as_at = as_at  # the end of the year the file covers

    def row_key(self, row: ParsedRow):
        return row.values.get(URN)

    def key_description(self, key) -> str:
        return f"URN {key}"

    def is_footnote(self, cells) -> bool:
        # A source note under the table: no URN, and little else.
        return sum(1 for value in cells.values() if not is_blank(value)) <= 3

    def plan(self, rows: list[ParsedRow], plan: Plan, user) -> None:
        rows = [row for row in rows if not row.invalid]
        stored_settings = settings_by_urn(rows, user)
        new_columns = self.columns_of(Setting)
        status_columns = [c for c in new_columns if c.header in STATUS_COLUMNS]
        joiners = leavers = changed = 0
        for row in rows:
            stored = stored_settings.get(row.values[URN])
            if stored is None:
                change = plan.new_change(Setting(), row=row.number)
                apply_values(change, row, new_columns, plan)
                spell_as_register(change.obj, row, plan.result)
                fill_region(change.obj, row)
            else:
                change = plan.change_for(stored, row=row.number)
                # Only the registration: an older year's file must not undo newer details.
                before_date = stored.registration_date
                apply_values(change, row, status_columns, plan)
                if before_date:
                    change.obj.registration_date = before_date
            if row.invalid:
                continue
            self._status(change, row, plan)
            joiners += bool(row.values.get(JOINER))
            leavers += bool(row.values.get(LEAVER))
            changed += not change.is_new and change.changed("registration_status")
            plan.add(change, label="Settings")
        plan.result.notes.append(
            f"Joiners and leavers: {joiners} joiner(s), {leavers} leaver(s); "
            f"{changed} registration status change(s) to settings already on the register."
        )

    def _status(self, change, row: ParsedRow, plan: Plan) -> None:
        """The status the row gives, from the date it took effect."""
        status = row.values.get(REGISTRATION_STATUS)
        if not status:
            return
        since = _effective_date(row, status)
        if status in ENDED_STATUSES and since is None:
            when = (
                f"as at {self.as_at:%d/%m/%Y}, the date the file describes"
                if self.as_at
                else "with the date unknown"
            )
            plan.result.add_warning(
                f"gives no date for the status {RegistrationStatus(status).label}: imported {when}",
                row=row.number,
                column=REGISTRATION_STATUS,
            )
        if row.values.get(LEAVER) and status == RegistrationStatus.ACTIVE:
            plan.result.add_warning(
                "is marked a leaver but its status is Active: imported as published",
                row=row.number,
                column=LEAVER,
            )
        settle_registration(change, row, plan.result, since=since, as_at=self.as_at)


def _effective_date(row: ParsedRow, status: str) -> date | None:
    for header in EFFECTIVE_DATE.get(status, ()):
        value = row.values.get(header)
        if isinstance(value, date):
            return value
    return None
