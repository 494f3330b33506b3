from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class LotsConfig(AppConfig):
    name = "urbanmine.lots"
    label = "lots"
    verbose_name = _("lots")

    def ready(self) -> None:
        from .history import register_sqlite_function

        # the SQLite triggers that keep the history append-only ask this function
        connection_created.connect(register_sqlite_function, dispatch_uid="urbanmine-history")
        _public_cache_invalidation()
        # the hub's capacity rule needs what it holds, which lots know (hubs sit below lots)
        from urbanmine.hubs.services import register_held_mass

        from .selectors import hub_stock_mass_kg

        register_held_mass(hub_stock_mass_kg)


def _public_cache_invalidation() -> None:
    """Writes that change public content (the supply list and its API, aggregates, the
    dashboard) bump the public cache version (core/cache.py): lots, their events and
    lineage, and the assets and interventions they are placed and forecast by."""
    from urbanmine.assets.models import Asset, PlannedIntervention
    from urbanmine.core.cache import bump_on_change

    from .models import (
        Inspection,
        InspectionEngagement,
        LifecycleEvent,
        Lot,
        LotLineage,
        TransferProposal,
    )

    bump_on_change(
        Lot,
        LifecycleEvent,
        LotLineage,
        Inspection,
        InspectionEngagement,  # an engaged certifier sees the lot (lots_visible_filter)
        TransferProposal,  # so does the organisation a proposal waits for
        Asset,
        PlannedIntervention,
        m2m=(Lot.source_assets.through,),
    )
