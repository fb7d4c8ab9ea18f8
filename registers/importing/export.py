"""Export through django-import-export, from the same columns as import."""

from import_export import fields, resources

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
