"""Trigram (pg_trgm) GIN indexes for the admin's search fields, on PostgreSQL.

The admin searches with ``UPPER(col::text) LIKE UPPER('%term%')``, which no
B-tree index helps; a trigram index on the same expression does. SQLite has
no pg_trgm, and its tables at a council's size are fast enough scanned: this
migration does nothing there.
"""

from django.db import migrations

# (table, column): the search fields of the large registers.
SEARCHED = [
    ("registers_provider", "name"),
    ("registers_provider", "trading_name"),
    ("registers_provider", "company_number"),
    ("registers_provider", "postcode"),
    ("registers_setting", "urn"),
    ("registers_setting", "name"),
    ("registers_setting", "postcode"),
    ("registers_setting", "local_authority"),
    ("registers_inspection", "event_number"),
    ("registers_contract", "reference"),
    ("registers_contract", "title"),
    ("registers_contract", "department"),
    ("registers_contract", "cost_centre"),
    ("registers_visit", "findings"),
    ("registers_actionitem", "description"),
    ("registers_actionitem", "owner"),
]


def index_name(table: str, column: str) -> str:
    return f"{table.removeprefix('registers_')}_{column}_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in SEARCHED:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{index_name(table, column)}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in SEARCHED:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index_name(table, column)}"')


class Migration(migrations.Migration):
    dependencies = [("registers", "0006_indexes_for_sorts")]

    operations = [migrations.RunPython(create, drop)]
