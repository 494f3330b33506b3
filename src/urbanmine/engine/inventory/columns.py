"""Recognising the header: aliases for the template columns, the user's column map, the
header row search, and the layout (which cell holds which field) the row parsers use.

Headers are matched case-, accent-, space- and punctuation-insensitively against English
and Dutch aliases; `column_map` overrides. Extra columns are ignored (one warning). The
header may follow a few title rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .issues import InventoryFileError, InventoryIssue, issue
from .result import InventoryParseResult
from .template import REQUIRED_COLUMNS, TEMPLATE_COLUMNS
from .values import fold, is_blank

#: The header is looked for in this many rows at the top of the file.
HEADER_SEARCH_ROWS = 20

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
    fold(alias): fld for fld, aliases in _HEADER_ALIASES.items() for alias in aliases
}


def fold_column_map(column_map: Mapping[str, str], errors: list[InventoryIssue]) -> dict[str, str]:
    """The user's column map keyed like the aliases; unknown target fields become errors."""
    folded: dict[str, str] = {}
    for user_col, target in column_map.items():
        fld = HEADER_ALIASES.get(fold(target), target)  # "productgroep" names product_group
        if fld not in TEMPLATE_COLUMNS:
            errors.append(
                issue(
                    "column_map_unknown_field",
                    None,
                    user_col,
                    None,
                    field=fld,
                    fields=", ".join(TEMPLATE_COLUMNS),
                )
            )
            continue
        folded[fold(user_col)] = fld
    return folded


def header_fields(cells: list[object], column_map: Mapping[str, str]) -> dict[int, str]:
    """Column index -> template field for a candidate header row."""
    out: dict[int, str] = {}
    for i, cell in enumerate(cells):
        if cell is None:
            continue
        key = fold(str(cell))
        if not key:
            continue
        fld = column_map.get(key) or HEADER_ALIASES.get(key)
        if fld:
            out[i] = fld
    return out


def recognised_fields(cells: list[object], column_map: Mapping[str, str]) -> int:
    """How many different template fields a row names (a header names at least two)."""
    return len(set(header_fields(cells, column_map).values()))


@dataclass(slots=True)
class Header:
    """The header row: its number in the file, its cells, and the fields they name."""

    row: int
    cells: list[Any]
    #: column index -> template field
    fields_at: dict[int, str]

    @property
    def names(self) -> list[str]:
        """The column names as the file spells them."""
        return ["" if c is None else str(c).strip() for c in self.cells]


def find_header(rows: Iterator[tuple[int, list[Any]]], column_map: Mapping[str, str]) -> Header:
    """The first row (within the first few) that names at least two fields, else the first
    non-blank row if it names one. Consumes `rows` up to and including the header."""
    first_nonblank: tuple[int, list[Any]] | None = None
    for row_no, cells in rows:
        if all(is_blank(c) for c in cells):
            if row_no >= HEADER_SEARCH_ROWS:
                break
            continue
        if first_nonblank is None:
            first_nonblank = (row_no, cells)
        found = header_fields(cells, column_map)
        if len(set(found.values())) >= 2:
            return Header(row_no, cells, found)
        if row_no >= HEADER_SEARCH_ROWS:
            break
    if first_nonblank is None:
        raise InventoryFileError.from_code("file_empty", 1)
    row_no, cells = first_nonblank
    found = header_fields(cells, column_map)
    if not found:
        raise InventoryFileError.from_code(
            "no_header_row",
            row_no,
            columns=", ".join(TEMPLATE_COLUMNS),
            search_rows=HEADER_SEARCH_ROWS,
        )
    return Header(row_no, cells, found)


@dataclass(frozen=True, slots=True)
class ColumnLayout:
    """Where each field sits in a data row; None for an optional column the file lacks."""

    product_group: int
    quantity: int
    unit: int
    quality: int
    description: int | None
    mass_kg_per_unit: int | None
    hazardous: int | None
    expected_release_date: int | None

    #: cells a row needs so that every index above is valid (short rows are padded)
    width: int


def resolve_columns(header: Header, result: InventoryParseResult) -> ColumnLayout | None:
    """Map fields to columns, reporting duplicate and missing columns as errors (then None:
    the rows cannot be read) and ignored or absent optional columns as warnings."""
    names = header.names
    col: dict[str, int] = {}
    for i, fld in header.fields_at.items():
        if fld in col:
            result.errors.append(
                issue(
                    "duplicate_column",
                    header.row,
                    names[i],
                    fld,
                    first=names[col[fld]],
                    second=names[i],
                    field=fld,
                )
            )
        else:
            col[fld] = i
    result.columns = {fld: names[i] for fld, i in col.items()}
    missing = [f for f in REQUIRED_COLUMNS if f not in col]
    listed = _shorten(", ".join(n for n in names if n) or "nothing")
    for fld in missing:
        result.errors.append(
            issue("required_column_missing", header.row, fld, fld, field=fld, header_columns=listed)
        )
    if missing or result.errors:
        return None
    _warn_about_optional_columns(header, col, result.warnings)
    return ColumnLayout(
        product_group=col["product_group"],
        quantity=col["quantity"],
        unit=col["unit"],
        quality=col["quality"],
        description=col.get("description"),
        mass_kg_per_unit=col.get("mass_kg_per_unit"),
        hazardous=col.get("hazardous"),
        expected_release_date=col.get("expected_release_date"),
        width=max(col.values()) + 1,
    )


def _warn_about_optional_columns(
    header: Header, col: dict[str, int], warnings: list[InventoryIssue]
) -> None:
    extras = [n for i, n in enumerate(header.names) if n and i not in header.fields_at]
    if extras:
        warnings.append(
            issue("extra_columns_ignored", header.row, None, None, columns=", ".join(extras))
        )
    if "hazardous" not in col:
        warnings.append(issue("no_hazardous_column", header.row, "hazardous", "hazardous"))


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
