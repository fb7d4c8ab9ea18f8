"""XLSX workbooks, streamed: formulas with no saved value, merged cells and
1904 dates are seen, not hidden."""

import zipfile
from datetime import datetime

# nosec B405: only the Element type, for hints; parsing is defusedxml.iterparse (tables.py).
from xml.etree.ElementTree import Element  # nosec B405

from django.conf import settings
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from registers.importing.tables import (
    CellIssue,
    FileRejected,
    Table,
    iso_value,
    iterparse_capped,
    read_limit,
    row_limit_message,
)

XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_TYPES = ("macroEnabled", "vbaProject")
NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def read_xlsx(archive: zipfile.ZipFile, names: set[str]) -> Table:
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
    limit = read_limit()
    for _, elem in iterparse_capped(archive, sheet_path, budget):
        tag = elem.tag
        if tag == NS_MAIN + "row":
            row = _xlsx_row(elem, shared, date_styles, epoch)
            if row is not None:
                number = int(elem.get("r") or (table.rows[-1][0] + 1 if table.rows else 1))
                table.rows.append((number, row))
                if len(table.rows) > limit:
                    raise FileRejected(row_limit_message(max_rows))
            elem.clear()
        elif tag == NS_MAIN + "mergeCell":
            merged.append(elem.get("ref", ""))
    _apply_merges(table, merged)
    return table


def _workbook_info(archive, budget) -> tuple[bool, str]:
    date1904 = False
    first_sheet_rel = None
    for _, elem in iterparse_capped(archive, "xl/workbook.xml", budget):
        if elem.tag == NS_MAIN + "workbookPr":
            date1904 = elem.get("date1904", "0").lower() in ("1", "true")
        elif elem.tag == NS_MAIN + "sheet" and first_sheet_rel is None:
            first_sheet_rel = elem.get(NS_REL + "id")
    if first_sheet_rel is None:
        raise FileRejected("The workbook has no worksheet.")
    return date1904, first_sheet_rel


def _resolve_sheet_path(archive, rel_id: str, budget) -> str:
    rels = "xl/_rels/workbook.xml.rels"
    for _, elem in iterparse_capped(archive, rels, budget):
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
    for _, elem in iterparse_capped(archive, "xl/sharedStrings.xml", budget):
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
    for event, elem in iterparse_capped(archive, "xl/styles.xml", budget, events=("start", "end")):
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
            cells[column] = iso_value(value)
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
