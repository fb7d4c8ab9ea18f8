"""Bulk writes that record history, for the services' bulk paths.

django-simple-history's bulk_create_with_history builds a model instance per
history row and inserts them through the ORM, which costs as much again as the
records themselves. These functions write the same history rows (same
columns, user, reason, date and type) straight to the history table: with
COPY on PostgreSQL and multi-row INSERTs on SQLite. The records themselves
still go through the ORM's bulk_create and bulk_update. The names differ from
simple-history's on purpose, so that neither is mistaken for the other.
"""

from collections.abc import Callable, Sequence
from functools import partial

from django.db import connections, router, transaction
from django.db.models import Model
from django.utils import timezone
from simple_history.utils import get_history_model_for_model

BATCH = 1000
HISTORY_FIELDS = {"history_date", "history_user_id", "history_change_reason", "history_type"}
# Types whose Python value is already what the database takes.
PLAIN_TYPES = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "EmailField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}


def _converter(field, connection) -> Callable:
    if connection.vendor == "postgresql" or field.get_internal_type() in PLAIN_TYPES:
        return lambda value: value  # psycopg adapts Python values itself
    return partial(field.get_db_prep_save, connection=connection)


def insert_history(
    objs: Sequence[Model], model: type[Model], *, user, reason: str, history_type: str
) -> int:
    """One history row per saved object, exactly as simple-history would write it.

    An object stamped with its own ``_change_reason`` (registers.services.recording)
    keeps that reason; the others take ``reason``.
    """
    if not objs:
        return 0
    history_model = get_history_model_for_model(model)
    connection = connections[router.db_for_write(history_model)]
    fixed = {
        "history_date": timezone.now(),
        "history_user_id": getattr(user, "pk", None),
        "history_change_reason": reason,
        "history_type": history_type,
    }
    fields = [f for f in history_model._meta.concrete_fields if not f.primary_key]
    template = [None] * len(fields)
    tracked = []
    for index, field in enumerate(fields):
        if field.attname in HISTORY_FIELDS:
            template[index] = field.get_db_prep_save(fixed[field.attname], connection)
        else:
            tracked.append((index, field.attname, _converter(field, connection)))

    reason_index = next(i for i, f in enumerate(fields) if f.attname == "history_change_reason")
    own_reasons = any(getattr(obj, "_change_reason", None) for obj in objs)

    def rows():
        for obj in objs:
            row = list(template)
            for index, attname, convert in tracked:
                row[index] = convert(getattr(obj, attname))
            if own_reasons:
                row[reason_index] = getattr(obj, "_change_reason", None) or reason
            yield row

    table = connection.ops.quote_name(history_model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with transaction.atomic(using=connection.alias, savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows():
                    copy.write_row(row)
        else:
            _insert_in_batches(
                cursor, f"INSERT INTO {table} ({columns}) VALUES ", rows(), width=len(fields)
            )
    return len(objs)


def _insert_in_batches(cursor, head: str, rows, *, width: int) -> None:
    # Multi-row VALUES, under SQLite's 32,766 parameters a statement.
    per_statement = max(1, min(BATCH, 30_000 // width))
    one = "(" + ", ".join(["%s"] * width) + ")"
    params: list = []
    count = 0
    for row in rows:
        params.extend(row)
        count += 1
        if count == per_statement:
            cursor.execute(head + ", ".join([one] * count), params)
            params, count = [], 0
    if count:
        cursor.execute(head + ", ".join([one] * count), params)


def bulk_create_recorded(objs: list[Model], model: type[Model], *, user, reason: str) -> list:
    """Create the records with the ORM, then their '+' history rows."""
    created = model._default_manager.bulk_create(objs, batch_size=BATCH)
    insert_history(created, model, user=user, reason=reason, history_type="+")
    return created


def bulk_update_recorded(
    objs: list[Model], model: type[Model], fields: Sequence[str], *, user, reason: str
) -> None:
    """Update the records with the ORM, then their '~' history rows."""
    if fields:
        model._default_manager.bulk_update(objs, list(fields), batch_size=BATCH)
    insert_history(objs, model, user=user, reason=reason, history_type="~")
