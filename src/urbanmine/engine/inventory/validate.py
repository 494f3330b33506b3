"""The row loop: header, then every data row through the column parsers, then the checks
that span rows (no data, all-or-nothing) and the warnings that summarise many rows.

Parsing never stops at the first bad row, so one upload shows the user everything to fix;
but a file with any error yields no rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from .bounds import mass_problem
from .columns import ColumnLayout, find_header, resolve_columns
from .fields import (
    MAX_DESCRIPTION,
    ParseContext,
    parse_description,
    parse_expected_release_date,
    parse_hazardous,
    parse_mass_kg_per_unit,
    parse_product_group,
    parse_quality,
    parse_quantity,
    parse_unit,
)
from .issues import InventoryFileError, InventoryIssue, issue
from .limits import CHECK_TIME_EVERY
from .reader import NumberedRows, SourceRows
from .result import InventoryParseResult, InventoryRow
from .values import is_blank, parse_decimal

ProgressCallback = Callable[[int, int | None], None]
PROGRESS_EVERY = 2000
#: At most this many ambiguous numbers are listed one by one.
AMBIGUOUS_LISTED = 20


def validate_source(
    source: SourceRows,
    column_map: Mapping[str, str],
    ctx: ParseContext,
    result: InventoryParseResult,
    *,
    on_progress: ProgressCallback | None = None,
) -> None:
    """Find the header, read every data row into `result`, and add the file-wide issues.
    `ctx.errors` must be `result.errors` (row errors land in the result as they are found).
    Raises `InventoryFileError` past `ctx.max_rows` rows or the deadline."""
    ctx.clock.check()
    header = find_header(source.rows, column_map)
    result.header_row = header.row
    layout = resolve_columns(header, result)
    if layout is None:
        return
    ctx.column_names = result.columns
    data_total = None if source.total is None else max(source.total - header.row, 0)
    result.rows = read_rows(source.rows, layout, ctx, data_total, on_progress)
    if not result.rows and not result.errors:
        result.errors.append(issue("no_data_rows", header.row + 1))
    if result.errors:
        result.rows.clear()  # all or nothing: a file with errors yields no rows
    result.warnings.extend(summary_warnings(ctx))


def read_rows(
    rows: NumberedRows,
    layout: ColumnLayout,
    ctx: ParseContext,
    total: int | None,
    on_progress: ProgressCallback | None,
) -> list[InventoryRow]:
    """The valid rows; errors go to `ctx.errors`. Blank rows are skipped (but counted
    against `ctx.max_rows`: they cost as much to read); the deadline is checked on the
    first row and every `CHECK_TIME_EVERY` rows."""
    out: list[InventoryRow] = []
    width = layout.width
    max_rows, clock = ctx.max_rows, ctx.clock
    done = 0
    if on_progress:
        on_progress(0, total)
    for row_no, cells in rows:
        done += 1
        if done % CHECK_TIME_EVERY == 1:
            clock.check()
        if max_rows is not None and done > max_rows:
            raise InventoryFileError.from_code("too_many_rows", None, max_rows=max_rows)
        if on_progress and done % PROGRESS_EVERY == 0:
            on_progress(done, total)
        if len(cells) < width:
            cells = cells + [None] * (width - len(cells))
        if all(is_blank(c) for c in cells):
            continue
        row = parse_row(cells, row_no, layout, ctx)
        if row is not None:
            out.append(row)
    if on_progress:
        on_progress(done, done)
    return out


def parse_row(
    cells: list[Any], row_no: int, layout: ColumnLayout, ctx: ParseContext
) -> InventoryRow | None:
    """One data row through every column parser (all run, so every problem is reported);
    None when any of them refused its cell."""
    errors_before = len(ctx.errors)
    product_group = parse_product_group(cells[layout.product_group], row_no, ctx)
    unit = parse_unit(cells[layout.unit], row_no, ctx)
    quantity = parse_quantity(cells[layout.quantity], row_no, ctx, unit)
    i_mass = layout.mass_kg_per_unit
    mass = parse_mass_kg_per_unit(None if i_mass is None else cells[i_mass], row_no, ctx, unit)
    quality = parse_quality(cells[layout.quality], row_no, ctx)
    # Optional columns: none means not hazardous, no release date, no description.
    hazardous = layout.hazardous is not None and parse_hazardous(
        cells[layout.hazardous], row_no, ctx
    )
    release = (
        None
        if layout.expected_release_date is None
        else parse_expected_release_date(cells[layout.expected_release_date], row_no, ctx)
    )
    description = (
        ""
        if layout.description is None
        else parse_description(cells[layout.description], row_no, ctx)
    )
    if (
        len(ctx.errors) != errors_before
        or product_group is None
        or unit is None
        or quantity is None
        or mass is None
        or quality is None
        or not _plausible_mass(
            row_no, ctx, product_group=product_group, unit=unit, quantity=quantity, mass=mass
        )
    ):
        return None
    return InventoryRow(
        row_number=row_no,
        product_group=product_group,
        description=description,
        quantity=quantity,
        unit=unit,
        mass_kg_per_unit=mass,
        quality=quality,
        hazardous=hazardous,
        expected_release_date=release,
    )


def _plausible_mass(
    row_no: int,
    ctx: ParseContext,
    *,
    product_group: str,
    unit: str,
    quantity: Decimal,
    mass: Decimal,
) -> bool:
    """The row's mass per unit lies in its product group's band and its total within the
    maximum per lot (`bounds`); otherwise the row is refused, naming the field at fault."""
    problem = mass_problem(product_group, ctx.band(product_group, unit), unit, quantity, mass)
    if problem is None:
        return True
    ctx.reject(row_no, problem.field, problem.code, **problem.params)
    return False


def summary_warnings(ctx: ParseContext) -> list[InventoryIssue]:
    """One warning per kind of forgivable problem, naming the rows it concerns."""
    return [
        *_rows_warning("hazardous_empty", "hazardous", ctx.empty_hazardous_rows, ctx),
        *_rows_warning(
            "release_date_in_past",
            "expected_release_date",
            ctx.past_release_rows,
            ctx,
            today=ctx.today.isoformat(),
        ),
        *_ambiguous_number_warnings(ctx),
        *_rows_warning(
            "description_shortened",
            "description",
            ctx.shortened_description_rows,
            ctx,
            max_length=MAX_DESCRIPTION,
        ),
    ]


def _rows_warning(
    code: str, fld: str, rows: list[int], ctx: ParseContext, /, **params: str | int | float
) -> list[InventoryIssue]:
    """The warning (if any rows) that `code` concerns these rows, counted and listed."""
    if not rows:
        return []
    return [issue(code, None, ctx.column(fld), fld, **params, count=len(rows), rows=row_list(rows))]


def _ambiguous_number_warnings(ctx: ParseContext) -> list[InventoryIssue]:
    warnings = [
        issue(
            "ambiguous_number",
            row_no,
            column,
            None,
            value=text,
            read_as=str(parse_decimal(text, ctx.decimal_comma)[0]),
        )
        for row_no, column, text in ctx.ambiguous_numbers[:AMBIGUOUS_LISTED]
    ]
    more = len(ctx.ambiguous_numbers) - AMBIGUOUS_LISTED
    if more > 0:
        warnings.append(issue("more_ambiguous_numbers", count=more))
    return warnings


def row_list(rows: list[int], limit: int = 10) -> str:
    """'row 7' or 'rows 7, 9, 12' or 'rows 7, 9, ... and 3 more'."""
    shown = ", ".join(str(r) for r in rows[:limit])
    return (
        ("row " if len(rows) == 1 else "rows ")
        + shown
        + (f" and {len(rows) - limit} more" if len(rows) > limit else "")
    )
