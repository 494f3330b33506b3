"""Readers/validators for STOCK.csv, MI.csv, LIFETIMES.csv and the atomic RELEASE.csv writer.

Every problem raises ForecastError naming file, data row (1-based, header excluded), line
and field. STOCK.csv is parsed in chunks with vectorised conversion, so a 2-million-row file
reads in seconds; only a failing chunk is rescanned row by row to locate the first error.
Accepted: UTF-8 (with or without BOM) or Windows-1252; comma, semicolon or tab separated
(with semicolons a decimal comma is accepted).
"""

from __future__ import annotations

import csv
import io
import math
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from .errors import ForecastError
from .release import NO_PLAN, ReleaseResult, Stock
from .tables import IntensityTable, LifetimeTable

STOCK_COLUMNS = ("id", "municipality_code", "use_type", "construction_year", "floor_area_m2")
#: Optional STOCK.csv columns (an extension of the contract; empty cell = nothing planned).
STOCK_OPTIONAL_COLUMNS = ("planned_demolition_year", "planned_renovation_year")
MI_COLUMNS = ("use_type", "period_start", "period_end", "material", "kg_per_m2")
LIFETIME_COLUMNS = ("use_type", "weibull_shape", "weibull_scale_years")
RELEASE_COLUMNS = ("year", "municipality_code", "material", "released_kg")
CHUNK_ROWS = 65_536


class _Table:
    """A CSV file opened for reading: header positions, dialect and a record iterator."""

    def __init__(self, path: str | os.PathLike[str], name: str, required: Sequence[str]) -> None:
        self.path = Path(path)
        self.name = name
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            raise ForecastError(f"cannot read file: {exc.strerror or exc}", file=name) from exc
        try:
            self.text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.text = raw.decode("cp1252", errors="replace")
        first = self.text.split("\n", 1)[0]
        self.delimiter = max([",", ";", "\t"], key=first.count)
        self.decimal_comma = self.delimiter == ";"
        reader = csv.reader(io.StringIO(self.text), delimiter=self.delimiter)
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise ForecastError("empty file (no header row)", file=name, line=1)
        self.header = [h.strip().lower() for h in header]
        self.pos: dict[str, int] = {}
        for i, h in enumerate(self.header):
            self.pos.setdefault(h, i)
        for col in required:
            if col not in self.pos:
                raise ForecastError(
                    f"missing column (header has: {', '.join(self.header)})",
                    file=name,
                    line=1,
                    field=col,
                )
        self._reader = reader

    def records(self) -> Iterator[list[str]]:
        """Data records, blank lines skipped (they do not count as data rows)."""
        for rec in self._reader:
            if rec and any(cell.strip() for cell in rec):
                yield rec

    def line_of(self, data_row: int) -> int | None:
        """Physical line (1-based) where data row `data_row` ends."""
        reader = csv.reader(io.StringIO(self.text), delimiter=self.delimiter)
        next(reader, None)
        n = 0
        for rec in reader:
            if rec and any(cell.strip() for cell in rec):
                n += 1
                if n == data_row:
                    return reader.line_num
        return None

    def error(self, message: str, data_row: int, field: str) -> ForecastError:
        return ForecastError(
            message, file=self.name, row=data_row, line=self.line_of(data_row), field=field
        )

    def number(self, value: str) -> float:
        value = value.strip()
        if self.decimal_comma:
            value = value.replace(",", ".")
        return float(value)


def _floats(table: _Table, values: list[str]) -> tuple[np.ndarray, int]:
    """Vectorised float parse; returns (array, index of the first bad cell or -1)."""
    if table.decimal_comma:
        values = [v.replace(",", ".") for v in values]
    try:
        return np.array(values, dtype=np.float64), -1
    except ValueError:
        for i, v in enumerate(values):
            try:
                float(v)
            except ValueError:
                return np.zeros(0), i
        raise


_Problem = tuple[int, int, str]  # (row in chunk, column order, message)


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _stripped(cells: list[str], k: int, message: str, problems: list[_Problem]) -> list[str]:
    """Stripped cells; a problem at the first empty one."""
    values = [v.strip() for v in cells]
    bad = next((i for i, v in enumerate(values) if not v), -1)
    if bad >= 0:
        problems.append((bad, k, message))
    return values


