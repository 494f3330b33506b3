from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Reproducible synthetic demo data (organisations, assets, lots, hubs, demand)."""

    name = "urbanmine.demo"
    label = "demo"
    verbose_name = _("demo data")
