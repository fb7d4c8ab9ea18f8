from collections import Counter
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from registers.importing.specs.ofsted import OfstedSpec
from registers.models.imports import REPORT_SECTIONS
from registers.services.imports import import_file


class Command(BaseCommand):
    help = (
        "Import an Ofsted provider-level or joiners-and-leavers file (any year's layout). "
        "Exits 1 on invalid rows, writing nothing; warnings are imported as published."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV, XLSX or ODS file as Ofsted publishes it")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report; write nothing"
        )
        parser.add_argument("--user", help="Username the history records the import under")

    def handle(self, *args, file, dry_run, user, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user called {user!r}.")
        result = import_file(
            spec=OfstedSpec(),
            data=path.read_bytes(),
            file_name=path.name,
            user=actor,
            dry_run=dry_run,
        )
        if result.kind:
            self.stdout.write(f"Found: {result.kind}, {result.rows_read} row(s).")
        for line in result.summary_lines():
            self.stdout.write(line)
        for note in result.notes:
            self.stdout.write(note)
        if result.warnings:
            self.stdout.write(f"{len(result.warnings)} warning(s), imported as published:")
        for warning in result.warnings[:500]:
            self.stdout.write(f"Warning: {warning}")
        if len(result.warnings) > 500:
            self.stdout.write(f"... and {len(result.warnings) - 500} more warnings.")
        if result.problems:
            for problem in result.problems[:500]:
                self.stderr.write(str(problem))
            if len(result.problems) > 500:
                self.stderr.write(f"... and {len(result.problems) - 500} more problems.")
            count = result.invalid_rows or len(result.problems)
            raise CommandError(f"{count} invalid row(s): nothing was imported.")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
            return
        for line in result.follow_up:
            self.stdout.write(line)
        sections = Counter(line["section"] for line in result.report)
        if sections:
            self.stdout.write("What changed:")
        for section, label in REPORT_SECTIONS.items():
            if sections[section]:
                self.stdout.write(f"  {label}: {sections[section]}")
        self.stdout.write(self.style.SUCCESS(f"Imported {path.name} (import run {result.run_id})."))
