"""Impact tools in the platform: the reuse-or-new comparison and the Top 10, on the
platform's factor source and catalogue (the engine does the numbers)."""

from dataclasses import fields

from urbanmine.catalogue.factors import factor_source
from urbanmine.catalogue.models import ProductGroup
from urbanmine.catalogue.selectors import catalogue_entries
from urbanmine.engine.impact import ALL_STEPS, Assumptions, Comparison, ImpactError, compare_reuse
from urbanmine.engine.ranking import RankedGroup, RankingWeights, rank_groups

EDITABLE_ASSUMPTIONS = (
    "new_supply_distance_km",
    "storage_eur_per_t_day",
    "purchase_eur_per_kg",
    "discount_rate",
)


def comparison_run(
    *,
    product_group: str,
    quantity: float,
    distance_km: float,
    quality: str = "B",
    steps: list[str] | None = None,
    storage_days: float = 0.0,
    mass_kg_per_unit: float | None = None,
    overrides: dict | None = None,
) -> Comparison:
    """Reuse versus new for a product group; the mass per unit defaults to the catalogue's."""
    try:
        group = ProductGroup.objects.get(code=product_group)
    except ProductGroup.DoesNotExist:
        raise ImpactError(
            f"unknown product group {product_group!r}", field="product_group"
        ) from None
    mass = (
        float(group.typical_mass_kg_per_unit)
        if mass_kg_per_unit in (None, "")
        else float(mass_kg_per_unit)
    )
    assumptions = Assumptions().with_overrides(
        **{k: v for k, v in (overrides or {}).items() if v is not None}
    )
    return compare_reuse(
        factor_source(),
        product_group,
        quantity,
        distance_km,
        mass_kg_per_unit=mass,
        quality=quality,
        steps=ALL_STEPS if steps is None else steps,
        storage_days=storage_days,
        assumptions=assumptions,
    )


def default_assumptions() -> dict:
    a = Assumptions()
    return {f.name: getattr(a, f.name) for f in fields(a) if f.name in EDITABLE_ASSUMPTIONS}


def top10(*, scope: str, weights: dict | None = None, top: int = 10) -> list[RankedGroup]:
    """The ranking over the catalogue as the steward keeps it (the database), with the
    platform's cited factors. (`urbanmine top10` ranks the reference table itself.)"""
    w = RankingWeights(**{k: float(v) for k, v in (weights or {}).items()})
    return rank_groups(catalogue_entries(), factor_source(), scope, weights=w, top=top)


def weight_fields() -> dict:
    w = RankingWeights()
    return {f.name: getattr(w, f.name) for f in fields(w)}
