"""A change to one record, as every write path hands it to the services.

A form, a list edit, an inline row, an import row or a daily job each build a
``Change``: the record with its new values and, for an existing record, the
record as stored before. The services check and write changes in bulk; a
single save is a bulk of one, so each rule is written once.
"""

import copy
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model

# Change.context flag: the record is as Ofsted published it. A rule that only
# surprises published data (a judgement on a monitoring inspection) gives way.
AS_PUBLISHED = "as_published"
# Change.context: the reason the user gave for this change (a form's "Reason for
# this change"), for rules that let a change through only with one.
GIVEN_REASON = "given_reason"


@dataclass(eq=False)
class Change[M: Model]:
    obj: M
    before: M | None = None  # the stored record; None for a new one
    row: int | None = None  # the spreadsheet row it came from, for messages
    context: dict = field(default_factory=dict)  # extra facts a path supplies

    @property
    def is_new(self) -> bool:
        return self.before is None

    def old(self, name: str):
        return None if self.before is None else getattr(self.before, _attname(self.obj, name))

    def new(self, name: str):
        return getattr(self.obj, _attname(self.obj, name))

    def changed(self, *names: str) -> bool:
        """Whether any of the fields differs from the stored record (always, when new)."""
        if self.before is None:
            return True
        return any(differs(self.old(name), self.new(name)) for name in names)

    def changed_fields(self) -> list[str]:
        fields = [f for f in self.obj._meta.concrete_fields if not f.primary_key]
        if self.before is None:
            return [f.name for f in fields]
        return [
            f.name
            for f in fields
            if differs(getattr(self.before, f.attname), getattr(self.obj, f.attname))
        ]


def snapshot[M: Model](obj: M) -> M:
    """A copy of the record as it is now, to compare with once a path alters it."""
    return copy.copy(obj)


def change_from[M: Model](obj: M, *, row: int | None = None) -> Change[M]:
    """A change to a record already in hand: call it before altering the record."""
    return Change(obj=obj, before=snapshot(obj) if obj.pk else None, row=row)


def link_parents(obj: Model) -> None:
    """Point foreign keys at parent records saved since they were assigned
    (a setting planned with a provider that the same import creates)."""
    cache = obj._state.fields_cache
    if not cache:
        return
    for field_ in _foreign_keys(type(obj)):
        parent = cache.get(field_.name)
        if parent is not None and getattr(obj, field_.attname) != parent.pk:
            setattr(obj, field_.attname, parent.pk)


@functools.cache
def _foreign_keys(model: type[Model]) -> tuple:
    return tuple(f for f in model._meta.concrete_fields if f.many_to_one)


def has_value(obj: Model, name: str) -> bool:
    """Whether a field holds a value, counting a related record not yet saved."""
    field = obj._meta.get_field(name)
    if getattr(obj, field.attname) not in (None, ""):
        return True
    return field.is_relation and field.is_cached(obj) and field.get_cached_value(obj) is not None


def _attname(obj: Model, name: str) -> str:
    return obj._meta.get_field(name).attname


def differs(old, new) -> bool:
    """Empty text and None are the same value; anything else compares as is."""
    if old in (None, "") and new in (None, ""):
        return False
    return old != new


@dataclass
class Refusal:
    """Why one change may not be written: a ValidationError keyed by field."""

    change: Change
    error: ValidationError

    def messages(self) -> list[tuple[str | None, str]]:
        """(field name or None, message) pairs."""
        if hasattr(self.error, "error_dict"):
            return [
                (None if name == NON_FIELD_ERRORS else name, message)
                for name, messages in self.error.message_dict.items()
                for message in messages
            ]
        return [(None, message) for message in self.error.messages]


class Refused(ValidationError):
    """Raised by a single-record service when its one change is refused."""


class ErrorCollector:
    """Collects field errors per change, then turns them into refusals."""

    def __init__(self) -> None:
        self._errors: dict[int, tuple[Change, dict[str, list[str]]]] = {}

    def add(self, change: Change, message: str, field_name: str | None = None) -> None:
        _, errors = self._errors.setdefault(id(change), (change, {}))
        errors.setdefault(field_name or NON_FIELD_ERRORS, []).append(message)

    def add_error(self, change: Change, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                for message in messages:
                    self.add(change, message, None if name == NON_FIELD_ERRORS else name)
        else:
            for message in error.messages:
                self.add(change, message)

    def has(self, change: Change) -> bool:
        return id(change) in self._errors

    def refusals(self) -> list[Refusal]:
        return [
            Refusal(change, ValidationError(errors)) for change, errors in self._errors.values()
        ]


def raise_first(refusals: Sequence[Refusal]) -> None:
    """For a single-record path: the refusal becomes a ValidationError by field."""
    if refusals:
        raise Refused(refusals[0].error.error_dict)


def objects(changes: Iterable[Change]) -> list[Model]:
    return [change.obj for change in changes]
