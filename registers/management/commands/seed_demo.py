from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from registers.services.demo import build_demo, demo_present, ensure_demo_users


class Command(BaseCommand):
    help = "Create demo registers and one demo login per role. Refuses to run with DEBUG off."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo refuses to run with DEBUG off: it sets known passwords.")
        password = settings.DEMO_PASSWORD
        logins = ensure_demo_users(password=password)
        if demo_present():
            self.stdout.write("Demo data is already present: nothing added.")
        else:
            counts = build_demo()
            made = ", ".join(f"{count} {name}" for name, count in counts.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data created: {made}."))
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Demo logins (password: %s)" % password))
        for username, role in logins:
            self.stdout.write(f"  {username:<10} {role}")
        self.stdout.write("")
        self.stdout.write(f"Open http://127.0.0.1:{settings.PORT}/ and sign in.")
