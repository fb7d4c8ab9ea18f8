"""Database expressions that Django lacks, written for SQLite and PostgreSQL."""

from django.db.models import DateField, Func


class AddMonths(Func):
    """``date + n months`` for a per-row n. Negative n goes back in time.

    PostgreSQL clamps to the month's last day (31 Jan + 1 month = 28 Feb);
    SQLite rolls over (3 Mar). Only the last days of a month differ.
    """

    output_field = DateField()
    arity = 2

    def _compile_args(self, compiler):
        date_sql, date_params = compiler.compile(self.source_expressions[0])
        months_sql, months_params = compiler.compile(self.source_expressions[1])
        return date_sql, months_sql, (*date_params, *months_params)

    def as_sqlite(self, compiler, connection, **extra_context):
        date_sql, months_sql, params = self._compile_args(compiler)
        return f"date({date_sql}, ({months_sql}) || ' months')", params

    def as_postgresql(self, compiler, connection, **extra_context):
        date_sql, months_sql, params = self._compile_args(compiler)
        return (
            f"CAST(({date_sql}) + make_interval(months => CAST(({months_sql}) AS integer))"
            " AS date)",
            params,
        )
