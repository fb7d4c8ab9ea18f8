"""Database expressions that Django lacks, written for SQLite and PostgreSQL."""

from django.db.models import DateField, Func


class AddMonths(Func):
    """``date + n months`` for a per-row n, clamped to the month's last day
    (31 Jan + 1 month = 28 Feb), as registers.dates.add_months does."""

    output_field = DateField()
    arity = 2

    def _compile_args(self, compiler):
        date_sql, date_params = compiler.compile(self.source_expressions[0])
        months_sql, months_params = compiler.compile(self.source_expressions[1])
        return date_sql, date_params, months_sql, months_params

    def as_sqlite(self, compiler, connection, **extra_context):
        date_sql, date_params, months_sql, months_params = self._compile_args(compiler)
        # SQLite rolls 31 Jun over to 1 Jul: take the earlier of that and the
        # target month's last day.
        day = f"CAST(strftime('%%d', {date_sql}) AS integer) - 1"
        same_day = (
            f"date({date_sql}, 'start of month', ({months_sql}) || ' months', "
            f"'+' || ({day}) || ' days')"
        )
        last_day = (
            f"date({date_sql}, 'start of month', (({months_sql}) + 1) || ' months', '-1 day')"
        )
        sql = f"min({same_day}, {last_day})"
        params = (
            *date_params,
            *months_params,
            *date_params,
            *date_params,
            *months_params,
        )
        return f"CASE WHEN {date_sql} IS NULL THEN NULL ELSE {sql} END", (*date_params, *params)

    def as_postgresql(self, compiler, connection, **extra_context):
        date_sql, date_params, months_sql, months_params = self._compile_args(compiler)
        return (
            f"CAST(({date_sql}) + make_interval(months => CAST(({months_sql}) AS integer))"
            " AS date)",
            (*date_params, *months_params),
        )
