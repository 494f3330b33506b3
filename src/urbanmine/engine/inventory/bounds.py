"""Plausible masses: the band of mass per unit a product group admits, and the most one lot
may weigh. The inventory parser, every write on lots and matching ask the same functions,
so a number refused at upload is refused everywhere (and the other way round).

Why bounds at all: one line of 99,999,999,999 pieces x 99,999,999,999.999 kg per piece
(10^22 kg, more than the mass of every building on earth) used to be stored; it then led
every public total and the matching. Bounds do not judge a passport, they refuse numbers
that cannot be true, with a message naming what was expected.

The band of mass per unit, derived from the catalogue (`typical_mass_kg_per_unit` in the
product group's own unit):

* unit kg: exactly 1 kg; unit t: exactly 1000 kg (the unit fixes the mass).
* the product group's own unit: the typical mass divided or multiplied by
  `SAME_UNIT_FACTOR` (100). Within one product group the mass of a unit varies by about
  one order of magnitude either way: steel beams are typically 42 kg/m, an IPE 80 weighs
  6 kg/m and an HE 1000 M 349 kg/m; door hardware 0.8 kg, a hinge 0.1 kg and a panic bar
  8 kg; a lamp post 150 kg, a 4 m garden post 30 kg and a 20 m mast 1.5 t. A factor 100
  leaves one more order of magnitude for unusual elements, while refusing the kg-for-t
  slip (a factor 1000) and nonsense.
* another unit (steel beams counted in pieces while the catalogue counts metres; soil in
  m3 while the catalogue counts tonnes): the typical mass does not translate, so only a
  sanity band of `OTHER_UNIT_FACTOR` (10,000) either way. A steel beam of 40 kg or of 4 t
  per piece (typical 42 kg/m) lies well inside 0.004 kg .. 420 t; a cubic metre of bricks
  (about 1,800 kg against 2.1 kg per brick) inside 0.001 kg .. 21 t.

The low end is never below 0.001 kg, the smallest mass per unit a lot stores.

The hard maximum per lot, `MAX_LOT_MASS_KG` = 100,000 t: a lot is one line of one passport
(one product group from one asset). The heaviest single elements in Zuid-Holland's building
stock and infrastructure are bridge girders and prefab beams of tens to a few hundred
tonnes; a large demolition releases some tens of thousands of tonnes of one material (an
office tower of 50,000 m2 holds about 50,000 to 75,000 t of concrete), so 100,000 t holds
the whole yield of one product group from a very large asset, while a sum over even a
million such lots (10^14 kg) stays far inside every number type the platform uses. More
(the soil of a tunnel, say) is recorded as several lots.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

#: The most one lot may weigh: 100,000 t (see the module's docstring).
MAX_LOT_MASS_KG = Decimal(100_000_000)
#: Mass per unit in the product group's own unit: typical / 100 .. typical x 100.
SAME_UNIT_FACTOR = Decimal(100)
#: Mass per unit in another unit: typical / 10,000 .. typical x 10,000.
OTHER_UNIT_FACTOR = Decimal(10_000)
#: Units whose mass per unit is fixed.
FIXED_MASS_KG: dict[str, Decimal] = {"kg": Decimal(1), "t": Decimal(1000)}
#: The smallest mass per unit a lot can store (3 decimals).
_Q3 = Decimal("0.001")


@dataclass(frozen=True, slots=True)
class MassReference:
    """What the catalogue says of a product group's mass: its unit and the typical mass of
    one such unit (kg)."""

    unit: str
    typical_kg: Decimal


@dataclass(frozen=True, slots=True)
class MassBand:
    """The plausible mass per unit (kg), both ends included."""

    low: Decimal
    high: Decimal

    def __contains__(self, mass: object) -> bool:
        return isinstance(mass, Decimal | int) and self.low <= mass <= self.high


def mass_band(reference: MassReference | None, unit: str) -> MassBand | None:
    """The plausible mass per unit of `unit` for a product group (see the module's
    docstring); None when nothing is known (no reference, or a typical mass that is not
    positive): then only the maximum per lot applies."""
    fixed = FIXED_MASS_KG.get(unit)
    if fixed is not None:
        return MassBand(fixed, fixed)
    if reference is None or not reference.typical_kg.is_finite() or reference.typical_kg <= 0:
        return None
    factor = SAME_UNIT_FACTOR if reference.unit == unit else OTHER_UNIT_FACTOR
    typical = reference.typical_kg
    low = max((typical / factor).quantize(_Q3, ROUND_FLOOR), _Q3)
    high = (typical * factor).quantize(_Q3, ROUND_CEILING)
    return MassBand(low, high)


@dataclass(frozen=True, slots=True)
class MassProblem:
    """Why a line's mass cannot be true: the field at fault, an issue code of
    `ISSUE_TEMPLATES` and its params (the platform words it in the user's language)."""

    field: str
    code: str
    params: dict[str, str | int | float]


def mass_problem(
    product_group: str,
    band: MassBand | None,
    unit: str,
    quantity: Decimal,
    mass_kg_per_unit: Decimal,
) -> MassProblem | None:
    """None when a line of `quantity` x `mass_kg_per_unit` kg of a product group is
    plausible: its mass per unit within `band` (`mass_band` of the group and `unit`; None:
    not checked), its total at most `MAX_LOT_MASS_KG`."""
    if band is not None and mass_kg_per_unit not in band:
        if band.low == band.high:
            return MassProblem(
                "mass_kg_per_unit",
                "mass_fixed_by_unit",
                {"unit": unit, "expected": int(band.low), "value": plain(mass_kg_per_unit)},
            )
        return MassProblem(
            "mass_kg_per_unit",
            "mass_implausible",
            {
                "value": plain(mass_kg_per_unit),
                "product_group": product_group,
                "unit": unit,
                "low": plain(band.low),
                "high": plain(band.high),
            },
        )
    total = quantity * mass_kg_per_unit
    if total > MAX_LOT_MASS_KG:
        return MassProblem(
            "quantity",
            "lot_mass_too_large",
            {
                "quantity": plain(quantity),
                "unit": unit,
                "value": plain(mass_kg_per_unit),
                "mass_t": tonnes(total),
                "max_t": tonnes(MAX_LOT_MASS_KG),
            },
        )
    return None


def plain(value: Decimal) -> str:
    """A decimal as people write it: 2.1, 10000 (no exponent, no trailing zeros)."""
    return f"{value.normalize():f}" if value.is_finite() else str(value)


def tonnes(kg: Decimal) -> str:
    """A mass in tonnes for a message: 100000, 12.5, or 1.000E+19 when absurdly large."""
    t = kg / 1000
    if t.is_finite() and abs(t) < Decimal("1e15"):
        return plain(t.quantize(_Q3))
    return f"{t:.3E}"
