"""What parsing yields: validated rows, and the result that also holds errors and warnings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from .issues import InventoryIssue


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