def _construction_years(
    t: _Table, cells: list[str], current_year: int, problems: list[_Problem]
) -> np.ndarray | None:
    """Years as floats (None if a cell is not a number); whole, finite and not future."""
    years, bad = _floats(t, cells)
    if bad >= 0:
        problems.append((bad, 3, f"not a number: {cells[bad].strip()!r}"))
        return None
    wrong = ~np.isfinite(years) | (years != np.round(years))
    if np.any(wrong):
        i = _first(wrong)
        problems.append((i, 3, f"not a whole year: {cells[i].strip()!r}"))
    future = np.isfinite(years) & (years > current_year)  # an infinite year is "not whole"
    if np.any(future):
        i = _first(future)
        message = f"construction year {int(years[i])} is in the future (after {current_year})"
        problems.append((i, 3, message))
    return years


def _floor_areas(t: _Table, cells: list[str], problems: list[_Problem]) -> np.ndarray:
    """Floor areas: numbers, finite, not negative."""
    areas, bad = _floats(t, cells)
    if bad >= 0:
        problems.append((bad, 4, f"floor area is not a number: {cells[bad].strip()!r}"))
        return areas
    wrong = ~np.isfinite(areas)
    if np.any(wrong):
        i = _first(wrong)
        problems.append((i, 4, f"floor area is not a finite number: {cells[i].strip()!r}"))
    neg = areas < 0
    if np.any(neg):
        i = _first(neg)
        problems.append((i, 4, f"negative floor area: {cells[i].strip()!r}"))
    return areas


def _planned_years(
    t: _Table,
    column: tuple[int, str],
    cells: list[str],
    years: np.ndarray | None,
    problems: list[_Problem],
) -> np.ndarray:
    """An optional planned-year column (order k, name): empty = NO_PLAN, else a whole year
    not before the construction year (checked when the construction years parsed)."""
    k, name = column
    arr = np.full(len(cells), NO_PLAN, dtype=np.int64)
    for i, cell in enumerate(cells):
        v = cell.strip()
        if not v:
            continue
        try:
            f = t.number(v)
        except ValueError:
            f = math.nan
        if not math.isfinite(f) or f != round(f):
            problems.append((i, k, f"not a whole year: {v!r}"))
            break
        arr[i] = int(f)
        # A non-finite construction year is reported in its own column (earlier).
        if years is not None and math.isfinite(years[i]) and f < years[i]:
            message = f"{name} {int(f)} is before construction year {int(years[i])}"
            problems.append((i, k, message))
            break
    return arr


class _StockParser:
    """STOCK.csv parsed chunk by chunk into arrays, columns in contract order."""

    def __init__(self, t: _Table, known_use_types: Sequence[str], current_year: int) -> None:
        self.t = t
        self.cols = list(STOCK_COLUMNS) + [c for c in STOCK_OPTIONAL_COLUMNS if c in t.pos]
        self.idx = [t.pos[c] for c in self.cols]
        self.need = max(self.idx) + 1
        self.known_use_types = tuple(known_use_types)
        self.use_code = {u: i for i, u in enumerate(known_use_types)}
        self.current_year = current_year
        self.mun_code: dict[str, int] = {}
        self.parts: dict[str, list[np.ndarray]] = {c: [] for c in self.cols}
        self.base = 0  # data rows before the next chunk

    def _full_rows(self, chunk: list[list[str]], problems: list[_Problem]) -> list[list[str]]:
        """The rows before the first one with too few fields (a problem there)."""
        short = next((i for i, r in enumerate(chunk) if len(r) < self.need), -1)
        if short < 0:
            return chunk
        r = chunk[short]
        missing = next(c for c, j in zip(self.cols, self.idx, strict=True) if j >= len(r))
        problems.append((short, self.cols.index(missing), "missing cell (row has too few fields)"))
        return chunk[:short]

    def _use_types(self, cells: list[str], problems: list[_Problem]) -> np.ndarray:
        uses = [v.strip() for v in cells]
        use_idx = np.array([self.use_code.get(u, -1) for u in uses], dtype=np.int64)
        if use_idx.size and use_idx.min() < 0:
            i = _first(use_idx < 0)
            known = ", ".join(self.known_use_types)
            problems.append((i, 2, f"unknown use type {uses[i]!r} (known: {known})"))
        return use_idx

    def add(self, chunk: list[list[str]]) -> None:
        """Parse one chunk; ForecastError at its first problem (by row, then column order)."""
        if not chunk:
            return
        problems: list[_Problem] = []
        rows = self._full_rows(chunk, problems)
        col = [[r[j] for r in rows] for j in self.idx]
        values: dict[str, np.ndarray] = {
            "id": np.array(_stripped(col[0], 0, "empty id", problems), dtype=np.str_)
        }
        muns = _stripped(col[1], 1, "empty municipality code", problems)
        values["use_type"] = self._use_types(col[2], problems)
        years = _construction_years(self.t, col[3], self.current_year, problems)
        values["floor_area_m2"] = _floor_areas(self.t, col[4], problems)
        for k, c in enumerate(self.cols[5:], start=5):
            values[c] = _planned_years(self.t, (k, c), col[k], years, problems)
        if problems:
            i, k, msg = min(problems)
            raise self.t.error(msg, self.base + i + 1, self.cols[k])
        assert years is not None
        values["construction_year"] = years.astype(np.int64)
        for m in muns:
            self.mun_code.setdefault(m, len(self.mun_code))
        values["municipality_code"] = np.array([self.mun_code[m] for m in muns], dtype=np.int64)
        for c in self.cols:
            self.parts[c].append(values[c])
        self.base += len(rows)

    def _cat(self, column: str, dtype: type) -> np.ndarray:
        parts = self.parts[column]
        return (
            np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype=dtype)
        )

    def _plan(self, column: str) -> np.ndarray | None:
        if column not in self.parts:
            return None
        arr = self._cat(column, np.int64)
        return arr if np.any(arr != NO_PLAN) else None

    def stock(self) -> Stock:
        ids = self.parts["id"]
        return Stock(
            municipality_codes=tuple(self.mun_code),
            municipality_idx=self._cat("municipality_code", np.int64),
            use_types=self.known_use_types,
            use_type_idx=self._cat("use_type", np.int64),
            construction_year=self._cat("construction_year", np.int64),
            floor_area_m2=self._cat("floor_area_m2", np.float64),
            planned_demolition_year=self._plan("planned_demolition_year"),
            planned_renovation_year=self._plan("planned_renovation_year"),
            ids=np.concatenate(ids) if ids else np.zeros(0, dtype=np.str_),
        )


