"""Crafted query strings get a clear refusal, never a server error.

Django's admin trusts two inputs further than it should: the initial values an
add page takes from its query string (an autocomplete widget looks them up as
ids) and the date hierarchy's year/month/day (an overflowing number escapes its
ValueError check). Both are checked here before Django reads them.
"""

import logging

from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection, models

logger = logging.getLogger(__name__)


def _valid_id(field: models.Field, value) -> bool:
    target = field.target_field
    values = value if isinstance(value, list) else str(value).split(",")
    try:
        for item in values:
            python_value = target.get_prep_value(target.to_python(item))
            if isinstance(python_value, int):
                low, high = connection.ops.integer_field_range(target.get_internal_type())
                if (low is not None and python_value < low) or (
                    high is not None and python_value > high
                ):
                    return False
    except (ValidationError, ValueError, TypeError, OverflowError):
        return False
    return True


class SafeInputMixin:
    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        for name, value in list(initial.items()):
            try:
                field = self.opts.get_field(name)
            except FieldDoesNotExist:
                field = None  # not a model field: the form ignores it
            if field is not None and field.is_relation and not _valid_id(field, value):
                logger.info("Ignored a malformed initial %s=%r", name, value)
                del initial[name]
        return initial

    def get_changelist(self, request, **kwargs):
        base = super().get_changelist(request, **kwargs)

        class SafeChangeList(base):
            def get_filters(self, request):
                try:
                    return super().get_filters(request)
                except OverflowError as exc:
                    # Django's changelist turns this into its "?e=1" page.
                    raise IncorrectLookupParameters(exc) from exc

        return SafeChangeList
