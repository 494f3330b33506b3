"""Reads on the catalogue: codes and names for imports, the masses that bound a lot's,
entries for the Top 10."""

from urbanmine.engine.inventory import MassBand, MassReference, mass_band
from urbanmine.engine.ranking import CatalogueEntry

from .models import ProductGroup


def product_group_codes() -> set[str]:
    return set(ProductGroup.objects.values_list("code", flat=True))


def product_group_name_aliases() -> dict[str, str]:
    """Dutch and English names -> code, so inventories may write "Binnendeuren"."""
    return {
        name: code
        for code, *names in ProductGroup.objects.values_list("code", "name_nl", "name_en")
        for name in names
        if name
    }


def mass_reference(group: ProductGroup) -> MassReference:
    """A product group's unit and typical mass per unit, as the mass bounds read them."""
    return MassReference(group.unit, group.typical_mass_kg_per_unit)


def product_group_mass_band(group: ProductGroup, unit: str) -> MassBand | None:
    """The plausible mass per unit (kg) of a lot of this group counted in `unit`
    (`engine.inventory.bounds`: derived from the typical mass the data steward keeps)."""
    return mass_band(mass_reference(group), unit)


def product_group_mass_references() -> dict[str, MassReference]:
    """Code -> unit and typical mass per unit, for the inventory parser (one query)."""
    return {
        code: MassReference(unit, typical)
        for code, unit, typical in ProductGroup.objects.values_list(
            "code", "unit", "typical_mass_kg_per_unit"
        )
    }


def catalogue_entries() -> list[CatalogueEntry]:
    """The catalogue as the data steward keeps it, in the engine's shape (for the Top 10):
    an edit in the admin changes the ranking at once."""
    return [
        CatalogueEntry(
            code=g.code,
            name_en=g.name_en,
            name_nl=g.name_nl,
            scope=g.scope,
            material=g.material,
            unit=g.unit,
            typical_mass_kg_per_unit=float(g.typical_mass_kg_per_unit),
            volume_scarcity=g.volume_scarcity,
            processing_effort=g.processing_effort,
            standardisation=g.standardisation,
            detachability=g.detachability,
            testing_burden=g.testing_burden,
            market_readiness=g.market_readiness,
        )
        for g in ProductGroup.objects.order_by("code")
    ]


def processing_source_label(group: ProductGroup) -> str:
    """The source of a group's processing time and minimum batch in the interface's
    language: the reference values are labelled estimates (data/catalogue.csv,
    scripts/derive_processing_estimates.py); a steward's cited source as written."""
    from django.utils.translation import gettext as _

    if group.processing_source.startswith("estimate"):
        return _("estimate from the catalogue's processing effort and testing burden")
    return group.processing_source
