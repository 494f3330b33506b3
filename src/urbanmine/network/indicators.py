"""The indicators of the covenant and the regional targets, as data (issue #18).

Each indicator says what it measures, in which unit it is stored and which units a user may
enter (converted to the stored unit), and whether organisations may commit to it and the
province may set a regional target for it. How each is *measured* from the lifecycle events
is `selectors.realised_*`; this module is plain Python so the rule is written once.

- harvested_t: mass dismantled (harvest events), by the harvesting organisation / by the
  municipality of the source asset.
- applied_t: mass applied again (execution events; a material applied again within one
  building life counts once).
- secondary_share_pct: for the region, the mass applied again as a share of the forecast
  material demand of that year (every tonne of secondary material applied replaces a tonne
  of primary raw material: "50 % less primary raw materials" is a target of 50 % here). For
  an organisation, the share of the material whose route it closed (applied again, or left
  the chain by recycling, energy recovery or disposal) that was applied again.
- hubs_opened: hubs that took in their first material in that year (the first lifecycle
  event at the hub), operated by the organisation / located in the region.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

HARVESTED_T = "harvested_t"
APPLIED_T = "applied_t"
SECONDARY_SHARE_PCT = "secondary_share_pct"
HUBS_OPENED = "hubs_opened"


@dataclass(frozen=True)
class Indicator:
    code: str
    label: Promise
    unit: str  # the stored unit
    units: dict[str, Decimal]  # unit a user may enter -> factor to the stored unit
    for_commitments: bool = True
    for_targets: bool = True


MASS_UNITS = {"t": Decimal(1), "kt": Decimal(1000)}

INDICATORS: dict[str, Indicator] = {
    HARVESTED_T: Indicator(HARVESTED_T, _("Harvested (dismantled) material"), "t", MASS_UNITS),
    APPLIED_T: Indicator(APPLIED_T, _("Secondary material applied again"), "t", MASS_UNITS),
    SECONDARY_SHARE_PCT: Indicator(
        SECONDARY_SHARE_PCT, _("Share of secondary material applied"), "%", {"%": Decimal(1)}
    ),
    HUBS_OPENED: Indicator(HUBS_OPENED, _("Hubs opened"), "hubs", {"hubs": Decimal(1)}),
}

INDICATOR_CHOICES = [(c, i.label) for c, i in INDICATORS.items()]

#: the labels of the units (the Dutch interface shows labels, never codes)
UNIT_LABELS: dict[str, Promise] = {
    "t": _("tonnes"),
    "kt": _("kilotonnes"),
    "%": _("percent"),
    "hubs": _("hubs"),
}
UNIT_CHOICES = [(u, label) for u, label in UNIT_LABELS.items()]


def to_stored_unit(indicator: str, value: Decimal, unit: str) -> Decimal | None:
    """The value in the indicator's stored unit, or None when the unit does not fit."""
    factor = INDICATORS[indicator].units.get(unit)
    return None if factor is None else value * factor


def progress_fraction(realised: float | None, target: float | None) -> float | None:
    """realised / target, or None when there is nothing to compare against."""
    if realised is None or not target:
        return None
    return realised / target
