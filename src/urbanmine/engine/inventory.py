"""Parse and validate an inventory file (CSV or XLSX) into clean rows, or clear errors.

Pure Python (no Django): the `import-inventory` command and the web upload both call
`parse_inventory`; storing the rows is the caller's business. Every problem is reported as
an `InventoryIssue` naming the row *as the user sees it in the file* (header = row 1 when it
is the first row), the column as the file spells it, and the reason; parsing never stops at
the first bad row, so one upload shows the user everything to fix.

Decisions (documented here because users will ask):

* Template columns: product_group, description, quantity, unit, mass_kg_per_unit, quality,
  hazardous, expected_release_date. Headers are matched case-, accent-, space- and
  punctuation-insensitively against English and Dutch aliases; `column_map` overrides.
  Extra columns are ignored (one warning). The header may follow a few title rows.
* Required per row: product_group, quantity, unit, quality; mass_kg_per_unit too, except for
  unit kg (1 kg) and t (1000 kg) where it may be left empty.
* hazardous: true/false, ja/nee, yes/no, j/n, y/n, 1/0, waar/onwaar, x; **empty means not
  hazardous** (an inventory lists harvestable items, hazards are the exception) but the
  rows left empty are counted in one warning so nobody overlooks it.
* Numbers: decimal point or comma; thousands separators only in unambiguous, correctly
  grouped forms (1.234,5 / 1,234.5 / 1.234.567 / 1 234,5). A lone separator is the decimal
  separator ("1,5" and "1.5" are 1.5); "1.234" in a semicolon (Dutch) file is read as 1.234
  with a warning. Quantities and masses are rounded to 3 decimals (the lot precision).
* quantity is a Decimal; for unit piece it must be whole (Decimal("12")).
* Dates: ISO (2026-09-01, also with a time), dd-mm-yyyy, dd/mm/yyyy, dd.mm.yyyy, real
  spreadsheet dates. A date before `today` is a warning, not an error.
* Encodings: UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252; bytes valid in
  neither give an error naming the row. Delimiters: semicolon, comma or tab (sniffed by
  which one yields a recognisable header).
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

TEMPLATE_COLUMNS: tuple[str, ...] = (
    "product_group",
    "description",
    "quantity",
    "unit",
    "mass_kg_per_unit",
    "quality",
    "hazardous",
    "expected_release_date",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("product_group", "quantity", "unit", "quality")
UNITS: tuple[str, ...] = ("piece", "m", "m2", "m3", "kg", "t")
QUALITIES: tuple[str, ...] = ("A", "B", "C")
MAX_DESCRIPTION = 300
#: Lots store 14 digits with 3 decimals.
MAX_VALUE = Decimal("1e11")
PROGRESS_EVERY = 2000
HEADER_SEARCH_ROWS = 20

ProgressCallback = Callable[[int, int | None], None]


@dataclass(slots=True)
class InventoryRow:
    """One validated inventory line, ready to become a lot."""

    row_number: int
    product_group: str
    description: str
    quantity: Decimal
    unit: str
    mass_kg_per_unit: Decimal
    quality: str
    hazardous: bool
    expected_release_date: date | None

    @property
    def mass_kg(self) -> Decimal:
        return self.quantity * self.mass_kg_per_unit


@dataclass(slots=True)
class InventoryIssue:
    """An error or warning: row (as numbered in the file; None = whole file), column (as the
    file names it, or the template field when the column is missing) and reason."""

    row: int | None
    column: str | None
    reason: str
    field: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        return (", ".join(where) + ": " if where else "") + self.reason


@dataclass
class InventoryParseResult:
    rows: list[InventoryRow] = field(default_factory=list)
    errors: list[InventoryIssue] = field(default_factory=list)
    warnings: list[InventoryIssue] = field(default_factory=list)
    format: str = ""  # "csv" | "xlsx"
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int | None = None
    #: template field -> column name as in the file
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total_mass_kg(self) -> Decimal:
        return sum((r.mass_kg for r in self.rows), Decimal(0))

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.ok,
            "rows": len(self.rows),
            "format": self.format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "header_row": self.header_row,
            "columns": self.columns,
            "errors": [e.to_dict() for e in self.errors],
            "warnings": [w.to_dict() for w in self.warnings],
        }


class InventoryFileError(Exception):
    """The file as a whole cannot be read (empty, binary, encoding); raised internally and
    turned into a single error issue."""

    def __init__(self, reason: str, row: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.row = row


# --------------------------------------------------------------------------- normalisation


def _fold(text: str) -> str:
    """Lower case, accents and punctuation removed: 'Massa (kg/eenheid)' -> 'massakgeenheid'."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text.lower() if ch.isalnum() and not unicodedata.combining(ch))


