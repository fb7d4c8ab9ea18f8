"""Forms of the registers' admin: each asks the register's service for its rules.

A change form, an inline row and a list-editable row are ModelForms whose
``service_check`` is the register's check; its refusals appear as form errors
against the fields they name, or above the form for fields the form lacks.
"""

from collections.abc import Callable, Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from unfold import widgets

from registers.selectors.versions import record_versions, versioned

ServiceCheck = Callable[[object], None]  # raises ValidationError by field


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, field_map: Mapping[str, str] | None = None
) -> None:
    """Show a service's refusal on ``form``. A field the form does not have
    (a service speaks of model fields) becomes an error above the form, named."""
    field_map = field_map or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        target = field_map.get(name, name)
        if target in form.fields and target != NON_FIELD_ERRORS:
            form.add_error(target, errors)
        elif name == NON_FIELD_ERRORS:
            form.add_error(None, errors)
        else:
            label = _label(form, name)
            form.add_error(None, [f"{label}: {m}" if label else m for e in errors for m in e])


def _label(form, name: str) -> str:
    model = getattr(getattr(form, "_meta", None), "model", None)
    if model is None:
        return ""
    try:
        return str(model._meta.get_field(name).verbose_name).capitalize()
    except FieldDoesNotExist:
        return ""


class VersionField(forms.IntegerField):
    """The version of the record the form was read at. Never a change in itself."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data) -> bool:
        return False


class VersionedHiddenInput(forms.HiddenInput):
    """A formset row's id input that carries the row's version beside it: tabular
    inlines and list rows render only their listed fields and the id."""

    def __init__(self, form, attrs=None):
        super().__init__(attrs)
        self.form = form

    def render(self, name, value, attrs=None, renderer=None):
        return super().render(name, value, attrs, renderer) + str(self.form[VERSION])


VERSION = "read_version"


def edits_fields(form_class) -> bool:
    """Whether the form edits any of the record's fields: a view-only page's form
    has none (Django excludes them all), so it needs no version to check."""
    return any(name not in form_class.declared_fields for name in form_class.base_fields)


class ServiceCheckedForm(forms.ModelForm):
    """A ModelForm that, once its own fields are valid, asks the service. It carries
    the version of the record it was read at, so the service refuses a stale save."""

    service_check: ServiceCheck | None = None
    read_version = VersionField(required=False, min_value=0)

    def __init__(self, *args, read_version: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and versioned(type(self.instance)) and edits_fields(type(self)):
            if read_version is None:
                read_version = record_versions(type(self.instance), [self.instance.pk]).get(
                    self.instance.pk, 0
                )
            self.fields[VERSION].initial = read_version
        else:
            del self.fields[VERSION]

    def _post_clean(self):
        super()._post_clean()
        if self.service_check is None or self.errors:
            return
        if self.instance.pk and not self.has_changed():
            return  # an unchanged row writes nothing: there is nothing to check
        if VERSION in self.fields and self.cleaned_data.get(VERSION) is not None:
            self.instance._read_version = self.cleaned_data[VERSION]
        if (self.cleaned_data.get("change_reason") or "").strip():
            self.instance._given_reason = self.cleaned_data["change_reason"].strip()
        try:
            type(self).service_check(self.instance)
        except ValidationError as exc:
            add_service_errors(self, exc)
            self._offer_reapply()

    def _offer_reapply(self) -> None:
        """After a stale refusal the form carries the latest version, so saving
        again applies the user's values over the other change, knowingly."""
        if VERSION not in self.fields or not self.instance.pk:
            return
        latest = record_versions(type(self.instance), [self.instance.pk]).get(self.instance.pk)
        if latest is not None and latest != self.cleaned_data.get(VERSION):
            self.data = self.data.copy()
            self.data[self.add_prefix(VERSION)] = str(latest)

    def _update_errors(self, errors):
        # Model.clean() may name fields this form does not show: never a 500.
        if hasattr(errors, "error_dict"):
            unknown = {
                name: messages
                for name, messages in errors.error_dict.items()
                if name != NON_FIELD_ERRORS and name not in self.fields
            }
            if unknown:
                known = {k: v for k, v in errors.error_dict.items() if k not in unknown}
                add_service_errors(self, ValidationError(unknown))
                if not known:
                    return
                errors = ValidationError(known)
        super()._update_errors(errors)


