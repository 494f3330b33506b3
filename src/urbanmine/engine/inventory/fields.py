"""One parser per template column: a cell in, the field's value out, problems reported.

Each parser takes the raw cell (text from a CSV; text, number, bool or date from XLSX), the
row number and the file's `ParseContext`; it returns the value, or None when the cell is
refused, in which case it has appended an error issue to `ctx.errors`. Things that become
one warning for many rows (ambiguous numbers, empty hazardous cells, past dates, long
descriptions) are collected in the context. A parser allocates nothing for a good cell
beyond its value: a row is bad iff it added errors (see `validate.parse_row`).

Rules (documented here because users will ask):

* Required per row: product_group, quantity, unit, quality; mass_kg_per_unit too, except
  for unit kg (1 kg) and t (1000 kg) where it may be left empty.
* hazardous: true/false, ja/nee, yes/no, j/n, y/n, 1/0, waar/onwaar, x; **empty means not
  hazardous** (an inventory lists harvestable items, hazards are the exception) but the
  rows left empty are counted in one warning so nobody overlooks it.
* Quantities and masses are rounded to 3 decimals (the lot precision); quantity for unit
  piece must be whole.
* A release date before `today` is a warning, not an error.
* description: one leading single quote before =, +, -, @, a tab or a carriage return is
  dropped: our exports add it so that spreadsheets never run the text as a formula.
* A row's mass must be plausible (`bounds`): the mass per unit within its product group's
  band, quantity x mass per unit at most 100,000 t (checked in `validate.parse_row` once
  every column of the row is read).
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .bounds import FIXED_MASS_KG, MassBand, MassReference, mass_band
from .issues import InventoryIssue, IssueParams, Rejection, render
from .limits import Clock
from .values import (
    QUALITY_CODES,
    ValueParseError,
    fold,
    is_blank,
    normalise_unit,
    parse_date,
    parse_yes_no,
    strip_export_quote,
    to_decimal,
)

MAX_DESCRIPTION = 300
#: Lots store 14 digits with 3 decimals.
MAX_VALUE = Decimal("1e11")

_Q3 = Decimal("0.001")
#: Units whose mass per unit is fixed; the cell may be left empty.
_FIXED_MASS_KG: dict[str, Decimal] = FIXED_MASS_KG
#: Issue code prefix of the numeric columns (codes such as quantity_not_a_number).
_CODE_PREFIX: dict[str, str] = {"quantity": "quantity", "mass_kg_per_unit": "mass"}


@dataclass(slots=True)
class ProductGroups:
    """The catalogue codes and extra spellings a product group cell is matched against;
    results are cached per cell text (a file repeats a few groups many times)."""

    #: lower-case code -> code
    known: dict[str, str] = field(default_factory=dict)
    #: folded alias -> code
    aliases: dict[str, str] = field(default_factory=dict)
    #: the codes, sorted, for suggestions
    known_sorted: list[str] = field(default_factory=list)
    cache: dict[str, str | Rejection] = field(default_factory=dict)

    @classmethod
    def build(
        cls, known: Collection[str], aliases: Mapping[str, str] | None = None
    ) -> ProductGroups:
        by_lower = {k.lower(): k for k in known}
        return cls(
            known=by_lower,
            aliases={fold(k): v for k, v in (aliases or {}).items()},
            known_sorted=sorted(by_lower.values()),
        )

    def match(self, text: str) -> str | Rejection:
        """The catalogue code for a cell, or why there is none (with a close suggestion)."""
        hit = self.cache.get(text)
        if hit is not None:
            return hit
        key = text.strip().lower().replace("_", "-").replace(" ", "-")
        found: str | Rejection | None = self.known.get(key) or self.aliases.get(fold(text))
        if found is None:
            close = difflib.get_close_matches(key, self.known_sorted, n=1, cutoff=0.75)
            if close:
                params: IssueParams = {
                    "value": text.strip(),
                    "suggestion": close[0],
                }
                found = Rejection("product_group_unknown_suggestion", params)
            else:
                found = Rejection("product_group_unknown", {"value": text.strip()})
        self.cache[text] = found
        return found


@dataclass(slots=True)
class ParseContext:
    """What the column parsers share while reading one file: settings, caches that keep
    100,000 repetitive cells cheap, and the lists issues are collected in."""

    today: date
    #: "1,5" is 1.5 and "1.500" is ambiguous (false for comma-separated CSV)
    decimal_comma: bool = True
    product_groups: ProductGroups = field(default_factory=ProductGroups)
    #: template field -> column name as the file spells it (issues name the file's column)
    column_names: dict[str, str] = field(default_factory=dict)
    errors: list[InventoryIssue] = field(default_factory=list)
    #: (row, column, text) of numbers whose lone separator might be a thousands separator
    ambiguous_numbers: list[tuple[int, str, str]] = field(default_factory=list)
    empty_hazardous_rows: list[int] = field(default_factory=list)
    past_release_rows: list[int] = field(default_factory=list)
    shortened_description_rows: list[int] = field(default_factory=list)
    unit_cache: dict[str, str | None] = field(default_factory=dict)
    hazardous_cache: dict[str, bool | None] = field(default_factory=dict)
    release_date_cache: dict[str, date | Rejection] = field(default_factory=dict)
    #: product group code -> catalogue unit and typical mass (for the plausible band)
    mass_references: Mapping[str, MassReference] = field(default_factory=dict)
    #: rows below the header read at most (None: no limit), and the deadline
    max_rows: int | None = None
    clock: Clock = field(default_factory=Clock)
    band_cache: dict[tuple[str, str], MassBand | None] = field(default_factory=dict)

    def column(self, fld: str) -> str:
        """The file's name for a field's column (the field name when the file has none)."""
        return self.column_names.get(fld, fld)

    def reject(self, row: int, fld: str, code: str, /, **params: str | int | float) -> None:
        """Report a refused cell (the row will not be imported)."""
        reason = render(code, params)
        column = self.column_names.get(fld, fld)
        self.errors.append(InventoryIssue(row, column, reason, fld, code, params))

    def band(self, product_group: str, unit: str) -> MassBand | None:
        """The plausible mass per unit for a group and unit (cached: a file repeats a few)."""
        key = (product_group, unit)
        if key not in self.band_cache:
            self.band_cache[key] = mass_band(self.mass_references.get(product_group), unit)
        return self.band_cache[key]


# ---------------------------------------------------------------------------- text columns


def parse_product_group(raw: object, row: int, ctx: ParseContext) -> str | None:
    """The catalogue code (case, `_`/space for `-`, and aliases forgiven)."""
    if is_blank(raw):
        ctx.reject(row, "product_group", "product_group_missing")
        return None
    found = ctx.product_groups.match(str(raw))
    if isinstance(found, Rejection):
        ctx.reject(row, "product_group", found.code, **found.params)
        return None
    return found


def parse_description(raw: object, row: int, ctx: ParseContext) -> str:
    """Free text; too long is shortened (with a warning), never refused."""
    text = "" if raw is None else strip_export_quote(str(raw).strip())
    if len(text) > MAX_DESCRIPTION:
        ctx.shortened_description_rows.append(row)
        return text[: MAX_DESCRIPTION - 1] + "…"
    return text


def parse_unit(raw: object, row: int, ctx: ParseContext) -> str | None:
    """The canonical unit (piece, m, m2, m3, kg, t) for the user's spelling."""
    if is_blank(raw):
        ctx.reject(row, "unit", "unit_missing")
        return None
    text = str(raw)
    cache = ctx.unit_cache
    if text in cache:
        unit = cache[text]
    else:
        unit = cache[text] = normalise_unit(text)
    if unit is None:
        ctx.reject(row, "unit", "unit_unknown", value=text.strip())
    return unit