# fmt: off
_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "product_group": (
        "product_group", "productgroup", "productgroep", "productgroepcode", "productgroupcode",
        "group", "groep", "materiaalgroep", "materialgroup", "categorie", "category",
        "catalogue", "catalogus", "cataloguscode", "cataloguecode",
    ),
    "description": (
        "description", "omschrijving", "beschrijving", "naam", "name", "item", "element",
        "artikel", "article", "toelichting",
    ),
    "quantity": ("quantity", "qty", "aantal", "hoeveelheid", "amount", "count", "number", "stuks"),
    "unit": ("unit", "units", "eenheid", "eenh", "maateenheid", "uom", "unitofmeasure"),
    "mass_kg_per_unit": (
        "mass_kg_per_unit", "masskgperunit", "massperunit", "mass", "masskg", "weight",
        "weightkg", "weightperunit", "weightkgperunit", "kgperunit", "massa", "massakg",
        "massapereenheid", "massakgpereenheid", "massapereenheidkg", "massaperstuk",
        "massaperstukkg", "massakgperstuk", "gewicht", "gewichtkg", "gewichtpereenheid",
        "gewichtkgpereenheid", "gewichtpereenheidkg", "gewichtperstuk", "gewichtperstukkg",
        "gewichtkgperstuk", "kgpereenheid", "kgperstuk", "eenheidsgewicht", "eenheidsmassa",
        "massakgeenheid", "gewichtkgeenheid",
    ),
    "quality": (
        "quality", "kwaliteit", "kwaliteitsklasse", "kwaliteitklasse", "qualityclass",
        "qualitygrade", "grade", "klasse", "class", "conditie", "condition",
    ),
    "hazardous": (
        "hazardous", "hazard", "hazardousmaterial", "hazardoussubstances", "gevaarlijk",
        "gevaarlijkestoffen", "gevaarlijkstof", "asbest", "asbesthoudend", "bevatasbest",
        "containsasbestos", "asbestos", "zzs",
    ),
    "expected_release_date": (
        "expected_release_date", "expectedreleasedate", "releasedate", "expectedrelease",
        "verwachtevrijkomdatum", "vrijkomdatum", "datumvrijkomen", "vrijkomen",
        "verwachtedatum", "beschikbaarvanaf", "beschikbaar", "availablefrom", "availableon",
        "sloopdatum", "demolitiondate", "oogstdatum", "harvestdate",
    ),
}
# fmt: on
HEADER_ALIASES: dict[str, str] = {
    _fold(alias): fld for fld, aliases in _HEADER_ALIASES.items() for alias in aliases
}

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

_TRUE = {"true", "ja", "j", "yes", "y", "1", "waar", "x", "wahr", "t", "1.0"}
_FALSE = {"false", "nee", "n", "no", "0", "onwaar", "f", "-", "0.0", "geen", "none"}
_QUALITY = {"A": "A", "B": "B", "C": "C", "1": "A", "2": "B", "3": "C"}

# Numbers: compiled once (the parser runs over 100,000s of cells).
_PLAIN = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)")
_DEC_COMMA = re.compile(r"[+-]?(?:\d+,?\d*|,\d+)")
_GROUPED_DOT = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d*)?")  # 1.234.567,5
_GROUPED_COMMA = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")  # 1,234,567.5
_GROUPED_SPACE = re.compile(r"[+-]?\d{1,3}(?: \d{3})+(?:[.,]\d*)?")  # 1 234 567,5
_AMBIGUOUS = re.compile(r"[+-]?[1-9]\d{0,2}[.,]\d{3}")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "'": " "})
_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ][0-9:.]*)?")
_NL_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?: [0-9:.]*)?")
_EXCEL_EPOCH = date(1899, 12, 30)


class _BadValue(ValueError):
    pass


