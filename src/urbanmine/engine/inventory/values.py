"""Reading one cell value: numbers written by people, dates, units, yes/no and quality.

Compiled patterns and lookup tables live at module level: the parser runs over 100,000s of
cells. Errors are `ValueParseError`s (a ValueError) that carry a `kind` and params, so the
column parsers can report them as catalogue issues.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from .issues import VALUE_ERROR_TEMPLATES, IssueParams

UNITS: tuple[str, ...] = ("piece", "m", "m2", "m3", "kg", "t")
QUALITIES: tuple[str, ...] = ("A", "B", "C")


class ValueParseError(ValueError):
    """A cell value that cannot be read; `kind` is a key of VALUE_ERROR_TEMPLATES."""

    def __init__(self, kind: str, **params: str | int | float) -> None:
        self.kind = kind
        self.params: IssueParams = params
        super().__init__(VALUE_ERROR_TEMPLATES[kind] % params)


def fold(text: str) -> str:
    """Lower case, accents and punctuation removed: 'Massa (kg/eenheid)' -> 'massakgeenheid'."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text.lower() if ch.isalnum() and not unicodedata.combining(ch))


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ------------------------------------------------------------------- exported text cells

#: A spreadsheet reads a text cell starting with one of these as a formula (OWASP, "CSV
#: injection"); exports (`urbanmine.core.exports.safe_cell`) put a single quote before it.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def strip_export_quote(text: str) -> str:
    """A text cell without the single quote an export put before a formula character
    ("'=A1" -> "=A1"), so an exported passport re-imports unchanged. Any other leading quote
    is the user's own and stays."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_PREFIXES:
        return text[1:]
    return text


# ----------------------------------------------------------------------------------- units

# fmt: off
_UNIT_ALIASES: dict[str, tuple[str, ...]] = {
    "piece": (
        "piece", "pieces", "pc", "pcs", "st", "stk", "stuk", "stuks", "ea", "each", "nr",
        "no", "x", "unit", "units", "item", "items", "pce", "pces", "stuk(s)",
    ),
    "m": (
        "m", "m1", "m'", "meter", "meters", "metre", "metres", "lm", "mtr", "strm",
        "strekkende meter", "str. m", "rm", "lopende meter", "linear metre", "linear meter",
    ),
    "m2": (
        "m2", "m²", "m^2", "sqm", "sq m", "sq.m", "vierkante meter", "square metre",
        "square meter",
    ),
    "m3": (
        "m3", "m³", "m^3", "kuub", "cbm", "kubieke meter", "cubic metre", "cubic meter",
    ),
    "kg": ("kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "kilogramme"),
    "t": ("t", "ton", "tons", "tonne", "tonnes", "tonnen", "metric ton", "1000kg"),
}
# fmt: on


def _fold_unit(text: str) -> str:
    # NFKC turns the superscripts of m² / m³ into digits; "^" and punctuation go.
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if ch.isalnum() or ch == "'").replace("'", "1")


UNIT_ALIASES: dict[str, str] = {
    _fold_unit(alias): unit for unit, aliases in _UNIT_ALIASES.items() for alias in aliases
}
UNIT_ALIASES[_fold_unit("m'")] = "m"


def normalise_unit(value: str) -> str | None:
    """The canonical unit (piece, m, m2, m3, kg, t) for a user's spelling, or None."""
    return UNIT_ALIASES.get(_fold_unit(value))


# ------------------------------------------------------------------ yes/no and quality

TRUE_WORDS = frozenset({"true", "ja", "j", "yes", "y", "1", "waar", "x", "wahr", "t", "1.0"})
FALSE_WORDS = frozenset({"false", "nee", "n", "no", "0", "onwaar", "f", "-", "0.0", "geen", "none"})
QUALITY_CODES: dict[str, str] = {"A": "A", "B": "B", "C": "C", "1": "A", "2": "B", "3": "C"}


def parse_yes_no(text: str) -> bool | None:
    """True / False for the spellings people use for a yes/no cell, None if it is neither."""
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


# --------------------------------------------------------------------------------- numbers