def parse_quality(raw: object, row: int, ctx: ParseContext) -> str | None:
    """A, B or C (lower case and 1/2/3 accepted)."""
    if is_blank(raw):
        ctx.reject(row, "quality", "quality_missing")
        return None
    key = str(raw).strip().upper()
    if key.endswith(".0"):  # a spreadsheet's 2.0
        key = key[:-2]
    quality = QUALITY_CODES.get(key)
    if quality is None:
        ctx.reject(row, "quality", "quality_invalid", value=str(raw).strip())
    return quality


def parse_hazardous(raw: object, row: int, ctx: ParseContext) -> bool:
    """Yes/no in Dutch or English; empty is not hazardous (counted for a warning)."""
    if is_blank(raw):
        ctx.empty_hazardous_rows.append(row)
        return False
    if isinstance(raw, bool):
        return raw
    text = str(raw)
    cache = ctx.hazardous_cache
    if text in cache:
        hazardous = cache[text]
    else:
        hazardous = cache[text] = parse_yes_no(text)
    if hazardous is None:
        ctx.reject(row, "hazardous", "hazardous_invalid", value=text.strip())
        return False
    return hazardous


def parse_expected_release_date(raw: object, row: int, ctx: ParseContext) -> date | None:
    """Optional; a date before today is kept (and counted for a warning)."""
    if is_blank(raw):
        return None
    found = _release_date(raw, ctx)
    if isinstance(found, Rejection):
        ctx.reject(row, "expected_release_date", found.code, **found.params)
        return None
    if found < ctx.today:
        ctx.past_release_rows.append(row)
    return found


