"""Inventory issues (errors and warnings) and the catalogue of their English messages.

Every issue carries a stable `code` and the `params` its message needs, so the platform can
show it in the user's language; `reason` is the English text, always exactly
`ISSUE_TEMPLATES[code] % params`. The templates use `%(name)s` placeholders (gettext's
python-format), so a translation is the same template in another language.
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass
from typing import Any

IssueParams = dict[str, str | int | float]

# fmt: off
#: code -> English template. Codes are stable identifiers: add new ones, never rename.
ISSUE_TEMPLATES: dict[str, str] = {
    # ---- the file as a whole (errors, except mixed_encodings)
    "file_unreadable": "cannot read the file: %(detail)s",
    "file_empty": "the file is empty",
    "xls_not_supported":
        "old Excel 97-2003 (.xls) workbooks are not supported: save as .xlsx or CSV",
    "xlsx_misnamed": "the file is named .xlsx but is not an Excel workbook",
    "xlsx_unreadable": "this is not a readable XLSX workbook (%(error_type)s: %(detail)s)",
    "xlsx_corrupt": "this is not a readable XLSX workbook (%(detail)s)",
    "xlsx_no_worksheets": "the workbook has no worksheets",
    "utf16_invalid": "invalid UTF-16 text: %(detail)s",
    "binary_file":
        "this is a binary file, not a CSV or XLSX inventory (save it as .xlsx or CSV)",
    "binary_content": "this is a binary file, not a CSV or XLSX inventory",
    "unknown_encoding":
        "byte 0x%(byte)s is neither UTF-8 nor Windows-1252: unknown encoding "
        "(save the file as 'CSV UTF-8')",
    "mixed_encodings":
        "the file mixes encodings (not valid UTF-8 from row %(row)s); it was read as "
        "Windows-1252, so some accented characters may look wrong",
    "csv_unreadable": "the CSV cannot be read: %(detail)s",
    "too_many_rows":
        "the file has more than %(max_rows)s rows below the header (blank rows included): "
        "split it into smaller files",
    "time_limit_exceeded":
        "reading the file took longer than the limit of %(seconds)s seconds: "
        "split it into smaller files",
    # ---- header and columns (warnings: extra_columns_ignored, no_hazardous_column)
    "column_map_unknown_field":
        "column map: “%(field)s” is not a template field (use one of %(fields)s)",
    "no_header_row":
        "no header row with the template columns (%(columns)s) in the first "
        "%(search_rows)s rows: is this an inventory file?",
    "duplicate_column":
        "columns “%(first)s” and “%(second)s” both mean %(field)s; "
        "rename one or give a column map",
    "required_column_missing":
        "required column %(field)s is missing (the header row has: %(header_columns)s)",
    "extra_columns_ignored": "extra columns ignored: %(columns)s",
    "no_hazardous_column": "no hazardous column: every row is recorded as not hazardous",
    "no_data_rows": "the file has a header but no data rows",
    # ---- product_group
    "product_group_missing": "product group is missing",
    "product_group_unknown": "unknown product group “%(value)s”",
    "product_group_unknown_suggestion":
        "unknown product group “%(value)s”; did you mean “%(suggestion)s”?",
    # ---- unit
    "unit_missing": "unit is missing (use piece, m, m2, m3, kg or t)",
    "unit_unknown": "unknown unit “%(value)s” (use piece, m, m2, m3, kg or t)",
    # ---- quantity
    "quantity_missing": "quantity is missing",
    "quantity_empty": "quantity: empty",
    "quantity_not_a_number": "quantity: “%(value)s” is not a number",
    "quantity_mixed_separators": "quantity: “%(value)s” is not a number (mixed separators)",
    "quantity_not_finite": "quantity: not a finite number",
    "quantity_is_a_date": "quantity: a date (%(date)s) where a number is expected",
    "quantity_not_positive": "quantity must be more than zero (got %(value)s)",
    "quantity_too_large": "quantity %(value)s is implausibly large",
    "quantity_not_whole": "pieces are counted in whole numbers (got %(value)s)",
    "quantity_not_whole_thousands":
        "pieces are counted in whole numbers (got %(value)s; write %(whole)s "
        "if you meant a whole number with a thousands separator)",
    "quantity_rounds_to_zero": "quantity %(value)s rounds to zero",
    # ---- mass_kg_per_unit
    "mass_missing": "mass per unit (kg) is missing; needed for unit %(unit)s",
    "mass_empty": "mass per unit: empty",
    "mass_not_a_number": "mass per unit: “%(value)s” is not a number",
    "mass_mixed_separators": "mass per unit: “%(value)s” is not a number (mixed separators)",
    "mass_not_finite": "mass per unit: not a finite number",
    "mass_is_a_date": "mass per unit: a date (%(date)s) where a number is expected",
    "mass_not_positive": "mass per unit must be more than zero (got %(value)s)",
    "mass_too_large": "mass per unit %(value)s is implausibly large",
    "mass_fixed_by_unit":
        "for unit %(unit)s the mass per unit is %(expected)s kg, not %(value)s (leave it empty)",
    "mass_rounds_to_zero": "mass per unit %(value)s rounds to zero",
    "mass_implausible":
        "mass per unit %(value)s kg is implausible for %(product_group)s in unit %(unit)s "
        "(expected %(low)s to %(high)s kg)",
    # ---- quantity x mass per unit
    "lot_mass_too_large":
        "%(quantity)s %(unit)s × %(value)s kg is %(mass_t)s t, more than the %(max_t)s t "
        "one line may hold: split it into several lines",
    # ---- quality, hazardous
    "quality_missing": "quality is missing (A, B or C)",
    "quality_invalid": "quality must be A, B or C (got “%(value)s”)",
    "hazardous_invalid":
        "hazardous must be ja/nee, yes/no, true/false or 1/0 (got “%(value)s”)",
    # ---- expected_release_date
    "release_date_not_a_date":
        "expected release date: “%(value)s” is not a date (use yyyy-mm-dd or dd-mm-yyyy)",
    "release_date_not_an_existing_date":
        "expected release date: “%(value)s” is not an existing date",
    "release_date_implausible": "expected release date: implausible date %(date)s",
    # ---- warnings summarising many rows (rows: "row 7" / "rows 7, 9 and 3 more")
    "hazardous_empty":
        "hazardous left empty in %(count)s row(s) (%(rows)s): recorded as not hazardous",
    "release_date_in_past":
        "expected release date lies before %(today)s in %(count)s row(s) (%(rows)s)",
    "ambiguous_number":
        "“%(value)s” was read as %(read_as)s (a single separator is a decimal separator); "
        "write it without thousands separators if you meant otherwise",
    "more_ambiguous_numbers": "%(count)s more ambiguous numbers",
    "description_shortened":
        "description longer than %(max_length)s characters shortened in %(count)s row(s) "
        "(%(rows)s)",
}

#: Why a single cell value cannot be read (`ValueParseError.kind` -> message). The column
#: parsers report these as `<column prefix>_<kind>` codes whose templates above are these
#: messages behind the column's prefix ("quantity: ", "mass per unit: ", ...).
VALUE_ERROR_TEMPLATES: dict[str, str] = {
    "empty": "empty",
    "not_a_number": "“%(value)s” is not a number",
    "mixed_separators": "“%(value)s” is not a number (mixed separators)",
    "not_finite": "not a finite number",
    "is_a_date": "a date (%(date)s) where a number is expected",
    "not_a_date": "“%(value)s” is not a date (use yyyy-mm-dd or dd-mm-yyyy)",
    "not_an_existing_date": "“%(value)s” is not an existing date",
}
# fmt: on


def render(code: str, params: IssueParams) -> str:
    """The English reason; a KeyError here means a code missing from the catalogue."""
    return ISSUE_TEMPLATES[code] % params


@dataclass(slots=True)
class InventoryIssue:
    """An error or warning: row (as numbered in the file; None = whole file), column (as the
    file names it, or the template field when the column is missing), the English reason,
    and code + params to translate it. Issues made outside the parser may have no code."""

    row: int | None
    column: str | None
    reason: str
    field: str | None = None
    code: str = ""
    # `dataclasses.field`: the name `field` is taken by the attribute above.
    params: IssueParams = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        return (", ".join(where) + ": " if where else "") + self.reason


def issue(
    code: str,
    row: int | None = None,
    column: str | None = None,
    fld: str | None = None,
    /,
    **params: str | int | float,
) -> InventoryIssue:
    """An issue from the catalogue (positional-only, so a param may be called `row`)."""
    return InventoryIssue(row, column, render(code, params), fld, code, params)


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a cell value was refused, before it is tied to a row and column (cacheable)."""

    code: str
    params: IssueParams


class InventoryFileError(Exception):
    """The file as a whole cannot be read (empty, binary, encoding); raised internally and
    turned into a single error issue."""

    def __init__(
        self,
        reason: str,
        row: int | None = None,
        *,
        code: str = "",
        params: IssueParams | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.row = row
        self.code = code
        self.params: IssueParams = params or {}

    @classmethod
    def from_code(
        cls, code: str, row: int | None = None, /, **params: str | int | float
    ) -> InventoryFileError:
        return cls(render(code, params), row, code=code, params=params)

    def to_issue(self) -> InventoryIssue:
        return InventoryIssue(self.row, None, self.reason, None, self.code, self.params)