def read_stock(
    path: str | os.PathLike[str],
    *,
    known_use_types: Sequence[str],
    current_year: int,
    name: str | None = None,
) -> Stock:
    """Read and validate STOCK.csv.

    Errors: missing columns or cells, unknown use types (not in `known_use_types`),
    non-integer or future construction years (> current_year), non-numeric, non-finite or
    negative floor areas, planned years that are not whole numbers or precede construction.
    Rows are parsed in chunks of CHUNK_ROWS (vectorised); the first problem is reported.
    """
    t = _Table(path, name or Path(path).name, STOCK_COLUMNS)
    parser = _StockParser(t, known_use_types, current_year)
    chunk: list[list[str]] = []
    for rec in t.records():
        chunk.append(rec)
        if len(chunk) >= CHUNK_ROWS:
            parser.add(chunk)
            chunk = []
    parser.add(chunk)
    return parser.stock()


def _int_cell(t: _Table, rec: list[str], row: int, field: str) -> int:
    value = rec[t.pos[field]].strip() if len(rec) > t.pos[field] else ""
    if not value:
        raise t.error("missing value", row, field)
    try:
        f = t.number(value)
    except ValueError:
        raise t.error(f"not a number: {value!r}", row, field) from None
    if not math.isfinite(f) or f != round(f):
        raise t.error(f"not a whole year: {value!r}", row, field)
    return int(f)


def _float_cell(t: _Table, rec: list[str], row: int, field: str) -> float:
    value = rec[t.pos[field]].strip() if len(rec) > t.pos[field] else ""
    if not value:
        raise t.error("missing value", row, field)
    try:
        f = t.number(value)
    except ValueError:
        raise t.error(f"not a number: {value!r}", row, field) from None
    if not math.isfinite(f):
        raise t.error(f"not a finite number: {value!r}", row, field)
    return f


def _text_cell(t: _Table, rec: list[str], row: int, field: str) -> str:
    value = rec[t.pos[field]].strip() if len(rec) > t.pos[field] else ""
    if not value:
        raise t.error("missing value", row, field)
    return value