_PLAIN = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)")
_DEC_COMMA = re.compile(r"[+-]?(?:\d+,?\d*|,\d+)")
_GROUPED_DOT = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d*)?")  # 1.234.567,5
_GROUPED_COMMA = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")  # 1,234,567.5
_GROUPED_SPACE = re.compile(r"[+-]?\d{1,3}(?: \d{3})+(?:[.,]\d*)?")  # 1 234 567,5
_AMBIGUOUS = re.compile(r"[+-]?[1-9]\d{0,2}[.,]\d{3}")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "'": " "})


def parse_decimal(text: str, decimal_comma: bool = True) -> tuple[Decimal, bool]:
    """Parse a number written by a person; returns (value, ambiguous). `ambiguous` flags a
    lone separator followed by three digits in the other convention (maybe a thousands
    separator). Raises ValueError with a readable reason."""
    s = text.strip().translate(_SPACES).strip()
    if not s:
        raise ValueParseError("empty")
    # The two everyday forms first, inline: this runs for every number cell.
    if _PLAIN.fullmatch(s):  # 12 / 12.5
        plain, ambiguous = s, decimal_comma and "." in s and bool(_AMBIGUOUS.fullmatch(s))
    elif "." not in s and _DEC_COMMA.fullmatch(s):  # 12,5
        plain, ambiguous = s.replace(",", "."), not decimal_comma and bool(_AMBIGUOUS.fullmatch(s))
    else:
        plain, ambiguous = _ungrouped(s, text.strip()), False
    if plain.endswith("."):
        plain += "0"
    try:
        return Decimal(plain), ambiguous
    except InvalidOperation:  # pragma: no cover - the patterns only admit numbers
        raise ValueParseError("not_a_number", value=text.strip()) from None


def _ungrouped(s: str, shown: str) -> str:
    """A number with thousands separators (1 234,5 / 1.234,5 / 1,234.5 / 1.234.567) as
    plain digits with a decimal point; `shown` is the cell as the user wrote it."""
    if " " in s:
        if not _GROUPED_SPACE.fullmatch(s):
            raise ValueParseError("not_a_number", value=shown)
        return s.replace(" ", "").replace(",", ".")
    if "," not in s:
        if not _GROUPED_DOT.fullmatch(s):
            raise ValueParseError("not_a_number", value=shown)
        return s.replace(".", "")
    if "." not in s:
        if not _GROUPED_COMMA.fullmatch(s):
            raise ValueParseError("not_a_number", value=shown)
        return s.replace(",", "")
    if s.rfind(",") > s.rfind("."):  # 1.234,5
        if not _GROUPED_DOT.fullmatch(s):
            raise ValueParseError("mixed_separators", value=shown)
        return s.replace(".", "").replace(",", ".")
    if not _GROUPED_COMMA.fullmatch(s):  # 1,234.5
        raise ValueParseError("mixed_separators", value=shown)
    return s.replace(",", "")


def to_decimal(value: object, decimal_comma: bool) -> tuple[Decimal, bool]:
    """A cell (text, or a spreadsheet's int/float/date) as (Decimal, ambiguous)."""
    if isinstance(value, str):  # the common case first
        return parse_decimal(value, decimal_comma)
    if isinstance(value, bool):
        raise ValueParseError("not_a_number", value=str(value))
    if isinstance(value, int):
        return Decimal(value), False
    if isinstance(value, float):
        return _float_to_decimal(value), False
    if isinstance(value, Decimal):
        return value, False
    if isinstance(value, datetime | date):
        raise ValueParseError("is_a_date", date=format(value, "%Y-%m-%d"))
    return parse_decimal(str(value), decimal_comma)


def _float_to_decimal(value: float) -> Decimal:
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueParseError("not_finite")
    if abs(value - round(value)) < 1e-9:  # spreadsheet float noise on whole numbers
        return Decimal(round(value))
    return Decimal(repr(value))


# ----------------------------------------------------------------------------------- dates

_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ][0-9:.]*)?")
_NL_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?: [0-9:.]*)?")
_EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(value: object) -> date:
    """ISO or Dutch day-first dates; raises ValueError with a readable reason."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # an Excel serial day number in an unformatted cell
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueParseError("not_a_date", value=str(value))
    s = str(value).strip()
    m = _ISO_DATE.fullmatch(s)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    else:
        m = _NL_DATE.fullmatch(s)
        if not m:
            raise ValueParseError("not_a_date", value=s)
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
    try:
        return date(y, mo, d)
    except ValueError:
        raise ValueParseError("not_an_existing_date", value=s) from None
