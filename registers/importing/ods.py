"""OpenDocument spreadsheets, streamed, with LibreOffice's repeated rows folded."""

import zipfile

# nosec B405: only the Element type, for hints; parsing is defusedxml.iterparse (tables.py).
from xml.etree.ElementTree import Element  # nosec B405

from django.conf import settings

from registers.importing.tables import (
    CellIssue,
    FileRejected,
    Table,
    iso_value,
    iterparse_capped,
    read_limit,
    row_limit_message,
)

NS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
NS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
NS_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def read_ods(archive: zipfile.ZipFile) -> Table:
    budget = [settings.IMPORT_MAX_UNCOMPRESSED_BYTES]
    if "content.xml" not in archive.namelist():
        raise FileRejected("The OpenDocument spreadsheet has no content.")
    table = Table(file_type="ods")
    max_rows = settings.IMPORT_MAX_ROWS
    limit = read_limit()
    row_number = 0
    depth = 0  # nested tables (in cells) are not rows of the sheet
    tables_seen = 0
    for event, elem in iterparse_capped(archive, "content.xml", budget, events=("start", "end")):
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
            for _ in range(min(repeat, limit + 1)):
                row_number += 1
                table.rows.append((row_number, list(row)))
            if len(table.rows) > limit:
                raise FileRejected(row_limit_message(max_rows))
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
        return iso_value(raw)
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
