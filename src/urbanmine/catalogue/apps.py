from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "urbanmine.catalogue"
    label = "catalogue"
    verbose_name = _("catalogue")

    def ready(self) -> None:
        """The catalogue (names and units on every public list) bumps the public cache
        version (core/cache.py)."""
        from urbanmine.core.cache import bump_on_change

        from .models import ProductGroup

        bump_on_change(ProductGroup)
