"""The reference scenario of the province: Metabolic (2024), Urban Mining Scan Zuid-Holland.

Housing and utility construction in Zuid-Holland until 2030 needs 37,300 kt of building
materials; demolition and renovation release 4,550 kt; 35 % of the released material has
reuse potential (figures as quoted in the exploration report, see docs DOMAIN.md). The
derived ratios are what the dashboard compares a forecast against.
"""

from __future__ import annotations

from dataclasses import dataclass

SOURCE = (
    "Metabolic (2024), Urban Mining Scan Zuid-Holland; EIB & Metabolic (2022); "
    "as quoted in the Zuid-Holland Urban Mining chain exploration (DOMAIN.md)"
)


@dataclass(frozen=True)
class ReferenceScenario:
    """Province-level figures (kt = 1e6 kg) and the ratios derived from them."""

    horizon_year: int
    demand_kt: float
    release_kt: float
    reusable_share_of_release: float
    source: str

    @property
    def reusable_kt(self) -> float:
        return self.release_kt * self.reusable_share_of_release

    @property
    def release_over_demand(self) -> float:
        """Share of demand that release could cover if all of it were used (~12 %)."""
        return self.release_kt / self.demand_kt

    @property
    def reusable_over_demand(self) -> float:
        """Share of demand the reusable part could cover (~4.3 %)."""
        return self.reusable_kt / self.demand_kt

    def as_dict(self) -> dict[str, float | int | str]:
        return {
            "horizon_year": self.horizon_year,
            "demand_kt": self.demand_kt,
            "release_kt": self.release_kt,
            "reusable_share_of_release": self.reusable_share_of_release,
            "reusable_kt": self.reusable_kt,
            "release_over_demand": self.release_over_demand,
            "reusable_over_demand": self.reusable_over_demand,
            "source": self.source,
        }


def reference_scenario() -> ReferenceScenario:
    """Metabolic 2024 Zuid-Holland: 37,300 kt demand, 4,550 kt release, 35 % reusable."""
    return ReferenceScenario(
        horizon_year=2030,
        demand_kt=37_300.0,
        release_kt=4_550.0,
        reusable_share_of_release=0.35,
        source=SOURCE,
    )
