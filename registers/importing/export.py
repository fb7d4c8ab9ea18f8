"""Export through django-import-export, from the same columns as import.

Cells keep their types: XLSX and ODS hold real dates and numbers (they sort and
sum in a spreadsheet), shown DD/MM/YYYY and to the penny; the CSV writes dates
DD/MM/YYYY, as its import reads them.
"""

import io
from datetime import date, datetime
from decimal import Decimal

import tablib
from import_export import fields, resources
from import_export.formats import base_formats
from openpyxl import load_workbook

from registers.importing.engine import Column, Spec
from registers.importing.safety import escape_formula


class RegisterResource(resources.Resource):
    """Writes every cell safe from formula injection, in every format."""

    label = "Records"

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))

    @classmethod
    def get_display_name(cls):
        return cls.label


def _exporter(column: Column):
    if column.export is not None:
        return column.export

    def value(obj):
        result = getattr(obj, column.field)
        return "" if result is None else result

    return value


def resource_class(spec: type[Spec], columns: list[Column]) -> type[RegisterResource]:
    attrs: dict[str, object] = {"label": spec.label}
    order = []
    for index, column in enumerate(columns):
        name = f"column_{index}"
        attrs[name] = fields.Field(column_name=column.header, dehydrate_method=_exporter(column))
        order.append(name)
    attrs["Meta"] = type("Meta", (), {"fields": tuple(order), "export_order": tuple(order)})
    return type(f"{spec.model.__name__}Resource", (RegisterResource,), attrs)


UK_DATE = "DD/MM/YYYY"
PENCE = "#,##0.00"


def _csv_cell(value):
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return value


class UkCSV(base_formats.CSV):
    """CSV with dates DD/MM/YYYY (tablib writes them ISO)."""

    def export_data(self, dataset, **kwargs):
        copy = tablib.Dataset(headers=dataset.headers)
        for row in dataset:
            copy.append([_csv_cell(value) for value in row])
        return super().export_data(copy, **kwargs)


class TypedXLSX(base_formats.XLSX):
    """XLSX whose dates are dates shown DD/MM/YYYY and whose amounts show pence."""

    def export_data(self, dataset, **kwargs):
        data = super().export_data(dataset, **kwargs)
        money_columns = {
            index
            for index in range(dataset.width)
            if any(isinstance(row[index], Decimal) for row in dataset)
        }
        book = load_workbook(io.BytesIO(data))
        sheet = book.active
        for row in sheet.iter_rows(min_row=2):
            for index, cell in enumerate(row):
                if cell.is_date:
                    cell.number_format = UK_DATE
                elif index in money_columns and isinstance(cell.value, int | float):
                    cell.number_format = PENCE
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


EXPORT_FORMATS = [UkCSV, TypedXLSX, base_formats.ODS]