def parse_decimal(text: str, decimal_comma: bool = True) -> tuple[Decimal, bool]:
    """Parse a number written by a person; returns (value, ambiguous). `ambiguous` flags a
    lone separator followed by three digits in the other convention (maybe a thousands
    separator). Raises ValueError with a readable reason."""
    s = text.strip().translate(_SPACES).strip()
    if not s:
        raise _BadValue("empty")
    ambiguous = False
    if " " in s:
        if not _GROUPED_SPACE.fullmatch(s):
            raise _BadValue(f"“{text.strip()}” is not a number")
        s = s.replace(" ", "").replace(",", ".")
    elif _PLAIN.fullmatch(s):
        ambiguous = decimal_comma and "." in s and bool(_AMBIGUOUS.fullmatch(s))
    elif "," in s and "." not in s:
        if _DEC_COMMA.fullmatch(s):
            ambiguous = not decimal_comma and bool(_AMBIGUOUS.fullmatch(s))
            s = s.replace(",", ".")
        elif _GROUPED_COMMA.fullmatch(s):
            s = s.replace(",", "")
        else:
            raise _BadValue(f"“{text.strip()}” is not a number")
    elif "," in s and s.rfind(",") > s.rfind("."):
        if not _GROUPED_DOT.fullmatch(s):
            raise _BadValue(f"“{text.strip()}” is not a number (mixed separators)")
        s = s.replace(".", "").replace(",", ".")
    elif "," in s:
        if not _GROUPED_COMMA.fullmatch(s):
            raise _BadValue(f"“{text.strip()}” is not a number (mixed separators)")
        s = s.replace(",", "")
    elif _GROUPED_DOT.fullmatch(s):
        s = s.replace(".", "")
    else:
        raise _BadValue(f"“{text.strip()}” is not a number")
    if s.endswith("."):
        s += "0"
    try:
        return Decimal(s), ambiguous
    except InvalidOperation:  # pragma: no cover - the patterns above only admit numbers
        raise _BadValue(f"“{text.strip()}” is not a number") from None


def _to_decimal(value: object, decimal_comma: bool) -> tuple[Decimal, bool]:
    if isinstance(value, bool):
        raise _BadValue(f"“{value}” is not a number")
    if isinstance(value, int):
        return Decimal(value), False
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _BadValue("not a finite number")
        if abs(value - round(value)) < 1e-9:  # spreadsheet float noise on whole numbers
            return Decimal(round(value)), False
        return Decimal(repr(value)), False
    if isinstance(value, Decimal):
        return value, False
    if isinstance(value, datetime | date):
        raise _BadValue(f"a date ({value:%Y-%m-%d}) where a number is expected")
    return parse_decimal(str(value), decimal_comma)


def parse_date(value: object) -> date:
    """ISO or Dutch day-first dates; raises ValueError with a readable reason."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # an Excel serial day number in an unformatted cell
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise _BadValue(f"“{value}” is not a date (use yyyy-mm-dd or dd-mm-yyyy)")
    s = str(value).strip()
    m = _ISO_DATE.fullmatch(s)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    else:
        m = _NL_DATE.fullmatch(s)
        if not m:
            raise _BadValue(f"“{s}” is not a date (use yyyy-mm-dd or dd-mm-yyyy)")
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
    try:
        return date(y, mo, d)
    except ValueError:
        raise _BadValue(f"“{s}” is not an existing date") from None


def normalise_unit(value: str) -> str | None:
    """The canonical unit (piece, m, m2, m3, kg, t) for a user's spelling, or None."""
    return UNIT_ALIASES.get(_fold_unit(value))


# ------------------------------------------------------------------------------ file input


def _read_bytes(path_or_bytes: str | os.PathLike[str] | bytes) -> bytes:
    if isinstance(path_or_bytes, bytes | bytearray | memoryview):
        return bytes(path_or_bytes)
    try:
        return Path(path_or_bytes).read_bytes()
    except OSError as exc:
        raise InventoryFileError(f"cannot read the file: {exc.strerror or exc}") from exc


