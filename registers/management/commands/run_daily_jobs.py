from django.core.management.base import BaseCommand

from registers.services.daily import daily_jobs_run


class Command(BaseCommand):
    help = (
        "The RI risk refresh, due variations, reminders and deletion of unconfirmed "
        "uploads. Safe to run repeatedly."
    )

    def handle(self, *args, **options):
        report = daily_jobs_run()
        for line in report:
            self.stdout.write(line)
