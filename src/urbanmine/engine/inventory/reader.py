"""From a path or bytes to numbered rows of cells: file type, encoding, delimiter, XLSX sheet.

Encodings: UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252; bytes valid in
neither give an error naming the row. Delimiters: semicolon, comma or tab (sniffed by which
one yields a recognisable header). Rows are numbered as the user sees them in the file.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .columns import HEADER_SEARCH_ROWS, recognised_fields
from .issues import InventoryFileError, InventoryIssue, issue
from .limits import Clock
from .result import InventoryParseResult

NumberedRows = Iterator[tuple[int, list[Any]]]

_XLSX_MAGIC = b"PK\x03\x04"
#: The deadline is checked every so many shared strings of a workbook (~10 ms of work).
STRINGS_PER_CHECK = 1024
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass(slots=True)
class SourceRows:
    """A file opened for reading: its numbered rows and how to read the numbers in them."""

    rows: NumberedRows
    #: rows in the file (for progress), None when unknown
    total: int | None
    #: "1,5" is 1.5 and "1.500" is ambiguous; false only for comma-separated CSV
    decimal_comma: bool
    #: an open openpyxl workbook (XLSX), closed by `close`
    workbook: Any = None

    def close(self) -> None:
        if self.workbook is not None:
            self.workbook.close()


def open_source(
    path_or_bytes: str | os.PathLike[str] | bytes,
    name: str,
    column_map: Mapping[str, str],
    result: InventoryParseResult,
    clock: Clock | None = None,
) -> SourceRows:
    """Recognise and open the file; records format, encoding, delimiter and encoding
    warnings on `result` as they are learned (so a later failure still reports them).
    `clock`: the parse's deadline, checked while looking for the sheet with the header."""
    raw = read_bytes(path_or_bytes)
    if not raw.strip(b" \t\r\n\xef\xbb\xbf"):
        raise InventoryFileError.from_code("file_empty", 1)
    suffix = Path(name).suffix.lower() if name else ""
    if raw.startswith(_XLS_MAGIC):
        raise InventoryFileError.from_code("xls_not_supported")
    if raw.startswith(_XLSX_MAGIC) or suffix in (".xlsx", ".xlsm"):
        if not raw.startswith(_XLSX_MAGIC):
            raise InventoryFileError.from_code("xlsx_misnamed")
        result.format = "xlsx"
        return open_xlsx(raw, column_map, clock)
    result.format = "csv"
    return open_csv(raw, column_map, result)


def read_bytes(path_or_bytes: str | os.PathLike[str] | bytes) -> bytes:
    if isinstance(path_or_bytes, bytes | bytearray | memoryview):
        return bytes(path_or_bytes)
    try:
        return Path(path_or_bytes).read_bytes()
    except OSError as exc:
        raise InventoryFileError.from_code(
            "file_unreadable", None, detail=str(exc.strerror or exc)
        ) from exc


# ------------------------------------------------------------------------------------- CSV


def open_csv(raw: bytes, column_map: Mapping[str, str], result: InventoryParseResult) -> SourceRows:
    text, result.encoding, warnings = decode(raw)
    result.warnings.extend(warnings)
    if text.startswith("\ufeff"):
        text = text[1:]
    delimiter = sniff_delimiter(text, column_map)
    result.delimiter = delimiter
    rows = enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1)
    total = text.count("\n") + (0 if text.endswith("\n") else 1)
    return SourceRows(rows, total, decimal_comma=delimiter != ",")


