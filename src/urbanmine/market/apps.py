from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketConfig(AppConfig):
    name = "urbanmine.market"
    label = "market"
    verbose_name = _("market")

    def ready(self) -> None:
        """Demand (the dashboard's demand and the matching) bumps the public cache
        version (core/cache.py)."""
        from urbanmine.core.cache import bump_on_change

        from .models import DemandRequest

        bump_on_change(DemandRequest)

        from urbanmine.lots.signals import reservation_ended

        reservation_ended.connect(_release_proposals, dispatch_uid="market-release-proposals")


def _release_proposals(sender, *, lot, holder_id, **kwargs) -> None:
    from .services import proposals_release

    proposals_release(lot=lot, holder_id=holder_id)
