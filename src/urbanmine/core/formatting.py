"""One way to write a number for people: the active language's decimal and thousands
separators, a fixed number of decimals, always grouped (Dutch: 28.624,7; English:
28,624.7). Every figure of the dashboard goes through `format_number` (templates: the
`num`, `pct` and `kg_to_t` filters of `core/templatetags/numbers.py`, built in to every
template). Dates too: one style, the long date ("30 november 2026"), `format_date` and
`format_datetime` (filters `day` and `moment`). Form fields that read decimal commas are
in `core/forms.py`.

Why not `floatformat` + `intcomma`: `intcomma` groups the already localised string again,
so Dutch "28624,7" became "28,624,7" (issue #12).
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format, number_format


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


def format_date(value: date | datetime | None) -> str:
    """The one date style of the interface: the active language's long date, "30 november
    2026" (a datetime is shown on its local calendar day); "" for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return date_format(value, "DATE_FORMAT")


def format_datetime(value: datetime | None) -> str:
    """A moment in the same style, with the local time: "30 november 2026 14:05"."""
    if value is None or value == "":
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{date_format(local, 'DATE_FORMAT')} {date_format(local, 'TIME_FORMAT')}"


def sort_key(label: object) -> str:
    """Sort people's labels the way a Dutch list does: case-insensitive, and a place name
    like "'s-Gravenhage" or "'t Zandt" under its main word (G, Z)."""
    text = str(label).strip().casefold()
    for prefix in ("'s-", "'s ", "'t-", "'t "):
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def format_quantity(value: float | int | Decimal | None, max_digits: int = 3) -> str:
    """A quantity with the decimals it has (up to `max_digits`), grouped: Decimal("12.500")
    -> "12,5", 1250 -> "1.250" (Dutch)."""
    if value is None or value == "":
        return ""
    try:
        exponent = Decimal(str(value)).normalize().as_tuple().exponent
    except ArithmeticError:
        return "–"
    digits = min(max(-int(exponent), 0), max_digits) if isinstance(exponent, int) else 0
    return format_number(value, digits)
