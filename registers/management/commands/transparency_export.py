from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from registers.dates import last_completed_quarter, parse_quarter
from registers.services.transparency import (
    transparency_authority,
    transparency_csv_write,
    transparency_left_out,
)


class Command(BaseCommand):
    help = (
        "Write the Transparency Code CSV of contracts over £5,000 live in a quarter to "
        "stdout. Quarters follow REPORTING_QUARTERS: financial (Q1 is April to June) unless "
        "set to calendar. Default: the last completed quarter."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--quarter", help="For example 2026Q3 (October to December 2026 in financial quarters)"
        )
        parser.add_argument(
            "--authority",
            help="ONS code or name: that council's contracts only (each publishes its own)",
        )

    def handle(self, *args, quarter=None, authority=None, **options):
        authority_id = None
        if authority:
            try:
                authority_id = transparency_authority(code=authority)
            except LookupError as exc:
                raise CommandError(str(exc)) from None
        if quarter:
            try:
                year, number = parse_quarter(quarter)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        else:
            year, number = last_completed_quarter(timezone.localdate())
        transparency_csv_write(
            year=year, quarter=number, stream=self.stdout._out, authority_id=authority_id
        )
        left_out = transparency_left_out(year=year, quarter=number, authority_id=authority_id)
        if left_out:
            # On stderr, so the CSV on stdout stays the file to publish.
            self.stderr.write(
                f"Left out {len(left_out)} contract(s) not publishable until their "
                "missing fields are filled in:"
            )
            for item in left_out:
                self.stderr.write(f"  {item}")
