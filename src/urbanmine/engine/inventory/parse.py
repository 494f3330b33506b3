"""`parse_inventory`: the entry point that ties reading, header recognition and the row
parsers together, and turns a file that cannot be read at all into one error."""

from __future__ import annotations

import csv
import os
from collections.abc import Collection, Mapping
from datetime import date

from .columns import fold_column_map
from .fields import ParseContext, ProductGroups
from .issues import InventoryFileError
from .limits import Clock, InventoryLimits
from .reader import open_source
from .result import InventoryParseResult
from .validate import ProgressCallback, validate_source


def parse_inventory(
    path_or_bytes: str | os.PathLike[str] | bytes,
    filename: str | None = None,
    known_product_groups: Collection[str] = (),
    today: date | None = None,
    *,
    column_map: Mapping[str, str] | None = None,
    product_group_aliases: Mapping[str, str] | None = None,
    on_progress: ProgressCallback | None = None,
    limits: InventoryLimits | None = None,
) -> InventoryParseResult:
    """Read and validate an inventory. Never raises for bad input: problems are in
    `.errors` (the file is valid iff there are none) and `.warnings`.

    known_product_groups: the catalogue codes; product_group_aliases: optional extra
    spellings (e.g. Dutch/English names) -> code. column_map: the user's column header ->
    template field, for other layouts. on_progress(done_rows, total_rows or None).
    limits: the most rows, the time budget and the product groups' masses (default:
    `InventoryLimits()`, 200,000 rows, no deadline, only the maximum mass per line); past
    a limit the file is refused with one file-level error naming it.
    """
    limits = limits or InventoryLimits()
    today = today or date.today()
    result = InventoryParseResult()
    name = filename or (
        str(path_or_bytes) if not isinstance(path_or_bytes, bytes | bytearray) else ""
    )
    folded_map = fold_column_map(column_map or {}, result.errors)
    if result.errors:
        return result
    ctx = ParseContext(
        today=today,
        product_groups=ProductGroups.build(known_product_groups, product_group_aliases),
        errors=result.errors,
        mass_references=limits.mass_references,
        max_rows=limits.max_rows,
        clock=Clock.start(limits),
    )
    try:
        _read_and_validate(
            path_or_bytes,
            name,
            column_map=folded_map,
            ctx=ctx,
            result=result,
            on_progress=on_progress,
        )
    except InventoryFileError as exc:
        result.rows = []
        result.errors.append(exc.to_issue())
    return result


def _read_and_validate(
    path_or_bytes: str | os.PathLike[str] | bytes,
    name: str,
    *,
    column_map: Mapping[str, str],
    ctx: ParseContext,
    result: InventoryParseResult,
    on_progress: ProgressCallback | None,
) -> None:
    source = open_source(path_or_bytes, name, column_map, result, ctx.clock)
    ctx.decimal_comma = source.decimal_comma
    try:
        validate_source(source, column_map, ctx, result, on_progress=on_progress)
    except csv.Error as exc:
        raise InventoryFileError.from_code("csv_unreadable", None, detail=str(exc)) from exc
    finally:
        source.close()


def count_rows(
    path_or_bytes: str | os.PathLike[str] | bytes,
    filename: str | None = None,
    *,
    column_map: Mapping[str, str] | None = None,
    at_most: int | None = None,
    limits: InventoryLimits | None = None,
) -> int:
    """Rows below a file's first row (its header, usually), counted without parsing them:
    the lines of a CSV, the declared size of an XLSX sheet, or, for a sheet that declares
    none, its rows read until there are more than `at_most`. A file that cannot be opened
    counts 0: `parse_inventory` says why."""
    name = filename or (
        str(path_or_bytes) if not isinstance(path_or_bytes, bytes | bytearray) else ""
    )
    try:
        source = open_source(
            path_or_bytes,
            name,
            column_map or {},
            InventoryParseResult(),
            Clock.start(limits or InventoryLimits()),
        )
    except InventoryFileError:
        return 0
    try:
        if source.total is not None:
            return max(source.total - 1, 0)
        n = 0
        for _row in source.rows:
            n += 1
            if at_most is not None and n > at_most + 1:
                break
        return max(n - 1, 0)
    except (InventoryFileError, csv.Error):
        return 0
    finally:
        source.close()