def _release_date(raw: object, ctx: ParseContext) -> date | Rejection:
    """The date in a cell or why it is not one; cached for text cells."""
    if isinstance(raw, str):
        hit = ctx.release_date_cache.get(raw)
        if hit is not None:
            return hit
    found: date | Rejection
    try:
        found = parse_date(raw)
    except ValueParseError as exc:
        found = Rejection("release_date_" + exc.kind, exc.params)
    else:
        if not (1900 <= found.year <= ctx.today.year + 200):
            found = Rejection("release_date_implausible", {"date": found.isoformat()})
    if isinstance(raw, str):
        ctx.release_date_cache[raw] = found
    return found


# ------------------------------------------------------------------------- numeric columns


def parse_quantity(raw: object, row: int, ctx: ParseContext, unit: str | None) -> Decimal | None:
    """More than zero, rounded to the lot precision; whole for unit piece."""
    if is_blank(raw):
        ctx.reject(row, "quantity", "quantity_missing")
        return None
    read = _read_amount(raw, row, ctx, "quantity")
    if read is None:
        return None
    quantity, ambiguous = read
    if unit == "piece":
        return _whole_pieces(quantity, raw, row, ctx, ambiguous)
    quantity = _to_lot_precision(quantity)
    if quantity == 0:
        ctx.reject(row, "quantity", "quantity_rounds_to_zero", value=str(raw))
        return None
    return quantity


def parse_mass_kg_per_unit(
    raw: object, row: int, ctx: ParseContext, unit: str | None
) -> Decimal | None:
    """Kg per unit, rounded to the lot precision; may be empty for kg and t, which fix it."""
    fixed = _FIXED_MASS_KG.get(unit) if unit is not None else None
    if is_blank(raw):
        if fixed is None and unit is not None:
            ctx.reject(row, "mass_kg_per_unit", "mass_missing", unit=unit)
        return fixed
    read = _read_amount(raw, row, ctx, "mass_kg_per_unit")
    if read is None:
        return None
    mass = _to_lot_precision(read[0])
    if fixed is not None and mass != fixed:
        ctx.reject(
            row,
            "mass_kg_per_unit",
            "mass_fixed_by_unit",
            unit=str(unit),
            expected=int(fixed),
            value=str(raw),
        )
        return None
    if mass == 0:
        ctx.reject(row, "mass_kg_per_unit", "mass_rounds_to_zero", value=str(raw))
        return None
    return mass


def _read_amount(raw: object, row: int, ctx: ParseContext, fld: str) -> tuple[Decimal, bool] | None:
    """(value, ambiguous) of a number cell that must be positive and plausibly small;
    None when refused (reported)."""
    try:
        value, ambiguous = read = to_decimal(raw, ctx.decimal_comma)
    except ValueParseError as exc:
        ctx.reject(row, fld, f"{_CODE_PREFIX[fld]}_{exc.kind}", **exc.params)
        return None
    if ambiguous:
        ctx.ambiguous_numbers.append((row, ctx.column(fld), str(raw).strip()))
    if value <= 0:
        ctx.reject(row, fld, f"{_CODE_PREFIX[fld]}_not_positive", value=str(raw))
        return None
    if value >= MAX_VALUE:
        ctx.reject(row, fld, f"{_CODE_PREFIX[fld]}_too_large", value=str(raw))
        return None
    return read


def _whole_pieces(
    quantity: Decimal, raw: object, row: int, ctx: ParseContext, ambiguous: bool
) -> Decimal | None:
    whole = quantity.to_integral_value()
    if quantity == whole:
        return whole
    if ambiguous:
        # "1.500" pieces: a thousands separator, surely; say so instead of warning.
        ctx.ambiguous_numbers.pop()
        digits = str(raw).strip().replace(".", "").replace(",", "")
        ctx.reject(row, "quantity", "quantity_not_whole_thousands", value=str(raw), whole=digits)
    else:
        ctx.reject(row, "quantity", "quantity_not_whole", value=str(raw))
    return None


def _to_lot_precision(value: Decimal) -> Decimal:
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -3:
        return value.quantize(_Q3, ROUND_HALF_UP)
    return value
