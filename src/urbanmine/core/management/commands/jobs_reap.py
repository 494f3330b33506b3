"""`urbanmine jobs_reap`: fail jobs whose worker stopped (no heartbeat), e.g. from cron or
after a deploy; workers do this by themselves every half stale period."""

from django.core.management.base import BaseCommand

from urbanmine.core.jobs import jobs_reap


class Command(BaseCommand):
    help = (
        "Mark queued/running jobs (matching runs, forecasts) whose heartbeat is older than "
        "URBANMINE_JOB_STALE_S as failed: their worker or web process stopped."
    )

    def handle(self, *args, **options):
        n = jobs_reap()
        self.stdout.write(f"{n} stale job(s) marked failed.")
