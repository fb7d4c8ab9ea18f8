"""Bulk writes that record history, for the services' bulk paths.

django-simple-history's bulk_create_with_history builds a model instance per
history row and inserts them through the ORM, which costs as much again as the
records themselves. These functions write the same history rows (same
columns, user, reason, date and type) straight to the history table: with
COPY on PostgreSQL and multi-row INSERTs on SQLite. New records are written
with multi-row INSERT ... RETURNING (insert_records), changed ones with
UPDATE ... FROM (VALUES ...) (update_records). The names differ from
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
# Types psycopg adapts from Python values as the ORM would.
ADAPTED_TYPES = {"DateField", "DateTimeField", "DecimalField"}


def _converter(field, connection) -> Callable:
    if connection.vendor == "postgresql" or field.get_internal_type() in PLAIN_TYPES:
        return lambda value: value  # psycopg adapts Python values itself
    if field.get_internal_type() == "DateField":
        return _iso_date  # what SQLite's adapter writes, without the ORM's call chain
    return partial(field.get_db_prep_save, connection=connection)


def _iso_date(value):
    return None if value is None else value.isoformat()


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
            # nosec B608: table and column names come from the model, quoted; values go by COPY.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # nosec B608
                for row in rows():
                    copy.write_row(row)
        else:
            head = f"INSERT INTO {table} ({columns}) VALUES "  # nosec B608: as COPY above
            _insert_in_batches(cursor, head, rows(), width=len(fields))
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


def insert_records(objs: list[Model], model: type[Model]) -> list[Model]:
    """What the ORM's bulk_create writes, as multi-row INSERT ... RETURNING
    (SQLite) or COPY (PostgreSQL): the same values (auto_now stamps included) and
    the new keys set on the objects, without the per-value compilation that makes
    bulk_create slow. Records with a key already, or a database that cannot
    return rows, go through bulk_create."""
    connection = connections[router.db_for_write(model)]
    opts = model._meta
    if (
        not objs
        or not connection.features.can_return_rows_from_bulk_insert
        or opts.pk.get_internal_type() not in ("AutoField", "BigAutoField")
        or any(obj.pk is not None for obj in objs)
    ):
        return model._default_manager.bulk_create(objs, batch_size=BATCH)
    for obj in objs:
        # As bulk_create: point foreign keys at parents saved since they were assigned.
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                field.pre_save(obj, add=True)
    converters = [(f.attname, _record_converter(f, connection)) for f in fields]
    table = connection.ops.quote_name(opts.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    pk = connection.ops.quote_name(opts.pk.column)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, min(BATCH, 30_000 // len(fields)))
    with transaction.atomic(using=connection.alias, savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy_records(cursor, objs, opts, converters, table, columns, pk)
        else:
            for start in range(0, len(objs), per_statement):
                batch = objs[start : start + per_statement]
                params = [
                    convert(getattr(obj, attname))
                    for obj in batch
                    for attname, convert in converters
                ]
                rows = ", ".join([one] * len(batch))
                # nosec B608: names come from the model, quoted; values go as parameters.
                sql = f"INSERT INTO {table} ({columns}) VALUES {rows} RETURNING {pk}"  # nosec B608
                cursor.execute(sql, params)
                for obj, (key,) in zip(batch, cursor.fetchall(), strict=True):
                    obj.pk = key
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def _copy_records(cursor, objs, opts, converters, table: str, columns: str, pk: str) -> None:
    """PostgreSQL: take the keys from the table's sequence, then COPY the rows with
    them (a statement with thousands of parameters is slow for psycopg to prepare)."""
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        [opts.db_table, opts.pk.column, len(objs)],
    )
    for obj, (key,) in zip(objs, cursor.fetchall(), strict=True):
        obj.pk = key
    with cursor.cursor.copy(f"COPY {table} ({pk}, {columns}) FROM STDIN") as copy:
        for obj in objs:
            copy.write_row([obj.pk, *(convert(getattr(obj, a)) for a, convert in converters)])


def _record_converter(field, connection) -> Callable:
    kind = field.get_internal_type()
    if kind in PLAIN_TYPES or (connection.vendor == "postgresql" and kind in ADAPTED_TYPES):
        return lambda value: value
    return _converter(field, connection)


def bulk_create_recorded(objs: list[Model], model: type[Model], *, user, reason: str) -> list:
    """Create the records, then their '+' history rows."""
    created = insert_records(objs, model)
    insert_history(created, model, user=user, reason=reason, history_type="+")
    return created


def bulk_update_recorded(
    objs: list[Model], model: type[Model], fields: Sequence[str], *, user, reason: str
) -> None:
    """Update the records, then their '~' history rows."""
    update_records(objs, model, fields)
    insert_history(objs, model, user=user, reason=reason, history_type="~")


def update_records(objs: Sequence[Model], model: type[Model], fields: Sequence[str]) -> None:
    """What the ORM's bulk_update writes, as one UPDATE ... FROM (VALUES ...) per
    batch. bulk_update builds a CASE per field and row, which the ORM compiles
    slowly: 3,546 settings' rating columns took 12 s that way."""
    if not objs or not fields:
        return
    connection = connections[router.db_for_write(model)]
    opts = model._meta
    table, pk = connection.ops.quote_name(opts.db_table), opts.pk
    columns = [pk, *(opts.get_field(name) for name in fields)]
    postgres = connection.vendor == "postgresql"
    if postgres:
        # A VALUES list has no column types of its own: name and cast each column.
        placeholder = "(" + ", ".join(f"CAST(%s AS {f.cast_db_type(connection)})" for f in columns)
        alias = "v(" + ", ".join(f"c{i}" for i in range(len(columns))) + ")"
        refs = [f"v.c{i}" for i in range(len(columns))]
    else:
        placeholder = "(" + ", ".join("%s" for _ in columns)
        alias = "v"  # SQLite names a VALUES list's columns column1, column2, ...
        refs = [f"v.column{i + 1}" for i in range(len(columns))]
    placeholder += ")"
    assignments = ", ".join(
        f"{connection.ops.quote_name(f.column)} = {ref}"
        for f, ref in zip(columns[1:], refs[1:], strict=True)
    )
    where = f"{table}.{connection.ops.quote_name(pk.column)} = {refs[0]}"
    converters = [_update_converter(f, connection) for f in columns]
    per_statement = max(1, min(BATCH, 30_000 // len(columns)))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_statement):
            batch = objs[start : start + per_statement]
            values = ", ".join([placeholder] * len(batch))
            params = [
                convert(getattr(obj, f.attname))
                for obj in batch
                for f, convert in zip(columns, converters, strict=True)
            ]
            # nosec B608: names come from the model, quoted; values go as parameters.
            rows = f"(VALUES {values}) AS {alias}"
            sql = f"UPDATE {table} SET {assignments} FROM {rows} WHERE {where}"  # nosec B608
            cursor.execute(sql, params)


def _update_converter(field, connection) -> Callable:
    kind = field.get_internal_type()
    if kind in PLAIN_TYPES or (connection.vendor == "postgresql" and kind in ADAPTED_TYPES):
        return lambda value: value
    if kind == "DateField":
        return _iso_date
    return partial(field.get_db_prep_save, connection=connection)
