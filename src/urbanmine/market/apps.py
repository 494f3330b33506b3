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

        from urbanmine.lots.signals import reservation_ended, supply_published

        reservation_ended.connect(_release_proposals, dispatch_uid="market-release-proposals")
        supply_published.connect(_tell_wanted_lists, dispatch_uid="market-wanted-lists")


def _release_proposals(sender, *, lot, holder_id, **kwargs) -> None:
    from .services import proposals_release

    proposals_release(lot=lot, holder_id=holder_id)


def _tell_wanted_lists(sender, *, lot_ids, **kwargs) -> None:
    """After the commit that published lots: a failure here never undoes the recording."""
    import logging

    from .services import wanted_notify

    try:
        wanted_notify(lot_ids=lot_ids)
    except Exception:  # noqa: BLE001 (logged; the lots are published either way)
        logging.getLogger(__name__).exception("wanted lists: notifying lots %s failed", lot_ids)
