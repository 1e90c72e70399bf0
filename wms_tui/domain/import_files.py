"""Reading import files: CSV or JSON bytes into one table of numbered rows.

Both formats become the same CsvTable, so every import validates them with the same code.
CSV rows are numbered as a spreadsheet numbers them (the header is row 1); JSON rows are the
objects of the array, numbered from 1. Problems with the file as a whole raise BadInput;
problems with one row are kept in the table's errors, with the row in its broken rows.
Every message quotes the file's content and name through `shown`, so an ESC in a header or
a JSON key is printed visibly, never obeyed by the terminal.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from wms_tui.domain.errors import BadInput
from wms_tui.domain.text import shown

FORMATS = ("csv", "json")
MAX_FILE_BYTES = 64 * 1024 * 1024
_COLUMN_NAME = re.compile(r"[a-z][a-z0-9_]*")
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
CSV_ADVICE = "save it as 'CSV UTF-8'"
JSON_ADVICE = "save it as UTF-8"


@dataclass(frozen=True)
class CsvRow:
    number: int
    cells: dict[str, str]


@dataclass(frozen=True)
class CsvTable:
    """A decoded file: lower-cased column names, data rows numbered as the format numbers them.

    broken holds the rows that errors names (wrong number of cells, a nested JSON value) with
    the cells that could be read, so a partial import can tell which document they belong to.
    """

    source: str
    columns: tuple[str, ...]
    rows: tuple[CsvRow, ...]
    errors: tuple[str, ...] = ()
    broken: tuple[CsvRow, ...] = ()


def show(value: str, limit: int = 30) -> str:
    """A value quoted for a message, shown and cut short so a pasted blob does not flood the
    screen."""
    return f"'{shown(value[:limit])}...'" if len(value) > limit else f"'{shown(value)}'"


def check_size(size: int, source: str) -> None:
    """Refuse a file past MAX_FILE_BYTES; a reader checks its size before reading it whole."""
    if size > MAX_FILE_BYTES:
        raise BadInput(f"{shown(source)} is larger than {MAX_FILE_BYTES // 2**20} MiB")


def format_for(name: str, explicit: str | None = None) -> str:
    """The format to read: the one asked for, else .json files as JSON and the rest as CSV."""
    if explicit is not None:
        fmt = explicit.strip().lower()
        if fmt not in FORMATS:
            raise BadInput(f"format {show(explicit)} must be one of {', '.join(FORMATS)}")
        return fmt
    return "json" if name.lower().endswith(".json") else "csv"


def read_table(data: bytes, source: str, fmt: str) -> CsvTable:
    """Read a file in the given format ("csv" or "json") into a table."""
    return read_json(data, source) if fmt == "json" else read_csv(data, source)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _looks_utf16(data: bytes) -> bool:
    """ASCII text in UTF-16 has a NUL in every other byte; a binary file rarely does."""
    sample = data[:400]
    halves = (sample[0::2], sample[1::2])
    return any(half and half.count(0) >= 0.4 * len(half) for half in halves)


def decode_text(data: bytes, source: str, advice: str) -> str:
    """The file's text, which must be UTF-8 (a byte-order mark is fine and dropped)."""
    check_size(len(data), source)
    source = shown(source)
    if data.startswith(_UTF16_BOMS):
        raise BadInput(f"{source} is UTF-16 text (it starts with a UTF-16 byte-order mark), "
                       f"not UTF-8: {advice}")
    nul = data.find(b"\x00")
    if nul >= 0:
        what = "looks like UTF-16 text, not UTF-8" if _looks_utf16(data) else "is not a text file"
        raise BadInput(f"{source} {what}: NUL byte at offset {nul} on line "
                       f"{_line_of(data, nul)}: {advice}")
    skip = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    try:
        return data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = skip + exc.start
        raise BadInput(
            f"{source} is not UTF-8 text (byte 0x{data[offset]:02X} at offset {offset}) "
            f"on line {_line_of(data, offset)}: {advice}"
        ) from None


def table_of(rows: CsvTable | Sequence[Mapping[Any, Any]]) -> CsvTable:
    """A table of rows as csv.DictReader gives them, numbered as a spreadsheet numbers them."""
    if isinstance(rows, CsvTable):
        return rows
    if not rows:
        raise BadInput("the file has no rows")
    columns: list[str] = []
    for row in rows:
        for name in row:
            if name is not None and name.strip().lower() not in columns:
                columns.append(name.strip().lower())
    table_rows: list[CsvRow] = []
    broken: list[CsvRow] = []
    errors: list[str] = []
    for number, row in enumerate(rows, start=2):
        if None in row or any(value is None for value in row.values()):
            errors.append(f"row {number}: cells: the number of cells differs from the header")
            broken.append(CsvRow(number, {
                str(name).strip().lower(): str(value) for name, value in row.items()
                if name is not None and value is not None
            }))
            continue
        cells = {str(name).strip().lower(): str(value) for name, value in row.items()}
        if not any(value.strip() for value in cells.values()):
            continue
        table_rows.append(CsvRow(number, {c: cells.get(c, "") for c in columns}))
    return CsvTable("file", tuple(columns), tuple(table_rows), tuple(errors), tuple(broken))


# CSV.


