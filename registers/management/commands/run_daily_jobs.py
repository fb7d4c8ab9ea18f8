from django.core.management.base import BaseCommand

from registers.services.daily import run_daily_jobs


class Command(BaseCommand):
    help = "The RI risk refresh, due variations and reminders. Safe to run repeatedly."

    def handle(self, *args, **options):
        report = run_daily_jobs()
        for line in report:
            self.stdout.write(line)
