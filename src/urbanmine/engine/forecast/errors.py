"""The one exception the forecast engine raises for bad input files."""

from __future__ import annotations


class ForecastError(ValueError):
    """Bad forecast input, located by file, data row (1-based, header excluded), line and field.

    `row` counts data records after the header (blank lines skipped); `line` is the physical
    line number in the file (header = line 1). Either may be None when the problem is not tied
    to one record (e.g. start > end).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.line = line
        self.field = field
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            loc = f"data row {self.row}"
            if self.line is not None:
                loc += f" (line {self.line})"
            where.append(loc)
        elif self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"field '{self.field}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message

    def as_dict(self) -> dict[str, object]:
        """Machine-readable form (for `--format json`)."""
        return {
            "file": self.file,
            "row": self.row,
            "line": self.line,
            "field": self.field,
            "message": self.message,
        }