def read_csv(data: bytes, source: str = "file") -> CsvTable:
    """Decode and split a UTF-8 CSV file; file-level problems raise BadInput at once."""
    text = decode_text(data, source, CSV_ADVICE)
    name = shown(source)
    if text.lstrip().startswith(("[", "{")):
        raise BadInput(f"{name} looks like JSON, not CSV: read it as JSON "
                       "(a .json file name or --format json)")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise BadInput(f"{name}: line {reader.line_num}: not valid CSV ({exc})") from None
    if not records or not any(cell.strip() for cell in records[0]):
        raise BadInput(f"{name} is empty: its first row must name the columns")
    columns = tuple(column.strip().lower() for column in records[0])
    for index, column in enumerate(columns, start=1):
        if not _COLUMN_NAME.fullmatch(column):
            raise BadInput(f"{name}: row 1: column {index} has no valid name ({show(column)})")
    duplicated = sorted({column for column in columns if columns.count(column) > 1})
    if duplicated:
        raise BadInput(f"{name}: row 1: column(s) named twice: {', '.join(duplicated)}")
    rows: list[CsvRow] = []
    broken: list[CsvRow] = []
    errors: list[str] = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(columns):
            errors.append(
                f"row {number}: cells: {len(record)} cells, the header has {len(columns)} columns"
            )
            broken.append(CsvRow(number, dict(zip(columns, record, strict=False))))
            continue
        rows.append(CsvRow(number, dict(zip(columns, record, strict=True))))
    return CsvTable(source, columns, tuple(rows), tuple(errors), tuple(broken))


# JSON.


class _Object(list[tuple[str, object]]):
    """A JSON object as its key/value pairs, so keys written twice are seen, not lost."""


class _Number(str):
    """A JSON number as the text it was written with."""


def _kind(value: object) -> str:
    if isinstance(value, _Object):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return "a number" if isinstance(value, _Number) else "a string"


def _constant(source: str) -> Callable[[str], NoReturn]:
    def refuse(name: str) -> NoReturn:
        raise BadInput(f"{shown(source)}: {name} is not a JSON number")

    return refuse


def _cell(value: object) -> str | None:
    """A JSON value as the text a CSV cell would hold; None for an array or object."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return str(value)
    return None


def read_json(data: bytes, source: str = "file") -> CsvTable:
    """Decode a UTF-8 JSON array of objects whose keys are the columns of the CSV format.

    Numbers keep the text they were written with, true/false become "true"/"false" and null
    an empty cell, as does a key an object leaves out that other objects have.
    """
    text = decode_text(data, source, JSON_ADVICE)
    name = shown(source)
    if not text.strip():
        raise BadInput(f"{name} is empty: it must be a JSON array of objects")
    try:
        # Numbers are read as their own text, so 0012 or 1.50 reach the checks as written.
        parsed = json.loads(
            text, object_pairs_hook=_Object, parse_int=_Number, parse_float=_Number,
            parse_constant=_constant(source),
        )
    except json.JSONDecodeError as exc:
        raise BadInput(f"{name}: line {exc.lineno} column {exc.colno}: not valid JSON "
                       f"({exc.msg})") from None
    except RecursionError:
        raise BadInput(f"{name}: not valid JSON (nested too deeply)") from None
    if not isinstance(parsed, list) or isinstance(parsed, _Object):
        raise BadInput(f"{name} holds {_kind(parsed)}; it must be a JSON array of objects, "
                       'one per row: [{"column": "value", ...}, ...]')
    objects = _objects(parsed, source)
    columns: dict[str, None] = {}
    for pairs in objects:
        columns.update((column, None) for column, _ in pairs)
    rows: list[CsvRow] = []
    broken: list[CsvRow] = []
    errors: list[str] = []
    for number, pairs in enumerate(objects, start=1):
        cells = dict.fromkeys(columns, "")
        nested = []
        for column, value in pairs:
            cell = _cell(value)
            if cell is None:
                nested.append(column)
                del cells[column]
            else:
                cells[column] = cell
        if nested:
            errors.extend(f"row {number}: {column}: {_kind(value)} is not a cell value; "
                          "write it as text" for column, value in pairs if column in nested)
            broken.append(CsvRow(number, cells))
        elif any(cell.strip() for cell in cells.values()):
            rows.append(CsvRow(number, cells))
    return CsvTable(source, tuple(columns), tuple(rows), tuple(errors), tuple(broken))


def _objects(parsed: list[object], source: str) -> list[list[tuple[str, object]]]:
    """The array's objects with lower-cased keys; anything else in it refuses the file."""
    source = shown(source)
    objects = []
    for number, element in enumerate(parsed, start=1):
        if not isinstance(element, _Object):
            others = sum(not isinstance(e, _Object) for e in parsed) - 1
            more = f" (and {others} more like it)" if others else ""
            raise BadInput(f"{source}: row {number} is {_kind(element)}, not an object{more}: "
                           'each row must be an object such as {"column": "value"}')
        pairs = [(key.strip().lower(), value) for key, value in element]
        names = [name for name, _ in pairs]
        for name in names:
            if not _COLUMN_NAME.fullmatch(name):
                raise BadInput(f"{source}: row {number}: key {show(name)} is not a column name")
        duplicated = sorted({name for name in names if names.count(name) > 1})
        if duplicated:
            raise BadInput(f"{source}: row {number}: key(s) written twice: "
                           f"{', '.join(duplicated)}")
        objects.append(pairs)
    return objects
