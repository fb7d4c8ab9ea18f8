"""Columns of a file kind, and a row as read from the file."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Model

from registers.importing.cells import Parser


@dataclass(frozen=True)
class Column:
    """One spreadsheet column: how it reads on import and writes on export."""

    header: str
    field: str | None = None
    parser: Parser | None = None
    required: bool = False  # a new record needs a value
    key: bool = False  # every row needs a value: it finds the record
    importable: bool = True
    export: Callable | None = None  # obj -> value; default: the field's value
    help: str = ""
    aliases: tuple[str, ...] = ()
    model: type[Model] | None = None  # the field's model, when not the spec's own
    # Regular expressions over header_key(name), for names that carry a date or an
    # unfilled placeholder ("Registration status at 31 March 2020", "... @enddate").
    patterns: tuple[str, ...] = ()
    example: str = ""  # the import template's example row; default: the parser's

    def example_value(self) -> str:
        return self.example or (self.parser.example() if self.parser else "")

    def describe(self) -> str:
        return self.help or (self.parser.describe() if self.parser else "")

    def names(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


# The first cell of the import template's example row starts with this: the
# import skips such a row and says so, so a filled-in template imports as it is.
EXAMPLE_MARK = "Example (skipped):"


def example_row(columns: list[Column]) -> list[str]:
    """The template's example row: each column's example, the first one marked."""
    values = [column.example_value() for column in columns]
    if values:
        values[0] = f"{EXAMPLE_MARK} {values[0]}".strip()
    return values


def is_example_row(cells: list) -> bool:
    first = next((cell for cell in cells if cell not in (None, "")), None)
    return isinstance(first, str) and first.strip().lower().startswith(EXAMPLE_MARK.lower())


def header_key(text) -> str:
    """Column names match ignoring case, spacing and punctuation."""
    return re.sub(r"[^0-9a-z]+", " ", str(text or "").casefold()).strip()


@dataclass
class ParsedRow:
    number: int
    values: dict[str, object] = field(default_factory=dict)  # header -> value, or CLEAR
    present: frozenset[str] = frozenset()  # the file's columns: one set shared by every row
    blank_reasons: dict[str, str] = field(default_factory=dict)  # header -> why it reads blank
    invalid: bool = False

    def empty(self, header: str) -> str:
        """How to say a cell is empty, with the reason when there is one."""
        reason = self.blank_reasons.get(header)
        return f"is empty: it is {reason}" if reason else "is empty"
