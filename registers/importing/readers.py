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

from django.conf import settings

from registers.importing.ods import read_ods
from registers.importing.tables import (
    FileRejected,
    Table,
    check_zip_size,
    read_limit,
    row_limit_message,
)
from registers.importing.xlsx import read_xlsx

EXTENSIONS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".ods": "ods"}
REFUSED_EXTENSIONS = {
    ".xlsm": "Macro-enabled workbooks (.xlsm) are refused: save the file as .xlsx.",
    ".xltm": "Macro-enabled templates are refused: save the file as .xlsx.",
    ".xlsb": "Binary workbooks (.xlsb) are not supported: save the file as .xlsx.",
    ".xls": "Old Excel files (.xls) are not supported: save the file as .xlsx.",
}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


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
        check_zip_size(archive)
        names = set(archive.namelist())
        is_ods = "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE
        if kind == "xlsx":
            if is_ods:
                raise FileRejected(
                    f"'{file_name}' is named .xlsx but is an OpenDocument (.ods) spreadsheet."
                )
            return read_xlsx(archive, names)
        if not is_ods:
            raise FileRejected(
                f"'{file_name}' is named .ods but is not an OpenDocument spreadsheet."
            )
        return read_ods(archive)


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
    limit = read_limit()
    try:
        for number, row in enumerate(reader, start=1):
            if any(cell.strip() for cell in row):
                table.rows.append((number, row))
                if len(table.rows) > limit:
                    raise FileRejected(row_limit_message(max_rows))
    except csv.Error as exc:
        raise FileRejected(f"The CSV file cannot be read: {exc}.") from exc
    return table


def _sniff_delimiter(sample: str) -> str:
    first_line = sample.splitlines()[0] if sample else ""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","
