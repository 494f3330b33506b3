from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    name = "urbanmine.assets"
    label = "assets"
    verbose_name = _("assets")

    def ready(self) -> None:
        """Grants decide who sees a passport and its lots (cached per viewer's rights,
        core/cache.py): a grant or revocation bumps the cache version."""
        from urbanmine.core.cache import bump_on_change

        from .models import AssetGrant

        bump_on_change(AssetGrant)