def read_intensities(path: str | os.PathLike[str], *, name: str | None = None) -> IntensityTable:
    """Read and validate MI.csv (extra columns such as citations are ignored).

    Errors: missing cells, non-integer periods, period_start > period_end, negative or
    non-numeric kg_per_m2, duplicate (use type, period, material), overlapping periods.
    """
    t = _Table(path, name or Path(path).name, MI_COLUMNS)
    use_types: dict[str, int] = {}
    materials: dict[str, int] = {}
    periods: dict[tuple[str, int, int], int] = {}
    period_row: dict[tuple[str, int, int], int] = {}
    values: dict[tuple[int, int], float] = {}
    for row, rec in enumerate(t.records(), start=1):
        use = _text_cell(t, rec, row, "use_type")
        p0 = _int_cell(t, rec, row, "period_start")
        p1 = _int_cell(t, rec, row, "period_end")
        if p0 > p1:
            raise t.error(f"period_start {p0} is after period_end {p1}", row, "period_start")
        mat = _text_cell(t, rec, row, "material")
        kg = _float_cell(t, rec, row, "kg_per_m2")
        if kg < 0:
            raise t.error(f"negative intensity {kg}", row, "kg_per_m2")
        use_types.setdefault(use, len(use_types))
        m = materials.setdefault(mat, len(materials))
        key = (use, p0, p1)
        if key not in periods:
            for (u, q0, q1), r in period_row.items():
                if u == use and q0 <= p1 and p0 <= q1:
                    raise t.error(
                        f"period {p0}-{p1} of use type {use!r} overlaps period {q0}-{q1} "
                        f"(data row {r})",
                        row,
                        "period_start",
                    )
            periods[key] = len(periods)
            period_row[key] = row
        p = periods[key]
        if (p, m) in values:
            raise t.error(f"duplicate intensity for {use!r} {p0}-{p1} {mat!r}", row, "material")
        values[(p, m)] = kg
    if not periods:
        raise ForecastError("no intensity rows", file=t.name, line=2)
    kg_per_m2 = np.zeros((len(periods), len(materials)), dtype=np.float64)
    for (p, m), kg in values.items():
        kg_per_m2[p, m] = kg
    keys = list(periods)
    return IntensityTable(
        use_types=tuple(use_types),
        materials=tuple(materials),
        period_use_type_idx=np.array([use_types[k[0]] for k in keys], dtype=np.int64),
        period_start=np.array([k[1] for k in keys], dtype=np.int64),
        period_end=np.array([k[2] for k in keys], dtype=np.int64),
        kg_per_m2=kg_per_m2,
    )


def read_lifetimes(path: str | os.PathLike[str], *, name: str | None = None) -> LifetimeTable:
    """Read and validate LIFETIMES.csv: positive, finite Weibull shape and scale per use type."""
    t = _Table(path, name or Path(path).name, LIFETIME_COLUMNS)
    params: dict[str, tuple[float, float]] = {}
    for row, rec in enumerate(t.records(), start=1):
        use = _text_cell(t, rec, row, "use_type")
        shape = _float_cell(t, rec, row, "weibull_shape")
        if shape <= 0:
            raise t.error(f"Weibull shape must be positive, got {shape}", row, "weibull_shape")
        scale = _float_cell(t, rec, row, "weibull_scale_years")
        if scale <= 0:
            raise t.error(
                f"Weibull scale must be positive, got {scale}", row, "weibull_scale_years"
            )
        if use in params:
            raise t.error(f"duplicate use type {use!r}", row, "use_type")
        params[use] = (shape, scale)
    if not params:
        raise ForecastError("no lifetime rows", file=t.name, line=2)
    return LifetimeTable.from_mapping(params)


def check_coverage(
    stock: Stock,
    intensities: IntensityTable,
    *,
    stock_path: str | os.PathLike[str],
    stock_name: str,
    intensities_name: str,
) -> None:
    """Every building needs an MI row covering its use type and construction year."""
    row = intensities.row_index(stock.use_types, stock.use_type_idx, stock.construction_year)
    if not np.any(row < 0):
        return
    b = int(np.flatnonzero(row < 0)[0])
    use = stock.use_types[int(stock.use_type_idx[b])]
    year = int(stock.construction_year[b])
    t = _Table(stock_path, stock_name, STOCK_COLUMNS)
    if use not in intensities.use_types:
        raise t.error(
            f"no intensities for use type {use!r} in {intensities_name}", b + 1, "use_type"
        )
    raise t.error(
        f"no intensity row in {intensities_name} covers use type {use!r} built {year}",
        b + 1,
        "construction_year",
    )


def write_release_csv(
    path: str | os.PathLike[str], result: ReleaseResult, *, include_renovation: bool = False
) -> int:
    """Write RELEASE.csv atomically (temp file in the target directory, then rename).

    Returns the number of data rows. Masses in kg with 3 decimals (gram precision).
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    n = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(RELEASE_COLUMNS)
            for year, code, mat, kg in result.rows(include_renovation=include_renovation):
                w.writerow((year, code, mat, f"{kg:.3f}"))
                n += 1
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return n
