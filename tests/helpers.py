"""Drive admin forms as a browser would: read the page's form, change it, post it."""

from django import forms
from django.forms import BaseFormSet


def _field_data(form, prefix_form=None) -> dict:
    data = {}
    for name, field in form.fields.items():
        bound = form[name]
        value = bound.value()
        if field.disabled:
            continue
        if isinstance(field, forms.NullBooleanField):
            data[bound.html_name] = {True: "true", False: "false"}.get(value, "unknown")
            continue
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        if isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        elif hasattr(value, "isoformat"):
            data[bound.html_name] = value.strftime("%d/%m/%Y")
        else:
            data[bound.html_name] = str(value)
    return data


def change_form_data(response) -> dict:
    """The data a user would submit unchanged from an admin change or add page."""
    context = response.context
    data = _field_data(context["adminform"].form)
    for inline in context.get("inline_admin_formsets", []):
        formset: BaseFormSet = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management[name].html_name] = management[name].value()
        for form in formset.initial_forms:
            data.update(_field_data(form))
    return data


def add_inline_form(data: dict, prefix: str, values: dict) -> dict:
    """Append one extra inline form (e.g. an action item) to posted data."""
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    for name, value in values.items():
        data[f"{prefix}-{total}-{name}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    return data
