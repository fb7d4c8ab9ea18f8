"""What the readers give the engine: a table of rows, cells that read as blank
for a reason, and the zip and XML safety checks both workbook readers share."""

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.conf import settings

# The readers stop a file this many rows past IMPORT_MAX_ROWS, to bound memory; the
# margin leaves room for title, header and footnote rows, which are not records. The
# engine applies the exact limit to the records below the header.
READ_MARGIN_ROWS = 1000


def read_limit() -> int:
    return settings.IMPORT_MAX_ROWS + READ_MARGIN_ROWS


def row_limit_message(max_rows: int) -> str:
    return (
        f"The file has more than {max_rows:,} rows below its header: the limit is "
        f"{max_rows:,} records a file. Split it into smaller files."
    )


class FileRejected(Exception):
    """The file as a whole cannot be read; the message says why, for the user."""


@dataclass(frozen=True)
class CellIssue:
    """A cell that reads as blank for a reason the user should be told."""

    reason: str

    def __str__(self) -> str:
        return ""


@dataclass
class Table:
    """Rows as the user numbers them in their spreadsheet (1-based)."""

    rows: list[tuple[int, list]] = field(default_factory=list)
    date1904: bool = False
    file_type: str = "csv"


class _CappedReader(io.RawIOBase):
    """Counts bytes as a zip member expands and stops at the cap."""

    def __init__(self, stream, budget: list[int]):
        self._stream = stream
        self._budget = budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self._stream.read(len(buffer))
        self._budget[0] -= len(chunk)
        if self._budget[0] < 0:
            raise FileRejected(too_big_message())
        buffer[: len(chunk)] = chunk
        return len(chunk)


def too_big_message() -> str:
    cap = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    return (
        f"The workbook expands to more than {cap / 1_048_576:.0f} MB: it is refused "
        "(a compressed file this large is a risk to the server)."
    )


def check_zip_size(archive: zipfile.ZipFile) -> None:
    declared = sum(info.file_size for info in archive.infolist())
    if declared > settings.IMPORT_MAX_UNCOMPRESSED_BYTES:
        raise FileRejected(too_big_message())
    if any(info.flag_bits & 0x1 for info in archive.infolist()):
        raise FileRejected("The workbook is encrypted: remove the password and save it again.")


def iterparse_capped(archive: zipfile.ZipFile, name: str, budget: list[int], events=("end",)):
    stream = io.BufferedReader(_CappedReader(archive.open(name), budget), buffer_size=65536)
    try:
        yield from iterparse(stream, events=events, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise FileRejected(
            "The workbook contains XML entity or DTD declarations and is refused."
        ) from exc
    except SyntaxError as exc:  # ParseError
        raise FileRejected(f"The workbook is damaged: {name} cannot be read.") from exc


def iso_value(text: str | None) -> object:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text[:19]).date() if "T" in text else date.fromisoformat(text)
    except ValueError:
        return text