def decode(raw: bytes) -> tuple[str, str, list[InventoryIssue]]:
    """(text, encoding, warnings)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError as exc:
            raise InventoryFileError.from_code("utf16_invalid", None, detail=exc.reason) from exc
    if b"\x00" in raw[:65536]:
        raise InventoryFileError.from_code("binary_file")
    try:
        text = raw.decode("utf-8-sig")
        encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
        warnings: list[InventoryIssue] = []
    except UnicodeDecodeError as exc:
        text, warnings = _decode_cp1252(raw, exc)
        encoding = "cp1252"
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\x0c")
    if sample and controls > max(2, len(sample) // 100):
        raise InventoryFileError.from_code("binary_content")
    return text, encoding, warnings


def _decode_cp1252(raw: bytes, utf8_error: UnicodeDecodeError) -> tuple[str, list[InventoryIssue]]:
    """Windows-1252, what Excel writes as "CSV"; warns when the text looks like UTF-8 that
    was partly re-encoded (mojibake such as "Ã«")."""
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise InventoryFileError.from_code(
            "unknown_encoding", raw[: exc.start].count(b"\n") + 1, byte=f"{raw[exc.start]:02X}"
        ) from exc
    if "Ã" in text or "â€" in text:
        row = raw[: utf8_error.start].count(b"\n") + 1
        return text, [issue("mixed_encodings", None, None, None, row=row)]
    return text, []


def sniff_delimiter(text: str, column_map: Mapping[str, str]) -> str:
    """The delimiter for which the first lines contain the best-recognised header."""
    head = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])
    best, best_score = ";", (-1, -1)
    for delim in (";", ",", "\t"):
        try:
            rows = list(csv.reader(io.StringIO(head), delimiter=delim))
        except csv.Error:
            continue
        recognised = max((recognised_fields(list(r), column_map) for r in rows), default=0)
        score = (recognised, head.split("\n", 1)[0].count(delim))
        if score > best_score:
            best, best_score = delim, score
    return best


# ------------------------------------------------------------------------------------ XLSX


def open_xlsx(raw: bytes, column_map: Mapping[str, str], clock: Clock | None = None) -> SourceRows:
    """The first sheet with a recognisable header (else the first sheet)."""
    clock = clock or Clock()
    try:
        wb = load_workbook(raw, clock)
    except InventoryFileError:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InventoryFileError.from_code(
            "xlsx_unreadable", None, error_type=type(exc).__name__, detail=str(exc)
        ) from exc
    except Exception as exc:  # openpyxl raises assorted errors on corrupt packages
        raise InventoryFileError.from_code("xlsx_corrupt", None, detail=str(exc)) from exc
    try:
        sheet = _sheet_with_header(wb.worksheets, column_map, clock)
    except InventoryFileError:
        wb.close()
        raise
    except Exception as exc:  # broken XML in a sheet's first rows
        wb.close()
        raise InventoryFileError.from_code("xlsx_corrupt", None, detail=str(exc)) from exc
    return SourceRows(_xlsx_rows(sheet), getattr(sheet, "max_row", None), True, wb)


def load_workbook(raw: bytes, clock: Clock) -> Any:
    """openpyxl's `load_workbook(read_only=True, data_only=True)`, with the two steps that
    read a whole part of the package made safe against a crafted upload:

    * a sheet's size is read from the head of its XML only. openpyxl looks for the
      <dimension> element by parsing until the end of <sheetData>: for a sheet without one
      (openpyxl's own write-only mode writes none) that is the whole sheet, a gigabyte of
      XML from a few megabytes of upload, before a single row is read (a 3-million-row
      workbook took minutes to open). The schema puts <dimension> before <sheetData>, so
      the head decides; no dimension there, an unsized sheet (rows as they come).
    * the shared strings (every text of the workbook, read when it is opened) are read
      with the deadline checked: millions of them take as many seconds.
    """
    # imported lazily: CSV-only callers need not pay for openpyxl
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.xml.constants import SHARED_STRINGS

    head_sized = type("HeadSizedWorksheet", (ReadOnlyWorksheet,), {"_get_size": _size_from_head})
    reader = ExcelReader(io.BytesIO(raw), read_only=True, data_only=True)

    def read_strings() -> None:  # openpyxl's, checking the clock
        part = reader.package.find(SHARED_STRINGS)
        if part is not None:
            with reader.archive.open(part.PartName[1:]) as src:
                reader.shared_strings = _string_table(src, clock)

    def read_worksheets() -> None:  # openpyxl's read-only branch, with head-sized sheets
        for sheet, rel in reader.parser.find_sheets():
            if rel.target not in reader.valid_files or "chartsheet" in rel.Type:
                continue
            ws = head_sized(reader.wb, sheet.name, rel.target, reader.shared_strings)
            ws.sheet_state = sheet.state
            reader.wb._sheets.append(ws)

    reader.read_strings = read_strings
    reader.read_worksheets = read_worksheets
    reader.read()
    return reader.wb


def _string_table(src: Any, clock: Clock) -> list[str]:
    """openpyxl's `read_string_table`, checking the deadline every so many strings."""
    from openpyxl.cell.text import Text
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    string_tag = f"{{{SHEET_MAIN_NS}}}si"
    strings: list[str] = []
    for _event, node in iterparse(src):
        if node.tag == string_tag:
            strings.append(Text.from_tree(node).content.replace("x005F_", ""))
            node.clear()
            if len(strings) % STRINGS_PER_CHECK == 0:
                clock.check()
    return strings


def _size_from_head(ws: Any) -> None:
    """A read-only sheet's `_get_size`: the <dimension> before <sheetData>, if any."""
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.xml.functions import iterparse

    src = ws._get_source()
    try:
        for _event, element in iterparse(src, events=("start",)):
            if element.tag == DATA_TAG:
                return
            if element.tag == DIMENSION_TAG:
                boundaries = SheetDimension.from_tree(element).boundaries
                if boundaries is not None:
                    ws._min_column, ws._min_row, ws._max_column, ws._max_row = boundaries
                return
    finally:
        src.close()


def _sheet_with_header(sheets: list[Any], column_map: Mapping[str, str], clock: Clock) -> Any:
    for ws in sheets:
        clock.check()
        head = ws.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS, values_only=True)
        if any(recognised_fields(list(r), column_map) >= 2 for r in head):
            return ws
    if not sheets:
        raise InventoryFileError.from_code("xlsx_no_worksheets")
    return sheets[0]


def _xlsx_rows(sheet: Any) -> NumberedRows:
    """The sheet's rows, numbered; XML that breaks further down (the sheet is read as it
    goes, not checked whole when opened) ends the parse as a corrupt workbook."""
    rows = sheet.iter_rows(values_only=True)
    row_no = 0
    while True:
        try:
            r = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # openpyxl / the XML parser on a broken sheet
            raise InventoryFileError.from_code("xlsx_corrupt", None, detail=str(exc)) from exc
        row_no += 1
        yield row_no, list(r)
