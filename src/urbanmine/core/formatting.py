"""One way to write a number for people: the active language's decimal and thousands
separators, a fixed number of decimals, always grouped (Dutch: 28.624,7; English:
28,624.7). Every figure of the dashboard goes through `format_number` (templates: the
`num`, `pct` and `kg_to_t` filters of `core/templatetags/numbers.py`).

Why not `floatformat` + `intcomma`: `intcomma` groups the already localised string again,
so Dutch "28624,7" became "28,624,7" (issue #12).
"""

from __future__ import annotations

import math
from decimal import Decimal

from django.utils.formats import number_format


def format_number(value: float | int | Decimal | str | None, digits: int = 0) -> str:
    """`value` rounded to `digits` decimals, localised and grouped; "" for None/"" and
    "–" for a value that is not a finite number."""
    if value is None or value == "":
        return ""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return "–"
    if not math.isfinite(x):
        return "–"
    digits = max(int(digits), 0)
    rounded = round(x, digits)
    if rounded == 0:
        rounded = 0.0  # no "-0"
    return number_format(Decimal(repr(rounded)), digits, force_grouping=True)


def format_percent(fraction: float | None, digits: int = 1) -> str:
    """0.1219 -> "12,2%" (localised): `format_number` of the fraction x 100."""
    if fraction is None or fraction == "":
        return ""
    return f"{format_number(float(fraction) * 100, digits)}%"
