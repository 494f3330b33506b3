"""`urbanmine webhooks_hub_dwell`: tell subscribers of lots at a hub past 6 and 9 months
(run it daily, e.g. from cron or a Celery beat; each stay is told once per level)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from urbanmine.webhooks.signals import hub_dwell_check


class Command(BaseCommand):
    help = "Emit hub.dwell-warning / hub.dwell-alert webhook events (each once per stay)."

    def handle(self, *args, **options):
        # without a broker the deliveries run here: a thread would end with the command
        n = hub_dwell_check(inline=not settings.CELERY_BROKER_URL)
        self.stdout.write(f"{n} new hub dwell event(s)")
