from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HubsConfig(AppConfig):
    name = "urbanmine.hubs"
    label = "hubs"
    verbose_name = _("hubs")

    def ready(self) -> None:
        """Hubs (places of lots, the dashboard's occupancy) bump the public cache
        version (core/cache.py)."""
        from urbanmine.core.cache import bump_on_change

        from .models import Hub

        bump_on_change(Hub, m2m=(Hub.accepted_product_groups.through,))
