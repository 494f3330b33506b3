"""Spreadsheet exports that cannot run code: every text cell of every CSV and XLSX the
platform writes goes through `safe_cell`.

A spreadsheet reads a cell starting with =, +, -, @, a tab or a carriage return as a
formula: a lot's description `=HYPERLINK("http://evil", "Klik")` in the public supply CSV
would run in the buyer's Excel ("CSV injection", OWASP). As OWASP advises, such text gets
a single quote in front, which spreadsheets show as text; numbers stay numbers. openpyxl
would even store such a string as a live formula in an XLSX; after the quote it is a string.

The inventory parser drops that one quote again (`engine.inventory.strip_export_quote`), so
an exported passport or hub stock re-imports with the same descriptions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from urbanmine.engine.inventory import FORMULA_PREFIXES

#: Control characters a spreadsheet cell cannot hold (XLSX refuses them: openpyxl raises).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_cell(value: Any) -> Any:
    """A value for a spreadsheet cell: text starting with a formula character gets a
    leading single quote, control characters are dropped; anything else (numbers, dates,
    booleans, None) is returned as is."""
    if not isinstance(value, str):
        return value
    value = _CONTROL.sub("", value)
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """`safe_cell` on every value of a row."""
    return [safe_cell(v) for v in values]