def _decode(raw: bytes) -> tuple[str, str, list[str]]:
    """(text, encoding, notes)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError as exc:
            raise InventoryFileError(f"invalid UTF-16 text: {exc.reason}") from exc
    head = raw[:65536]
    if b"\x00" in head:
        raise InventoryFileError(
            "this is a binary file, not a CSV or XLSX inventory (save it as .xlsx or CSV)"
        )
    try:
        text = raw.decode("utf-8-sig")
        encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
        notes: list[str] = []
    except UnicodeDecodeError as exc:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as exc2:
            row = raw[: exc2.start].count(b"\n") + 1
            raise InventoryFileError(
                f"byte 0x{raw[exc2.start]:02X} is neither UTF-8 nor Windows-1252: unknown "
                "encoding (save the file as 'CSV UTF-8')",
                row=row,
            ) from exc2
        encoding = "cp1252"
        notes = []
        if "Ã" in text or "â€" in text:
            row = raw[: exc.start].count(b"\n") + 1
            notes.append(
                f"the file mixes encodings (not valid UTF-8 from row {row}); it was read as "
                "Windows-1252, so some accented characters may look wrong"
            )
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\x0c")
    if sample and controls > max(2, len(sample) // 100):
        raise InventoryFileError("this is a binary file, not a CSV or XLSX inventory")
    return text, encoding, notes


def _header_fields(cells: list[object], column_map: Mapping[str, str]) -> dict[int, str]:
    """Column index -> template field for a candidate header row."""
    out: dict[int, str] = {}
    for i, cell in enumerate(cells):
        if cell is None:
            continue
        key = _fold(str(cell))
        if not key:
            continue
        fld = column_map.get(key) or HEADER_ALIASES.get(key)
        if fld:
            out[i] = fld
    return out


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    return enumerate(reader, start=1)


def _sniff_delimiter(text: str, column_map: Mapping[str, str]) -> str:
    """The delimiter for which the first lines contain the best-recognised header."""
    head = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])
    best, best_score = ";", (-1, -1)
    for delim in (";", ",", "\t"):
        try:
            rows = list(csv.reader(io.StringIO(head), delimiter=delim))
        except csv.Error:
            continue
        recognised = max(
            (len(set(_header_fields(list(r), column_map).values())) for r in rows), default=0
        )
        score = (recognised, head.split("\n", 1)[0].count(delim))
        if score > best_score:
            best, best_score = delim, score
    return best


def _xlsx_rows(raw: bytes, column_map: Mapping[str, str]) -> tuple[Iterator, int | None, Any]:
    """(row iterator, max_row or None, workbook): the first sheet with a recognisable header."""
    import openpyxl  # imported lazily: CSV-only callers need not pay for it

    try:
        wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InventoryFileError(
            f"this is not a readable XLSX workbook ({type(exc).__name__}: {exc})"
        ) from exc
    except Exception as exc:  # openpyxl raises assorted errors on corrupt packages
        raise InventoryFileError(f"this is not a readable XLSX workbook ({exc})") from exc
    chosen = None
    for ws in wb.worksheets:
        head = ws.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS, values_only=True)
        if any(len(set(_header_fields(list(r), column_map).values())) >= 2 for r in head):
            chosen = ws
            break
    if chosen is None:
        if not wb.worksheets:
            raise InventoryFileError("the workbook has no worksheets")
        chosen = wb.worksheets[0]
    max_row = getattr(chosen, "max_row", None)

    def rows() -> Iterator[tuple[int, list[object]]]:
        for i, r in enumerate(chosen.iter_rows(values_only=True), start=1):
            yield i, list(r)

    return rows(), max_row, wb


# ----------------------------------------------------------------------------------- parse


class _Validator:
    """Per-row validation with caches for the repetitive text columns (speed)."""

    def __init__(
        self,
        known: Collection[str],
        aliases: Mapping[str, str] | None,
        today: date,
        decimal_comma: bool,
    ) -> None:
        self.known = {k.lower(): k for k in known}
        self.known_list = sorted(self.known.values())
        self.aliases = {_fold(k): v for k, v in (aliases or {}).items()}
        self.today = today
        self.decimal_comma = decimal_comma
        self.group_cache: dict[str, tuple[str | None, str]] = {}
        self.date_cache: dict[str, date | str] = {}

    def product_group(self, raw: str) -> tuple[str | None, str]:
        hit = self.group_cache.get(raw)
        if hit is not None:
            return hit
        key = raw.strip().lower().replace("_", "-").replace(" ", "-")
        code = self.known.get(key) or self.aliases.get(_fold(raw))
        reason = ""
        if code is None:
            close = difflib.get_close_matches(key, self.known_list, n=1, cutoff=0.75)
            hint = f"; did you mean “{close[0]}”?" if close else ""
            reason = f"unknown product group “{raw.strip()}”{hint}"
        result = (code, reason)
        self.group_cache[raw] = result
        return result

    def date(self, raw: object) -> date | str:
        if isinstance(raw, str):
            hit = self.date_cache.get(raw)
            if hit is not None:
                return hit
        try:
            parsed = parse_date(raw)
            out: date | str = parsed
            if not (1900 <= parsed.year <= self.today.year + 200):
                out = f"implausible date {parsed.isoformat()}"
        except ValueError as exc:
            out = str(exc)
        if isinstance(raw, str):
            self.date_cache[raw] = out
        return out


_Q3 = Decimal("0.001")


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_inventory(
    path_or_bytes: str | os.PathLike[str] | bytes,
    filename: str | None = None,
    known_product_groups: Collection[str] = (),
    today: date | None = None,
    *,
    column_map: Mapping[str, str] | None = None,
    product_group_aliases: Mapping[str, str] | None = None,
    on_progress: ProgressCallback | None = None,
) -> InventoryParseResult:
    """Read and validate an inventory. Never raises for bad input: problems are in
    `.errors` (the file is valid iff there are none) and `.warnings`.

    known_product_groups: the catalogue codes; product_group_aliases: optional extra
    spellings (e.g. Dutch/English names) -> code. column_map: the user's column header ->
    template field, for other layouts. on_progress(done_rows, total_rows or None).
    """
    today = today or date.today()
    result = InventoryParseResult()
    name = filename or (
        str(path_or_bytes) if not isinstance(path_or_bytes, bytes | bytearray) else ""
    )
    try:
        _parse(
            path_or_bytes,
            name,
            known_product_groups,
            today,
            column_map or {},
            product_group_aliases,
            on_progress,
            result,
        )
    except InventoryFileError as exc:
        result.rows = []
        result.errors.append(InventoryIssue(exc.row, None, exc.reason))
    return result


def _parse(
    path_or_bytes: str | os.PathLike[str] | bytes,
    name: str,
    known: Collection[str],
    today: date,
    column_map_in: Mapping[str, str],
    aliases: Mapping[str, str] | None,
    on_progress: ProgressCallback | None,
    result: InventoryParseResult,
) -> None:
    column_map: dict[str, str] = {}
    for user_col, fld in column_map_in.items():
        if fld not in TEMPLATE_COLUMNS:
            result.errors.append(
                InventoryIssue(
                    None,
                    user_col,
                    f"column map: “{fld}” is not a template field "
                    f"(use one of {', '.join(TEMPLATE_COLUMNS)})",
                )
            )
            continue
        column_map[_fold(user_col)] = fld
    if result.errors:
        return

    raw = _read_bytes(path_or_bytes)
    if not raw.strip(b" \t\r\n\xef\xbb\xbf"):
        raise InventoryFileError("the file is empty", row=1)
    suffix = Path(name).suffix.lower() if name else ""
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise InventoryFileError(
            "old Excel 97-2003 (.xls) workbooks are not supported: save as .xlsx or CSV"
        )
    workbook = None
    total: int | None
    if raw.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm"):
        if not raw.startswith(b"PK\x03\x04"):
            raise InventoryFileError("the file is named .xlsx but is not an Excel workbook")
        result.format = "xlsx"
        rows_iter, max_row, workbook = _xlsx_rows(raw, column_map)
        total = max_row
        decimal_comma = True
    else:
        result.format = "csv"
        text, result.encoding, notes = _decode(raw)
        for note in notes:
            result.warnings.append(InventoryIssue(None, None, note))
        if text.startswith("\ufeff"):
            text = text[1:]
        delimiter = _sniff_delimiter(text, column_map)
        result.delimiter = delimiter
        decimal_comma = delimiter != ","
        rows_iter = _csv_rows(text, delimiter)
        total = text.count("\n") + (0 if text.endswith("\n") else 1)
    try:
        _validate_rows(
            rows_iter, total, known, aliases, today, decimal_comma, column_map, on_progress, result
        )
    except csv.Error as exc:
        raise InventoryFileError(f"the CSV cannot be read: {exc}") from exc
    finally:
        if workbook is not None:
            workbook.close()


def _validate_rows(
    rows_iter: Iterator[tuple[int, list[Any]]],
    total: int | None,
    known: Collection[str],
    aliases: Mapping[str, str] | None,
    today: date,
    decimal_comma: bool,
    column_map: dict[str, str],
    on_progress: ProgressCallback | None,
    result: InventoryParseResult,
) -> None:
    errors, warnings = result.errors, result.warnings

    # ---- header: the first row (within the first few) that names at least two fields
    header_no, header, fields_at = None, None, {}
    first_nonblank: tuple[int, list[Any]] | None = None
    for row_no, cells in rows_iter:
        if all(_is_blank(c) for c in cells):
            if row_no >= HEADER_SEARCH_ROWS:
                break
            continue
        if first_nonblank is None:
            first_nonblank = (row_no, cells)
        found = _header_fields(cells, column_map)
        if len(set(found.values())) >= 2:
            header_no, header, fields_at = row_no, cells, found
            break
        if row_no >= HEADER_SEARCH_ROWS:
            break
    if header is None:
        if first_nonblank is None:
            raise InventoryFileError("the file is empty", row=1)
        header_no, header = first_nonblank
        fields_at = _header_fields(header, column_map)
        if not fields_at:
            raise InventoryFileError(
                f"no header row with the template columns ({', '.join(TEMPLATE_COLUMNS)}) "
                f"in the first {HEADER_SEARCH_ROWS} rows: is this an inventory file?",
                row=header_no,
            )
    assert header_no is not None
    result.header_row = header_no
    names = ["" if c is None else str(c).strip() for c in header]

    col: dict[str, int] = {}
    for i, fld in fields_at.items():
        if fld in col:
            errors.append(
                InventoryIssue(
                    header_no,
                    names[i],
                    f"columns “{names[col[fld]]}” and “{names[i]}” both mean {fld}; "
                    "rename one or give a column map",
                    fld,
                )
            )
        else:
            col[fld] = i
    result.columns = {fld: names[i] for fld, i in col.items()}
    missing = [f for f in REQUIRED_COLUMNS if f not in col]
    for fld in missing:
        errors.append(
            InventoryIssue(
                header_no,
                fld,
                f"required column {fld} is missing (the header row has: "
                f"{_shorten(', '.join(n for n in names if n) or 'nothing')})",
                fld,
            )
        )
    if missing or errors:
        return
    extras = [n for i, n in enumerate(names) if n and i not in fields_at]
    if extras:
        warnings.append(
            InventoryIssue(header_no, None, "extra columns ignored: " + ", ".join(extras))
        )
    if "hazardous" not in col:
        warnings.append(
            InventoryIssue(
                header_no,
                "hazardous",
                "no hazardous column: every row is recorded as not hazardous",
                "hazardous",
            )
        )

    # ---- data rows
    v = _Validator(known, aliases, today, decimal_comma)
    i_group, i_qty, i_unit = col["product_group"], col["quantity"], col["unit"]
    i_quality = col["quality"]
    i_desc = col.get("description")
    i_mass = col.get("mass_kg_per_unit")
    i_haz = col.get("hazardous")
    i_date = col.get("expected_release_date")
    c_group, c_qty, c_unit = names[i_group], names[i_qty], names[i_unit]
    c_quality = names[i_quality]
    c_desc = names[i_desc] if i_desc is not None else "description"
    c_mass = names[i_mass] if i_mass is not None else "mass_kg_per_unit"
    c_haz = names[i_haz] if i_haz is not None else "hazardous"
    c_date = names[i_date] if i_date is not None else "expected_release_date"
    width = max(col.values()) + 1
    empty_hazard_rows: list[int] = []
    past_date_rows: list[int] = []
    ambiguous_rows: list[tuple[int, str, str]] = []
    truncated_rows: list[int] = []
    rows = result.rows
    unit_cache: dict[str, str | None] = {}
    haz_cache: dict[str, bool | None] = {}
    done = 0
    data_total = None if total is None else max(total - header_no, 0)
    if on_progress:
        on_progress(0, data_total)

    for row_no, cells in rows_iter:
        done += 1
        if on_progress and done % PROGRESS_EVERY == 0:
            on_progress(done, data_total)
        if len(cells) < width:
            cells = cells + [None] * (width - len(cells))
        if all(_is_blank(c) for c in cells):
            continue
        bad = False

        def err(column: str, fld: str, reason: str, _row: int = row_no) -> None:
            errors.append(InventoryIssue(_row, column, reason, fld))

        # product group
        raw = cells[i_group]
        code: str | None = None
        if _is_blank(raw):
            err(c_group, "product_group", "product group is missing")
            bad = True
        else:
            code, reason = v.product_group(str(raw))
            if code is None:
                err(c_group, "product_group", reason)
                bad = True

        # unit
        raw = cells[i_unit]
        unit: str | None = None
        if _is_blank(raw):
            err(c_unit, "unit", "unit is missing (use piece, m, m2, m3, kg or t)")
            bad = True
        else:
            key = str(raw)
            if key in unit_cache:
                unit = unit_cache[key]
            else:
                unit = unit_cache[key] = normalise_unit(key)
            if unit is None:
                err(c_unit, "unit", f"unknown unit “{key.strip()}” (use piece, m, m2, m3, kg or t)")
                bad = True

        # quantity
        raw = cells[i_qty]
        qty: Decimal | None = None
        if _is_blank(raw):
            err(c_qty, "quantity", "quantity is missing")
            bad = True
        else:
            try:
                qty, amb = _to_decimal(raw, decimal_comma)
                if amb:
                    ambiguous_rows.append((row_no, c_qty, str(raw).strip()))
                if qty <= 0:
                    err(c_qty, "quantity", f"quantity must be more than zero (got {raw})")
                    bad, qty = True, None
                elif qty >= MAX_VALUE:
                    err(c_qty, "quantity", f"quantity {raw} is implausibly large")
                    bad, qty = True, None
                elif unit == "piece" and qty != qty.to_integral_value():
                    hint = ""
                    if amb:
                        ambiguous_rows.pop()
                        hint = f"; write {str(raw).strip().replace('.', '').replace(',', '')}"
                        hint += " if you meant a whole number with a thousands separator"
                    err(c_qty, "quantity", f"pieces are counted in whole numbers (got {raw}{hint})")
                    bad, qty = True, None
                else:
                    if unit == "piece":
                        qty = qty.to_integral_value()
                    elif qty.as_tuple().exponent < -3:  # type: ignore[operator]
                        qty = qty.quantize(_Q3, ROUND_HALF_UP)
                        if qty == 0:
                            err(c_qty, "quantity", f"quantity {raw} rounds to zero")
                            bad, qty = True, None
            except ValueError as exc:
                err(c_qty, "quantity", f"quantity: {exc}")
                bad = True

        # mass per unit
        raw = cells[i_mass] if i_mass is not None else None
        mass: Decimal | None = None
        if _is_blank(raw):
            if unit == "kg":
                mass = Decimal(1)
            elif unit == "t":
                mass = Decimal(1000)
            elif unit is not None:
                err(
                    c_mass,
                    "mass_kg_per_unit",
                    f"mass per unit (kg) is missing; needed for unit {unit}",
                )
                bad = True
        else:
            try:
                mass, amb = _to_decimal(raw, decimal_comma)
                if amb:
                    ambiguous_rows.append((row_no, c_mass, str(raw).strip()))
                if mass <= 0:
                    err(
                        c_mass,
                        "mass_kg_per_unit",
                        f"mass per unit must be more than zero (got {raw})",
                    )
                    bad, mass = True, None
                elif mass >= MAX_VALUE:
                    err(c_mass, "mass_kg_per_unit", f"mass per unit {raw} is implausibly large")
                    bad, mass = True, None
                else:
                    if mass.as_tuple().exponent < -3:  # type: ignore[operator]
                        mass = mass.quantize(_Q3, ROUND_HALF_UP)
                    expected = {"kg": 1, "t": 1000}.get(unit or "")
                    if expected is not None and mass != expected:
                        err(
                            c_mass,
                            "mass_kg_per_unit",
                            f"for unit {unit} the mass per unit is {expected} kg, not {raw} "
                            "(leave it empty)",
                        )
                        bad, mass = True, None
                    elif mass == 0:
                        err(c_mass, "mass_kg_per_unit", f"mass per unit {raw} rounds to zero")
                        bad, mass = True, None
            except ValueError as exc:
                err(c_mass, "mass_kg_per_unit", f"mass per unit: {exc}")
                bad = True

        # quality
        raw = cells[i_quality]
        quality: str | None = None
        if _is_blank(raw):
            err(c_quality, "quality", "quality is missing (A, B or C)")
            bad = True
        else:
            key = str(raw).strip().upper()
            if key.endswith(".0"):
                key = key[:-2]
            quality = _QUALITY.get(key)
            if quality is None:
                err(c_quality, "quality", f"quality must be A, B or C (got “{str(raw).strip()}”)")
                bad = True

        # hazardous
        hazardous = False
        raw = cells[i_haz] if i_haz is not None else None
        if _is_blank(raw):
            if i_haz is not None:
                empty_hazard_rows.append(row_no)
        elif isinstance(raw, bool):
            hazardous = raw
        else:
            key = str(raw)
            if key in haz_cache:
                h = haz_cache[key]
            else:
                k = key.strip().lower()
                h = haz_cache[key] = True if k in _TRUE else False if k in _FALSE else None
            if h is None:
                err(
                    c_haz,
                    "hazardous",
                    f"hazardous must be ja/nee, yes/no, true/false or 1/0 (got “{key.strip()}”)",
                )
                bad = True
            else:
                hazardous = h

        # expected release date
        raw = cells[i_date] if i_date is not None else None
        release: date | None = None
        if not _is_blank(raw):
            d = v.date(raw)
            if isinstance(d, str):
                err(c_date, "expected_release_date", f"expected release date: {d}")
                bad = True
            else:
                release = d
                if d < today:
                    past_date_rows.append(row_no)

        # description
        raw = cells[i_desc] if i_desc is not None else None
        desc = "" if raw is None else str(raw).strip()
        if len(desc) > MAX_DESCRIPTION:
            desc = desc[: MAX_DESCRIPTION - 1] + "…"
            truncated_rows.append(row_no)

        if not bad:
            rows.append(
                InventoryRow(
                    row_number=row_no,
                    product_group=code,  # type: ignore[arg-type]
                    description=desc,
                    quantity=qty,  # type: ignore[arg-type]
                    unit=unit,  # type: ignore[arg-type]
                    mass_kg_per_unit=mass,  # type: ignore[arg-type]
                    quality=quality,  # type: ignore[arg-type]
                    hazardous=hazardous,
                    expected_release_date=release,
                )
            )
    if on_progress:
        on_progress(done, done)

    if not rows and not errors:
        errors.append(InventoryIssue(header_no + 1, None, "the file has a header but no data rows"))
    if errors:
        rows.clear()  # all or nothing: a file with errors yields no rows
    if empty_hazard_rows:
        warnings.append(
            InventoryIssue(
                None,
                c_haz,
                f"hazardous left empty in {len(empty_hazard_rows)} row(s) "
                f"({_row_list(empty_hazard_rows)}): recorded as not hazardous",
                "hazardous",
            )
        )
    if past_date_rows:
        warnings.append(
            InventoryIssue(
                None,
                c_date,
                f"expected release date lies before {today.isoformat()} in "
                f"{len(past_date_rows)} row(s) ({_row_list(past_date_rows)})",
                "expected_release_date",
            )
        )
    for row_no, column, text in ambiguous_rows[:20]:
        warnings.append(
            InventoryIssue(
                row_no,
                column,
                f"“{text}” was read as {parse_decimal(text, decimal_comma)[0]} "
                "(a single separator is a decimal separator); write it without "
                "thousands separators if you meant otherwise",
            )
        )
    if len(ambiguous_rows) > 20:
        warnings.append(
            InventoryIssue(None, None, f"{len(ambiguous_rows) - 20} more ambiguous numbers")
        )
    if truncated_rows:
        warnings.append(
            InventoryIssue(
                None,
                c_desc,
                f"description longer than {MAX_DESCRIPTION} characters shortened in "
                f"{len(truncated_rows)} row(s) ({_row_list(truncated_rows)})",
                "description",
            )
        )


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _row_list(rows: list[int], limit: int = 10) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    return (
        ("row " if len(rows) == 1 else "rows ")
        + shown
        + (f" and {len(rows) - limit} more" if len(rows) > limit else "")
    )


# -------------------------------------------------------------------------------- template

TEMPLATE_EXAMPLE: dict[str, Any] = {
    "product_group": "window-frames-timber",
    "description": "Houten kozijn, eiken – begane grond",
    "quantity": 12,
    "unit": "piece",
    "mass_kg_per_unit": Decimal("45.5"),
    "quality": "B",
    "hazardous": "nee",
    "expected_release_date": date(2030, 6, 1),
}

TEMPLATE_HELP: tuple[tuple[str, str], ...] = (
    ("product_group", "catalogue code, e.g. bricks-clay, steel-beams, doors-interior (required)"),
    ("description", "free text (optional, at most 300 characters)"),
    ("quantity", "more than zero; whole numbers for unit piece; decimal comma or point"),
    ("unit", "piece, m, m2, m3, kg or t (stuks, st, m1, m², m³, ton also accepted)"),
    ("mass_kg_per_unit", "kg per unit; required except for unit kg and t"),
    ("quality", "A (as new), B (good, minor damage) or C (usable after repair)"),
    ("hazardous", "ja/nee, yes/no, true/false or 1/0; empty counts as nee"),
    ("expected_release_date", "yyyy-mm-dd or dd-mm-yyyy (optional)"),
)


def write_inventory_template(path: str | os.PathLike[str], fmt: str = "csv") -> Path:
    """Write the downloadable template: header + one example row. CSV is semicolon-separated
    UTF-8 with BOM and a decimal comma, so Dutch Excel opens it in columns; XLSX adds
    drop-down lists and a second sheet explaining the columns."""
    out = Path(path)
    # The example's release date lies ahead, so the template itself raises no warning.
    ex = {**TEMPLATE_EXAMPLE, "expected_release_date": date(date.today().year + 1, 6, 1)}
    if fmt == "csv":
        values = [
            ex["product_group"],
            ex["description"],
            str(ex["quantity"]),
            ex["unit"],
            str(ex["mass_kg_per_unit"]).replace(".", ","),
            ex["quality"],
            ex["hazardous"],
            ex["expected_release_date"].isoformat(),
        ]
        with open(out, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, delimiter=";")
            writer.writerow(TEMPLATE_COLUMNS)
            writer.writerow(values)
        return out
    if fmt != "xlsx":
        raise ValueError(f"unknown template format {fmt!r} (csv or xlsx)")
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "inventory"
    ws.append(list(TEMPLATE_COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.append([ex[c] for c in TEMPLATE_COLUMNS])
    ws["H2"].number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGH", (24, 40, 10, 8, 18, 9, 11, 22), strict=True):
        ws.column_dimensions[letter].width = width
    for rng, options in (
        ("D2:D100000", UNITS),
        ("F2:F100000", QUALITIES),
        ("G2:G100000", ("ja", "nee")),
    ):
        dv = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
        ws.add_data_validation(dv)
        dv.add(rng)
    help_ws = wb.create_sheet("toelichting")
    help_ws.append(["column", "meaning"])
    for row in TEMPLATE_HELP:
        help_ws.append(list(row))
    help_ws.column_dimensions["A"].width = 24
    help_ws.column_dimensions["B"].width = 90
    wb.save(out)
    return out
