"""Turn one spreadsheet cell into a value, or say exactly what is wrong with it.

Every parser takes the raw cell (text, number, date or a CellIssue) and
returns a Python value, or raises CellError with a message that completes
"Row 14, column 'Start date': '13/31/2025' ...".
"""

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from registers.importing.tables import CellIssue
from registers.money import parse_pounds


class CellError(ValueError):
    pass


@dataclass(frozen=True)
class Context:
    date1904: bool = False


# Non-breaking and other wide spaces become spaces; zero-width characters go.
WHITESPACE = {
    **dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2009\u200a\u3000"), " "),
    **dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None),
}
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _normalise_spaces(value: str) -> str:
    # Most cells are ASCII: skip the translation table for them.
    return value.strip() if value.isascii() else value.translate(WHITESPACE).strip()


def clean_text(value: str) -> str:
    """Strip ordinary and non-breaking spaces; refuse control characters."""
    if value.isascii() and value.isprintable():
        return value.strip()  # most cells: nothing to translate or refuse
    value = _normalise_spaces(value)
    match = CONTROL_RE.search(value)
    if match:
        raise CellError(
            f"contains a control character (U+{ord(match.group()):04X}), which is refused"
        )
    return value


def is_blank(value) -> bool:
    if value is None or isinstance(value, CellIssue):
        return True
    return isinstance(value, str) and not _normalise_spaces(value)


def display(value) -> str:
    """The cell as the user sees it, for messages."""
    if value is None or isinstance(value, CellIssue):
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def as_text(value) -> str:
    """Any cell as normalised text ('' when blank)."""
    if value is None or isinstance(value, CellIssue):
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return display(value)
    return clean_text(str(value))


class Parser:
    """Base: blank cells give ``blank``; others go to ``parse``."""

    blank = None

    def __call__(self, value, context: Context):
        if is_blank(value):
            return self.blank
        return self.parse(value, context)

    def parse(self, value, context: Context):
        raise NotImplementedError

    def describe(self) -> str:
        return ""

    def example(self) -> str:
        """A value the import template's example row shows."""
        return ""


class Text(Parser):
    blank = ""

    def __init__(
        self,
        max_length: int | None = None,
        *,
        normalise: Callable[[str], str] | None = None,
        validator: Callable[[str], None] | None = None,
    ):
        self.max_length = max_length
        self.normalise = normalise
        self.validator = validator

    def parse(self, value, context):
        text = as_text(value)
        limit = self.max_length or settings.IMPORT_MAX_CELL_CHARS
        if len(text) > limit:
            raise CellError(f"is {len(text):,} characters long: the limit is {limit:,}")
        if self.normalise:
            text = self.normalise(text)
        if self.validator:
            try:
                self.validator(text)
            except ValidationError as exc:
                raise CellError(_validation_message(exc)) from exc
        return text


def _validation_message(exc: ValidationError) -> str:
    message = " ".join(exc.messages)
    # Validators speak of "'value' is not ..."; the row message quotes the value already.
    return re.sub(r"^'[^']*' ", "", message)


DMY_RE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
ISO_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
SERIAL_RE = re.compile(r"^\d{5}(\.\d+)?$")
DATE_FORM = "is not a date in DD/MM/YYYY form"


