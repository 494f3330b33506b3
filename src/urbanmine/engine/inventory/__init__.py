"""Parse and validate an inventory file (CSV or XLSX) into clean rows, or clear errors.

Pure Python (no Django): the `import-inventory` command and the web upload both call
`parse_inventory`; storing the rows is the caller's business. Every problem is reported as
an `InventoryIssue` naming the row *as the user sees it in the file* (header = row 1 when it
is the first row), the column as the file spells it, and the reason, plus a stable `code`
and `params` (see `ISSUE_TEMPLATES`) so the platform can translate it; parsing never stops
at the first bad row, so one upload shows the user everything to fix.

The modules, in the order a file goes through them:

* `reader`: bytes -> decoded text -> numbered rows (CSV and XLSX).
* `columns`: header recognition, English/Dutch aliases, the user's column map.
* `fields`: one parser per template column; `values`: numbers, dates, units, yes/no.
* `validate`: the row loop and the checks and warnings that span rows.
* `issues`: the issue type and its message catalogue; `template`: the downloadable template.
* `bounds`: the plausible mass per unit of a product group and the maximum mass of a line
  (the platform's writes and matching use the same functions); `limits`: the most rows and
  the time budget of one parse.

Decisions (documented here because users will ask; per-column rules are in `fields`):

* Numbers: decimal point or comma; thousands separators only in unambiguous, correctly
  grouped forms (1.234,5 / 1,234.5 / 1.234.567 / 1 234,5). A lone separator is the decimal
  separator ("1,5" and "1.5" are 1.5); "1.234" in a semicolon (Dutch) file is read as 1.234
  with a warning.
* Dates: ISO (2026-09-01, also with a time), dd-mm-yyyy, dd/mm/yyyy, dd.mm.yyyy, real
  spreadsheet dates.
* Encodings: UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252; delimiters:
  semicolon, comma or tab (see `reader`).
* Limits (`limits`): at most 200,000 rows below the header by default, and a deadline when
  the caller gives one; a file past either is refused as a whole.
* Masses (`bounds`): a row's mass per unit must lie in its product group's band (when the
  caller passes the catalogue's masses), and quantity x mass per unit at most 100,000 t.
"""

from __future__ import annotations

from .bounds import (
    FIXED_MASS_KG,
    MAX_LOT_MASS_KG,
    OTHER_UNIT_FACTOR,
    SAME_UNIT_FACTOR,
    MassBand,
    MassProblem,
    MassReference,
    mass_band,
    mass_problem,
    tonnes,
)
from .columns import HEADER_ALIASES, HEADER_SEARCH_ROWS
from .fields import (
    MAX_DESCRIPTION,
    MAX_VALUE,
    ParseContext,
    ProductGroups,
    parse_description,
    parse_expected_release_date,
    parse_hazardous,
    parse_mass_kg_per_unit,
    parse_product_group,
    parse_quality,
    parse_quantity,
    parse_unit,
)
from .issues import (
    ISSUE_TEMPLATES,
    VALUE_ERROR_TEMPLATES,
    InventoryFileError,
    InventoryIssue,
    IssueParams,
)
from .limits import MAX_ROWS, InventoryLimits
from .parse import count_rows, parse_inventory
from .result import InventoryParseResult, InventoryRow
from .template import (
    REQUIRED_COLUMNS,
    TEMPLATE_COLUMNS,
    TEMPLATE_EXAMPLE,
    TEMPLATE_HELP,
    write_inventory_template,
)
from .validate import PROGRESS_EVERY, ProgressCallback
from .values import (
    FORMULA_PREFIXES,
    QUALITIES,
    UNIT_ALIASES,
    UNITS,
    ValueParseError,
    normalise_unit,
    parse_date,
    parse_decimal,
    strip_export_quote,
)

__all__ = [
    "count_rows",
    "FIXED_MASS_KG",
    "FORMULA_PREFIXES",
    "HEADER_ALIASES",
    "HEADER_SEARCH_ROWS",
    "ISSUE_TEMPLATES",
    "MAX_DESCRIPTION",
    "MAX_LOT_MASS_KG",
    "MAX_ROWS",
    "MAX_VALUE",
    "OTHER_UNIT_FACTOR",
    "PROGRESS_EVERY",
    "QUALITIES",
    "REQUIRED_COLUMNS",
    "SAME_UNIT_FACTOR",
    "TEMPLATE_COLUMNS",
    "TEMPLATE_EXAMPLE",
    "TEMPLATE_HELP",
    "UNITS",
    "UNIT_ALIASES",
    "VALUE_ERROR_TEMPLATES",
    "InventoryFileError",
    "InventoryIssue",
    "InventoryLimits",
    "InventoryParseResult",
    "InventoryRow",
    "IssueParams",
    "MassBand",
    "MassProblem",
    "MassReference",
    "ParseContext",
    "ProductGroups",
    "ProgressCallback",
    "ValueParseError",
    "mass_band",
    "mass_problem",
    "normalise_unit",
    "parse_date",
    "parse_decimal",
    "parse_description",
    "parse_expected_release_date",
    "parse_hazardous",
    "parse_inventory",
    "parse_mass_kg_per_unit",
    "parse_product_group",
    "parse_quality",
    "parse_quantity",
    "parse_unit",
    "strip_export_quote",
    "tonnes",
    "write_inventory_template",
]
