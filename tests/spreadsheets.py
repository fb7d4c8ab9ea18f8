"""Small spreadsheet files built in tests: CSV, XLSX and ODS, good and hostile."""

import csv
import io
import zipfile

from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904


def csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(
    rows: list[list],
    *,
    epoch_1904: bool = False,
    merge: str | None = None,
    number_formats: dict[str, str] | None = None,
) -> bytes:
    workbook = Workbook()
    if epoch_1904:
        workbook.epoch = CALENDAR_MAC_1904
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for cell, number_format in (number_formats or {}).items():
        sheet[cell].number_format = number_format
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ods_bytes(rows: list[list]) -> bytes:
    """A minimal OpenDocument spreadsheet, written by hand like LibreOffice would."""
    cells = []
    for row in rows:
        parts = []
        for value in row:
            if value is None or value == "":
                parts.append("<table:table-cell/>")
            elif isinstance(value, int | float):
                parts.append(
                    f'<table:table-cell office:value-type="float" office:value="{value}">'
                    f"<text:p>{value}</text:p></table:table-cell>"
                )
            else:
                parts.append(
                    f'<table:table-cell office:value-type="string"><text:p>{value}</text:p>'
                    "</table:table-cell>"
                )
        cells.append("<table:table-row>" + "".join(parts) + "</table:table-row>")
    # LibreOffice ends a sheet with a million repeated blank rows.
    cells.append(
        '<table:table-row table:number-rows-repeated="1048000">'
        "<table:table-cell/></table:table-row>"
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Sheet1">'
        + "".join(cells)
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("content.xml", content)
    return buffer.getvalue()


def replace_in_zip(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, content if item.filename == name else source.read(item))
    return buffer.getvalue()


def add_to_zip(data: bytes, name: str, content: bytes) -> bytes:
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
    return buffer.getvalue()