class RegisterForm(ServiceCheckedForm):
    """Every register's change form carries the reason recorded in the history."""

    change_reason = forms.CharField(
        label="Reason for this change",
        required=False,
        max_length=500,
        help_text="Recorded in the history beside your name.",
        widget=widgets.UnfoldAdminTextInputWidget,
    )


def with_service_check(form_class: type[forms.ModelForm], check: ServiceCheck | None):
    """The form class with ``check`` bound for this request's user."""
    if check is None:
        return form_class
    return type(form_class.__name__, (form_class,), {"service_check": staticmethod(check)})


def labelled_formset(formset_class):
    """Give every input of a tabular formset an accessible name.

    Tabular inlines and list_editable cells show the field name only in the
    column header, which screen readers do not tie to each input.
    """

    class Labelled(formset_class):
        def get_form_kwargs(self, index):
            kwargs = super().get_form_kwargs(index)
            queryset = self.get_queryset() if hasattr(self, "get_queryset") else []
            # A forged form count can point past the rows: Django refuses those itself.
            editable = edits_fields(self.form)
            if (
                editable
                and index is not None
                and index < min(self.initial_form_count(), len(queryset))
            ):
                if not hasattr(self, "_versions"):
                    # One query for every row's version, not one per row.
                    self._versions = record_versions(self.model, [obj.pk for obj in queryset])
                kwargs["read_version"] = self._versions.get(queryset[index].pk, 0)
            return kwargs

        def add_fields(self, form, index):
            super().add_fields(form, index)
            pk_name = self.model._meta.pk.name
            if VERSION in form.fields and pk_name in form.fields:
                form.fields[pk_name].widget = VersionedHiddenInput(form)
            row = "new row" if index is None else f"row {index + 1}"
            for field in form.fields.values():
                if not field.widget.is_hidden:
                    field.widget.attrs.setdefault("aria-label", f"{field.label}, {row}")

    Labelled.__name__ = formset_class.__name__
    return Labelled


class ActionForm(forms.Form):
    """Base of the small forms behind action pages, in Unfold's widgets."""

    def __init__(self, *args, instance_obj=None, user=None, **kwargs):
        self.instance_obj = instance_obj
        self.user = user
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget = unfold_widget(field)


def unfold_widget(field: forms.Field) -> forms.Widget:
    widget = field.widget
    if isinstance(field, forms.BooleanField):
        return widgets.UnfoldBooleanWidget()
    if isinstance(field, forms.DateField):
        return widgets.UnfoldAdminSingleDateWidget()
    if isinstance(field, forms.ChoiceField):
        if isinstance(widget, forms.RadioSelect):
            return widgets.UnfoldAdminRadioSelectWidget(choices=field.choices)
        return widgets.UnfoldAdminSelectWidget(choices=field.choices)
    if isinstance(widget, forms.Textarea):
        return widgets.UnfoldAdminTextareaWidget(attrs=widget.attrs)
    return widgets.UnfoldAdminTextInputWidget(attrs=widget.attrs)


class BlankChoiceFirstMixin:
    """A required choice with no default starts blank, as in Django: Unfold offers a
    blank choice only for optional fields, so a form silently took the first choice
    (a contract's procurement route became "Open tender")."""

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if "choices" not in kwargs and not db_field.blank and not db_field.has_default():
            kwargs["choices"] = db_field.get_choices(
                include_blank=True, blank_choice=[("", "Select value")]
            )
        return super().formfield_for_choice_field(db_field, request, **kwargs)
