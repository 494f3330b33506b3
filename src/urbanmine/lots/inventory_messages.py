"""Inventory import issues in the interface's language: one gettext message per issue code
of the engine (`engine.inventory.ISSUE_TEMPLATES`, the English text word for word), so the
import page reads Dutch by default. A test keeps both catalogues in step."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from urbanmine.engine.inventory import InventoryIssue

MESSAGES = {
    "file_unreadable": _("cannot read the file: %(detail)s"),
    "file_empty": _("the file is empty"),
    "xls_not_supported": _(
        "old Excel 97-2003 (.xls) workbooks are not supported: save as .xlsx or CSV"
    ),
    "xlsx_misnamed": _("the file is named .xlsx but is not an Excel workbook"),
    "xlsx_unreadable": _("this is not a readable XLSX workbook (%(error_type)s: %(detail)s)"),
    "xlsx_corrupt": _("this is not a readable XLSX workbook (%(detail)s)"),
    "xlsx_no_worksheets": _("the workbook has no worksheets"),
    "utf16_invalid": _("invalid UTF-16 text: %(detail)s"),
    "binary_file": _(
        "this is a binary file, not a CSV or XLSX inventory (save it as .xlsx or CSV)"
    ),
    "binary_content": _("this is a binary file, not a CSV or XLSX inventory"),
    "unknown_encoding": _(
        "byte 0x%(byte)s is neither UTF-8 nor Windows-1252: unknown encoding (save the file as 'CSV UTF-8')"
    ),
    "mixed_encodings": _(
        "the file mixes encodings (not valid UTF-8 from row %(row)s); it was read as Windows-1252, so some accented characters may look wrong"
    ),
    "csv_unreadable": _("the CSV cannot be read: %(detail)s"),
    "too_many_rows": _(
        "the file has more than %(max_rows)s rows below the header (blank rows included): split it into smaller files"
    ),
    "time_limit_exceeded": _(
        "reading the file took longer than the limit of %(seconds)s seconds: split it into smaller files"
    ),
    "column_map_unknown_field": _(
        "column map: “%(field)s” is not a template field (use one of %(fields)s)"
    ),
    "no_header_row": _(
        "no header row with the template columns (%(columns)s) in the first %(search_rows)s rows: is this an inventory file?"
    ),
    "duplicate_column": _(
        "columns “%(first)s” and “%(second)s” both mean %(field)s; rename one or give a column map"
    ),
    "required_column_missing": _(
        "required column %(field)s is missing (the header row has: %(header_columns)s)"
    ),
    "extra_columns_ignored": _("extra columns ignored: %(columns)s"),
    "no_hazardous_column": _("no hazardous column: every row is recorded as not hazardous"),
    "no_data_rows": _("the file has a header but no data rows"),
    "product_group_missing": _("product group is missing"),
    "product_group_unknown": _("unknown product group “%(value)s”"),
    "product_group_unknown_suggestion": _(
        "unknown product group “%(value)s”; did you mean “%(suggestion)s”?"
    ),
    "unit_missing": _("unit is missing (use piece, m, m2, m3, kg or t)"),
    "unit_unknown": _("unknown unit “%(value)s” (use piece, m, m2, m3, kg or t)"),
    "quantity_missing": _("quantity is missing"),
    "quantity_empty": _("quantity: empty"),
    "quantity_not_a_number": _("quantity: “%(value)s” is not a number"),
    "quantity_mixed_separators": _("quantity: “%(value)s” is not a number (mixed separators)"),
    "quantity_not_finite": _("quantity: not a finite number"),
    "quantity_is_a_date": _("quantity: a date (%(date)s) where a number is expected"),
    "quantity_not_positive": _("quantity must be more than zero (got %(value)s)"),
    "quantity_too_large": _("quantity %(value)s is implausibly large"),
    "quantity_not_whole": _("pieces are counted in whole numbers (got %(value)s)"),
    "quantity_not_whole_thousands": _(
        "pieces are counted in whole numbers (got %(value)s; write %(whole)s if you meant a whole number with a thousands separator)"
    ),
    "quantity_rounds_to_zero": _("quantity %(value)s rounds to zero"),
    "mass_missing": _("mass per unit (kg) is missing; needed for unit %(unit)s"),
    "mass_empty": _("mass per unit: empty"),
    "mass_not_a_number": _("mass per unit: “%(value)s” is not a number"),
    "mass_mixed_separators": _("mass per unit: “%(value)s” is not a number (mixed separators)"),
    "mass_not_finite": _("mass per unit: not a finite number"),
    "mass_is_a_date": _("mass per unit: a date (%(date)s) where a number is expected"),
    "mass_not_positive": _("mass per unit must be more than zero (got %(value)s)"),
    "mass_too_large": _("mass per unit %(value)s is implausibly large"),
    "mass_fixed_by_unit": _(
        "for unit %(unit)s the mass per unit is %(expected)s kg, not %(value)s (leave it empty)"
    ),
    "mass_rounds_to_zero": _("mass per unit %(value)s rounds to zero"),
    "mass_implausible": _(
        "mass per unit %(value)s kg is implausible for %(product_group)s in unit %(unit)s (expected %(low)s to %(high)s kg)"
    ),
    "lot_mass_too_large": _(
        "%(quantity)s %(unit)s × %(value)s kg is %(mass_t)s t, more than the %(max_t)s t one line may hold: split it into several lines"
    ),
    "quality_missing": _("quality is missing (A, B or C)"),
    "quality_invalid": _("quality must be A, B or C (got “%(value)s”)"),
    "hazardous_invalid": _("hazardous must be ja/nee, yes/no, true/false or 1/0 (got “%(value)s”)"),
    "release_date_not_a_date": _(
        "expected release date: “%(value)s” is not a date (use yyyy-mm-dd or dd-mm-yyyy)"
    ),
    "release_date_not_an_existing_date": _(
        "expected release date: “%(value)s” is not an existing date"
    ),
    "release_date_implausible": _("expected release date: implausible date %(date)s"),
    "hazardous_empty": _(
        "hazardous left empty in %(count)s row(s) (%(rows)s): recorded as not hazardous"
    ),
    "release_date_in_past": _(
        "expected release date lies before %(today)s in %(count)s row(s) (%(rows)s)"
    ),
    "ambiguous_number": _(
        "“%(value)s” was read as %(read_as)s (a single separator is a decimal separator); write it without thousands separators if you meant otherwise"
    ),
    "more_ambiguous_numbers": _("%(count)s more ambiguous numbers"),
    "description_shortened": _(
        "description longer than %(max_length)s characters shortened in %(count)s row(s) (%(rows)s)"
    ),
}


def issue_text(issue: InventoryIssue) -> str:
    """The issue in the active language; the engine's English when it has no code."""
    message = MESSAGES.get(issue.code)
    if message is None:
        return issue.reason
    try:
        return str(message) % issue.params
    except (KeyError, TypeError, ValueError):  # a translation with a broken placeholder
        return issue.reason
