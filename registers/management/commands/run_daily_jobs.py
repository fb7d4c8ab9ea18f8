from django.core.management.base import BaseCommand

from registers.services.daily import daily_jobs_run
from registers.services.tasks import daily_jobs_enqueue


class Command(BaseCommand):
    help = (
        "The RI risk refresh, due variations, reminders and deletion of unconfirmed "
        "uploads. Safe to run repeatedly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the job for a task worker (manage.py db_worker); do not run it here.",
        )

    def handle(self, *args, **options):
        if options["enqueue"]:
            daily_jobs_enqueue()
            self.stdout.write("Daily jobs queued for a worker.")
            return
        report = daily_jobs_run()
        for line in report:
            self.stdout.write(line)