class DateValue(Parser):
    """DD/MM/YYYY, D/M/YYYY, ISO, real spreadsheet dates and Excel serials.

    A day-first reading is the only one: 03/04/2025 is 3 April, and
    13/31/2025 (US order) is refused rather than guessed.
    """

    def parse(self, value, context):
        if isinstance(value, datetime):
            return self._check(value.date())
        if isinstance(value, date):
            return self._check(value)
        if isinstance(value, bool):
            raise CellError(DATE_FORM)
        if isinstance(value, int | float):
            return self._serial(value, context)
        text = as_text(value)
        if SERIAL_RE.match(text):
            return self._serial(float(text), context)
        match = ISO_RE.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return self._build(year, month, day, text)
        match = DMY_RE.match(text)
        if not match:
            raise CellError(DATE_FORM)
        day, month, year_text = match.groups()
        if len(year_text) != 4:
            raise CellError(f"{DATE_FORM}: write the year in full (2025, not 25)")
        day, month, year = int(day), int(month), int(year_text)
        if month > 12:
            if day <= 12:
                raise CellError(f"{DATE_FORM}: it reads as month first (US order)")
            raise CellError(DATE_FORM)
        return self._build(year, month, day, text)

    def _build(self, year: int, month: int, day: int, text: str) -> date:
        try:
            return self._check(date(year, month, day))
        except ValueError:
            raise CellError(f"{DATE_FORM}: there is no such day") from None

    def _serial(self, number: float, context: Context) -> date:
        epoch = CALENDAR_MAC_1904 if context.date1904 else CALENDAR_WINDOWS_1900
        if not 1 <= number <= 2958465:
            raise CellError(f"{DATE_FORM}")
        value = from_excel(number, epoch=epoch)
        return self._check(value.date() if isinstance(value, datetime) else value)

    @staticmethod
    def _check(value: date) -> date:
        if not 1900 <= value.year <= 2100:
            raise CellError(f"{DATE_FORM}: the year {value.year} is out of range")
        return value

    def describe(self) -> str:
        return "date, DD/MM/YYYY"

    def example(self) -> str:
        return "01/04/2026"


class Money(Parser):
    def parse(self, value, context):
        if isinstance(value, bool):
            raise CellError("is not an amount in pounds")
        if isinstance(value, int | float):
            amount = Decimal(str(value))
        else:
            try:
                amount = parse_pounds(as_text(value))
            except ValueError as error:
                raise CellError(str(error)) from None
        if amount < 0:
            raise CellError("is negative: amounts cannot be negative")
        if amount.as_tuple().exponent < -2:
            raise CellError("has more than 2 decimal places: give pounds and pence")
        if amount >= Decimal("1e12"):
            raise CellError("is too large an amount")
        return amount.quantize(Decimal("0.01"))

    def describe(self) -> str:
        return "amount in £"

    def example(self) -> str:
        return "£150,000.00"


class Integer(Parser):
    def __init__(self, minimum: int = 0, maximum: int = 100_000):
        self.minimum, self.maximum = minimum, maximum

    def parse(self, value, context):
        if isinstance(value, bool):
            raise CellError("is not a whole number")
        if isinstance(value, float):
            if not value.is_integer():
                raise CellError("is not a whole number")
            value = int(value)
        if isinstance(value, int):
            number = value
        else:
            text = as_text(value).replace(",", "")
            if not re.fullmatch(r"-?\d+", text):
                raise CellError("is not a whole number")
            number = int(text)
        if not self.minimum <= number <= self.maximum:
            raise CellError(f"is outside {self.minimum} to {self.maximum}")
        return number

    def describe(self) -> str:
        return "whole number"

    def example(self) -> str:
        return str(max(self.minimum, 1))


YES = {"yes", "y", "true", "1", "x"}
NO = {"no", "n", "false", "0"}


class YesNo(Parser):
    def __init__(self, blank=False):
        self.blank = blank

    def parse(self, value, context):
        if isinstance(value, bool):
            return value
        text = as_text(value).lower()
        if text in YES:
            return True
        if text in NO:
            return False
        raise CellError("is not Yes or No")

    def describe(self) -> str:
        return "Yes or No"

    def example(self) -> str:
        return "Yes"


@functools.lru_cache(maxsize=4096)  # a file repeats the same few values
def choice_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower().replace("&", "and")).strip()


class Choice(Parser):
    """A value from a fixed list, matched by label or stored value, loosely."""

    blank = ""

    def __init__(self, choices, aliases: dict[str, str] | None = None):
        self.labels = [label for _, label in choices]
        self.lookup = {}
        for value, label in choices:
            self.lookup[choice_key(str(value))] = value
            self.lookup[choice_key(str(label))] = value
        for alias, value in (aliases or {}).items():
            self.lookup[choice_key(alias)] = value

    def parse(self, value, context):
        key = choice_key(as_text(value))
        if key in self.lookup:
            return self.lookup[key]
        raise CellError("is not one of: " + ", ".join(self.labels))

    def describe(self) -> str:
        return "one of: " + ", ".join(self.labels)

    def example(self) -> str:
        return self.labels[0] if self.labels else ""
