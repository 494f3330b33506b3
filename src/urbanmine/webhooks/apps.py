from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "urbanmine.webhooks"
    label = "webhooks"
    verbose_name = _("webhooks")

    def ready(self) -> None:
        """Hear the other apps' changes (signals.py): no code there calls this app."""
        from . import signals

        signals.connect()
