"""Impact tools in the platform: the reuse-or-new comparison and the Top 10, on the
platform's factor source and catalogue (the engine does the numbers)."""

from dataclasses import fields

from urbanmine.catalogue.factors import factor_source
from urbanmine.catalogue.models import ProductGroup
from urbanmine.catalogue.selectors import catalogue_entries, processing_source_label
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


def processing_notes(*, product_group: str, quantity: float) -> list[str]:
    """What the catalogue knows of processing this group (issue #18): the typical processing
    time, and a warning when the quantity is below the minimum batch for a business case."""
    from django.utils.translation import gettext as _

    from urbanmine.core.formatting import format_number

    group = ProductGroup.objects.filter(code=product_group).first()
    if group is None:
        return []
    notes = []
    if group.typical_processing_days is not None:
        notes.append(
            _("Typical processing time: %(days)s days (%(source)s).")
            % {"days": group.typical_processing_days, "source": processing_source_label(group)}
        )
    if group.min_batch is not None and quantity < group.min_batch:
        notes.append(
            _(
                "%(q)s %(unit)s is below the minimum batch for a business case "
                "(%(min)s %(unit)s): bundle with other supply or plan a larger harvest."
            )
            % {
                "q": format_number(quantity, 0),
                "min": format_number(group.min_batch, 0),
                "unit": group.get_unit_display(),
            }
        )
    return notes


def processing_by_code() -> dict[str, ProductGroup]:
    """Code -> product group with its processing time and minimum batch (Top 10 columns)."""
    return {
        g.code: g
        for g in ProductGroup.objects.only(
            "code", "unit", "typical_processing_days", "min_batch", "processing_source"
        )
    }
