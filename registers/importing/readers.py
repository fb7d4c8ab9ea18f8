"""Read an uploaded spreadsheet (CSV, XLSX or ODS) into rows, safely.

The readers stream the workbook XML themselves rather than through openpyxl
or odfpy because an import must know what those libraries hide: a formula
with no saved value, a cell covered by a merge, a 1904 workbook, and the
true size of what a zip expands to. XML goes through defusedxml, so entity
declarations (billion laughs) are refused.
"""

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.conf import settings
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel


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


EXTENSIONS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".ods": "ods"}
REFUSED_EXTENSIONS = {
    ".xlsm": "Macro-enabled workbooks (.xlsm) are refused: save the file as .xlsx.",
    ".xltm": "Macro-enabled templates are refused: save the file as .xlsx.",
    ".xlsb": "Binary workbooks (.xlsb) are not supported: save the file as .xlsx.",
    ".xls": "Old Excel files (.xls) are not supported: save the file as .xlsx.",
}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_TYPES = ("macroEnabled", "vbaProject")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
NS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
NS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
NS_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def file_extension(name: str) -> str:
    match = re.search(r"(\.[A-Za-z0-9]+)$", name or "")
    return match.group(1).lower() if match else ""


def read_table(data: bytes, file_name: str) -> Table:
    """Read ``data`` by its extension, checking the content matches it."""
    ext = file_extension(file_name)
    if ext in REFUSED_EXTENSIONS:
        raise FileRejected(REFUSED_EXTENSIONS[ext])
    if ext not in EXTENSIONS:
        raise FileRejected(
            f"'{file_name}' is not a spreadsheet this portal reads: use .csv, .xlsx or .ods."
        )
    limit = settings.IMPORT_MAX_FILE_BYTES
    if len(data) > limit:
        raise FileRejected(
            f"The file is {len(data) / 1_048_576:.1f} MB: the limit is {limit / 1_048_576:.0f} MB."
        )
    if not data.strip():
        raise FileRejected("The file is empty.")
    kind = EXTENSIONS[ext]
    if data.startswith(OLE_MAGIC):
        raise FileRejected(
            "The file is password-protected (encrypted) or an old-style .xls workbook: "
            "remove the password and save it as .xlsx."
        )
    if kind == "csv":
        if data.startswith(ZIP_MAGIC):
            raise FileRejected(
                f"'{file_name}' is named .csv but holds a workbook: save it as CSV, "
                "or upload it with its own extension."
            )
        return read_csv(data)
    if not data.startswith(ZIP_MAGIC):
        raise FileRejected(
            f"'{file_name}' is named {ext} but is not a {ext} workbook: "
            "its content does not match its extension."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise FileRejected(f"'{file_name}' is a damaged {ext} workbook.") from exc
    with archive:
        _check_zip_size(archive)
        names = set(archive.namelist())
        is_ods = "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE
        if kind == "xlsx":
            if is_ods:
                raise FileRejected(
                    f"'{file_name}' is named .xlsx but is an OpenDocument (.ods) spreadsheet."
                )
            return _read_xlsx(archive, names)
        if not is_ods:
            raise FileRejected(
                f"'{file_name}' is named .ods but is not an OpenDocument spreadsheet."
            )
        return _read_ods(archive)


# --- CSV -------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (by BOM or by its zero bytes) or
    Windows-1252, the three encodings spreadsheets save CSV in."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    sample = data[:2000]
    if sample and sample.count(b"\x00") > len(sample) // 4:
        # UTF-16 without a BOM: ASCII text leaves every other byte zero.
        odd_zeros = sample[1::2].count(b"\x00")
        return data.decode("utf-16-le" if odd_zeros > len(sample) // 4 else "utf-16-be")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_csv(data: bytes) -> Table:
    try:
        text = decode_text(data)
    except UnicodeDecodeError as exc:
        raise FileRejected("The CSV file's text encoding cannot be read.") from exc
    if "\x00" in text:
        raise FileRejected("The file is named .csv but holds binary data, not text.")
    delimiter = _sniff_delimiter(text[:4096])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table = Table(file_type="csv")
    max_rows = settings.IMPORT_MAX_ROWS
    try:
        for number, row in enumerate(reader, start=1):
            if any(cell.strip() for cell in row):
                table.rows.append((number, row))
                if len(table.rows) > max_rows + 50:
                    raise FileRejected(f"The file has more than {max_rows:,} rows.")
    except csv.Error as exc:
        raise FileRejected(f"The CSV file cannot be read: {exc}.") from exc
    return table


def _sniff_delimiter(sample: str) -> str:
    first_line = sample.splitlines()[0] if sample else ""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


# --- shared zip checks -------------------------------------------------------


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
            raise FileRejected(_too_big_message())
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _too_big_message() -> str:
    cap = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    return (
        f"The workbook expands to more than {cap / 1_048_576:.0f} MB: it is refused "
        "(a compressed file this large is a risk to the server)."
    )


def _check_zip_size(archive: zipfile.ZipFile) -> None:
    declared = sum(info.file_size for info in archive.infolist())
    if declared > settings.IMPORT_MAX_UNCOMPRESSED_BYTES:
        raise FileRejected(_too_big_message())
    if any(info.flag_bits & 0x1 for info in archive.infolist()):
        raise FileRejected("The workbook is encrypted: remove the password and save it again.")


def _iterparse(archive: zipfile.ZipFile, name: str, budget: list[int], events=("end",)):
    stream = io.BufferedReader(_CappedReader(archive.open(name), budget), buffer_size=65536)
    try:
        yield from iterparse(stream, events=events, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise FileRejected(
            "The workbook contains XML entity or DTD declarations and is refused."
        ) from exc
    except SyntaxError as exc:  # ParseError
        raise FileRejected(f"The workbook is damaged: {name} cannot be read.") from exc


# --- XLSX --------------------------------------------------------------------


def _read_xlsx(archive: zipfile.ZipFile, names: set[str]) -> Table:
    budget = [settings.IMPORT_MAX_UNCOMPRESSED_BYTES]
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise FileRejected("The file is named .xlsx but is not an Excel workbook.")
    content_types = archive.read("[Content_Types].xml")
    if any(marker.encode() in content_types for marker in MACRO_TYPES) or any(
        name.lower().endswith("vbaproject.bin") for name in names
    ):
        raise FileRejected("The workbook contains macros (.xlsm) and is refused: save it as .xlsx.")
    if XLSX_MAIN.encode() not in content_types:
        raise FileRejected("The file is named .xlsx but is not an Excel workbook.")

    date1904, sheet_target = _workbook_info(archive, budget)
    sheet_path = _resolve_sheet_path(archive, sheet_target, budget)
    shared = _shared_strings(archive, names, budget)
    date_styles = _date_styles(archive, names, budget)
    table = Table(date1904=date1904, file_type="xlsx")
    epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
    merged: list[str] = []
    max_rows = settings.IMPORT_MAX_ROWS
    for _, elem in _iterparse(archive, sheet_path, budget):
        tag = elem.tag
        if tag == NS_MAIN + "row":
            row = _xlsx_row(elem, shared, date_styles, epoch)
            if row is not None:
                number = int(elem.get("r") or (table.rows[-1][0] + 1 if table.rows else 1))
                table.rows.append((number, row))
                if len(table.rows) > max_rows + 50:
                    raise FileRejected(f"The file has more than {max_rows:,} rows.")
            elem.clear()
        elif tag == NS_MAIN + "mergeCell":
            merged.append(elem.get("ref", ""))
    _apply_merges(table, merged)
    return table


def _workbook_info(archive, budget) -> tuple[bool, str]:
    date1904 = False
    first_sheet_rel = None
    for _, elem in _iterparse(archive, "xl/workbook.xml", budget):
        if elem.tag == NS_MAIN + "workbookPr":
            date1904 = elem.get("date1904", "0").lower() in ("1", "true")
        elif elem.tag == NS_MAIN + "sheet" and first_sheet_rel is None:
            first_sheet_rel = elem.get(NS_REL + "id")
    if first_sheet_rel is None:
        raise FileRejected("The workbook has no worksheet.")
    return date1904, first_sheet_rel


def _resolve_sheet_path(archive, rel_id: str, budget) -> str:
    rels = "xl/_rels/workbook.xml.rels"
    for _, elem in _iterparse(archive, rels, budget):
        if elem.tag == NS_PKG_REL + "Relationship" and elem.get("Id") == rel_id:
            target = elem.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            if path in archive.namelist():
                return path
    raise FileRejected("The workbook's first worksheet cannot be found.")


def _shared_strings(archive, names, budget) -> list[str]:
    strings: list[str] = []
    if "xl/sharedStrings.xml" not in names:
        return strings
    for _, elem in _iterparse(archive, "xl/sharedStrings.xml", budget):
        if elem.tag == NS_MAIN + "si":
            strings.append(_rich_text(elem))
            elem.clear()
    return strings


def _rich_text(elem: Element) -> str:
    # Phonetic runs (rPh) are pronunciation hints, not content.
    parts = []
    for child in elem:
        if child.tag == NS_MAIN + "t":
            parts.append(child.text or "")
        elif child.tag == NS_MAIN + "r":
            parts.extend(t.text or "" for t in child if t.tag == NS_MAIN + "t")
    return "".join(parts)


def _date_styles(archive, names, budget) -> set[int]:
    """Indexes of cell styles whose number format shows a date."""
    if "xl/styles.xml" not in names:
        return set()
    custom: dict[int, str] = {}
    xf_formats: list[int] = []
    in_cell_xfs = False
    for event, elem in _iterparse(archive, "xl/styles.xml", budget, events=("start", "end")):
        if elem.tag == NS_MAIN + "cellXfs":
            in_cell_xfs = event == "start"
        elif event == "end" and elem.tag == NS_MAIN + "numFmt":
            custom[int(elem.get("numFmtId", "0"))] = elem.get("formatCode", "")
        elif event == "end" and elem.tag == NS_MAIN + "xf" and in_cell_xfs:
            xf_formats.append(int(elem.get("numFmtId", "0")))
    dates = set()
    for index, fmt_id in enumerate(xf_formats):
        code = custom.get(fmt_id) or BUILTIN_FORMATS.get(fmt_id, "")
        # 27-36 and 50-58 are locale date formats that openpyxl does not list.
        if (code and is_date_format(code)) or 27 <= fmt_id <= 36 or 50 <= fmt_id <= 58:
            dates.add(index)
    return dates


def _xlsx_row(elem: Element, shared, date_styles, epoch) -> list | None:
    cells: dict[int, object] = {}
    for cell in elem:
        if cell.tag != NS_MAIN + "c":
            continue
        ref = cell.get("r")
        column = column_index_from_string(coordinate_from_string(ref)[0]) - 1 if ref else len(cells)
        cell_type = cell.get("t", "n")
        formula = value = inline = None
        has_value = False
        for child in cell:
            if child.tag == NS_MAIN + "v":
                value = child.text
                has_value = True
            elif child.tag == NS_MAIN + "f":
                formula = child.text or "shared"
            elif child.tag == NS_MAIN + "is":
                inline = _rich_text(child)
        no_saved_value = not has_value or (not value and cell_type != "str")
        if formula is not None and no_saved_value:
            cells[column] = CellIssue(
                "a formula with no saved value: open the file in Excel, let it calculate "
                "and save it again"
            )
            continue
        if cell_type == "s":
            cells[column] = shared[int(value)] if value is not None else ""
        elif cell_type == "inlineStr":
            cells[column] = inline or ""
        elif cell_type in ("str",):
            cells[column] = value or ""
        elif cell_type == "b":
            cells[column] = value == "1"
        elif cell_type == "e":
            cells[column] = CellIssue(f"an error value ({value}) instead of data")
        elif cell_type == "d":
            cells[column] = _iso_value(value)
        elif value is not None:
            number = float(value) if any(ch in value for ch in ".eE") else int(value)
            if int(cell.get("s", "0")) in date_styles:
                cells[column] = _excel_date(number, epoch)
            else:
                cells[column] = number
    if not cells:
        return None
    row = [None] * (max(cells) + 1)
    for column, value in cells.items():
        row[column] = value
    return row


def _excel_date(number: float, epoch) -> object:
    try:
        value = from_excel(number, epoch=epoch)
    except (ValueError, OverflowError):
        return CellIssue(f"a date serial number ({number}) out of range")
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    return value


def _iso_value(text: str | None) -> object:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text[:19]).date() if "T" in text else date.fromisoformat(text)
    except ValueError:
        return text


def _apply_merges(table: Table, merged: list[str]) -> None:
    if not merged:
        return
    index = {number: position for position, (number, _) in enumerate(table.rows)}
    for ref in merged:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (TypeError, ValueError):
            continue
        issue = CellIssue(f"part of the merged cells {ref}, which reads as blank")
        for row_number in range(min_row, max_row + 1):
            if row_number not in index:
                if row_number == min_row:
                    continue
                table.rows.append((row_number, []))
                index[row_number] = len(table.rows) - 1
            row = table.rows[index[row_number]][1]
            for col in range(min_col - 1, max_col):
                if row_number == min_row and col == min_col - 1:
                    continue
                while len(row) <= col:
                    row.append(None)
                if row[col] in (None, ""):
                    row[col] = issue
    table.rows.sort(key=lambda item: item[0])


# --- ODS ---------------------------------------------------------------------


def _read_ods(archive: zipfile.ZipFile) -> Table:
    budget = [settings.IMPORT_MAX_UNCOMPRESSED_BYTES]
    if "content.xml" not in archive.namelist():
        raise FileRejected("The OpenDocument spreadsheet has no content.")
    table = Table(file_type="ods")
    max_rows = settings.IMPORT_MAX_ROWS
    row_number = 0
    depth = 0  # nested tables (in cells) are not rows of the sheet
    tables_seen = 0
    for event, elem in _iterparse(archive, "content.xml", budget, events=("start", "end")):
        tag = elem.tag
        if tag == NS_TABLE + "table":
            if event == "start":
                depth += 1
                tables_seen += 1
            else:
                depth -= 1
                if tables_seen >= 1 and depth == 0:
                    break
            continue
        if event != "end" or tag != NS_TABLE + "table-row" or depth != 1:
            continue
        repeat = int(elem.get(NS_TABLE + "number-rows-repeated", "1"))
        row = _ods_row(elem)
        if row is None:
            row_number += repeat  # blank rows, often repeated a million times
        else:
            for _ in range(min(repeat, max_rows + 51)):
                row_number += 1
                table.rows.append((row_number, list(row)))
            if len(table.rows) > max_rows + 50:
                raise FileRejected(f"The file has more than {max_rows:,} rows.")
        elem.clear()
    return table


def _ods_row(elem: Element) -> list | None:
    values: list = []
    has_content = False
    for cell in elem:
        covered = cell.tag == NS_TABLE + "covered-table-cell"
        if cell.tag != NS_TABLE + "table-cell" and not covered:
            continue
        repeat = int(cell.get(NS_TABLE + "number-columns-repeated", "1"))
        value = (
            CellIssue("part of merged cells, which reads as blank") if covered else _ods_value(cell)
        )
        if value not in (None, "") and not covered:
            has_content = True
        if value is None and repeat > 1:
            values.extend([None] * min(repeat, 1024))
        else:
            values.extend([value] * min(repeat, 1024))
    if not has_content:
        return None
    while values and values[-1] is None:
        values.pop()
    return values


def _ods_value(cell: Element) -> object:
    value_type = cell.get(NS_OFFICE + "value-type")
    formula = cell.get(NS_TABLE + "formula")
    text = "\n".join(_ods_text(p) for p in cell if p.tag == NS_TEXT + "p")
    if value_type in ("float", "percentage", "currency"):
        raw = cell.get(NS_OFFICE + "value")
        if raw is None:
            return _formula_issue() if formula else (text or None)
        number = float(raw)
        return int(number) if number.is_integer() else number
    if value_type == "date":
        raw = cell.get(NS_OFFICE + "date-value")
        if raw is None:
            return _formula_issue() if formula else (text or None)
        return _iso_value(raw)
    if value_type == "boolean":
        return cell.get(NS_OFFICE + "boolean-value") == "true"
    if value_type == "string":
        raw = cell.get(NS_OFFICE + "string-value")
        return raw if raw is not None else text
    if formula and not text:
        return _formula_issue()
    return text or None


def _formula_issue() -> CellIssue:
    return CellIssue("a formula with no saved value: recalculate and save the file again")


def _ods_text(paragraph: Element) -> str:
    parts = [paragraph.text or ""]
    for child in paragraph:
        if child.tag == NS_TEXT + "s":
            parts.append(" " * int(child.get(NS_TEXT + "c", "1")))
        elif child.tag == NS_TEXT + "tab":
            parts.append("\t")
        else:
            parts.append(_ods_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def iter_data_rows(table: Table, header_row: int) -> Iterator[tuple[int, list]]:
    for number, row in table.rows:
        if number > header_row:
            yield number, row
