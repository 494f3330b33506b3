"""`urbanmine audit_prune [--days N]`: delete audit-log entries older than the retention
(URBANMINE_AUDIT_RETENTION_DAYS, 730 by default). Run it daily (cron, a systemd timer)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from urbanmine.audit.services import audit_prune


class Command(BaseCommand):
    help = "Delete audit-log entries older than the retention period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"keep this many days (default URBANMINE_AUDIT_RETENTION_DAYS, now "
            f"{settings.URBANMINE_AUDIT_RETENTION_DAYS})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            deleted = audit_prune(days=options["days"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"deleted {deleted} audit-log entries")
