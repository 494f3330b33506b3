from django.conf import settings
from django.core.management.base import BaseCommand

from urbanmine.demo.generator import demo_accounts


class Command(BaseCommand):
    help = "Print the demo logins (one per chain role)."

    def handle(self, *args, **options):
        self.stdout.write(
            "\nurbanmine runs at http://127.0.0.1:8000 — demo accounts (user / password / organisation):"
        )
        for user, password, org in demo_accounts(steward=settings.URBANMINE_DEMO_MODE):
            self.stdout.write(f"  {user:18s} {password:16s} {org}")
        self.stdout.write("")
