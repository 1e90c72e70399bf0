"""Import files read row by row, as often as needed, in bounded memory.

An import that posts in batches reads its file twice (check everything, then post), so a
source is a way to open the rows again rather than the rows themselves. CSV is streamed from
the file line by line with the checks `import_files.read_csv` makes (UTF-8, header names,
cells per row, CSV syntax); JSON, which the standard library cannot stream, is read whole by
`import_files.read_json`, under its size cap.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from wms_tui.domain.errors import BadInput
from wms_tui.domain.import_files import CSV_ADVICE, CsvRow, CsvTable, read_json, show
from wms_tui.domain.text import shown

# A CSV line longer than this is not a spreadsheet row: it is refused before it fills memory.
MAX_LINE_CHARS = 64 * 1024
MAX_ROWS = 1_000_000
_COLUMN_NAME = re.compile(r"[a-z][a-z0-9_]*")
_ROW = re.compile(r"row (\d+):")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True)
class BrokenRow:
    """A row the reader could not split into the header's cells; error names it."""

    number: int
    error: str


Line = CsvRow | BrokenRow


@dataclass(frozen=True)
class RowSource:
    """A file's columns, and its rows read afresh from the first on every call of lines()."""

    source: str
    columns: tuple[str, ...]
    lines: Callable[[], Iterator[Line]]


def table_source(table: CsvTable) -> RowSource:
    """A table already in memory (a JSON file) as a source: its rows and broken rows in order."""
    broken: dict[int, list[str]] = {}
    for error in table.errors:
        match = _ROW.match(error)
        broken.setdefault(int(match.group(1)) if match else 0, []).append(error)

    def lines() -> Iterator[Line]:
        rows: list[Line] = [*table.rows]
        rows.extend(BrokenRow(number, error) for number, errors in broken.items()
                    for error in errors)
        yield from sorted(rows, key=lambda line: line.number)

    return RowSource(table.source, table.columns, lines)


def json_source(data: bytes, source: str) -> RowSource:
    return table_source(read_json(data, source))


def csv_source(open_file: Callable[[], IO[bytes]], source: str) -> RowSource:
    """A CSV file streamed from open_file (called once per reading); the header is checked now."""
    with open_file() as handle:
        columns = _header(_records(handle, source), source)
    return RowSource(source, columns, lambda: _rows(open_file, source, columns))


def _rows(open_file: Callable[[], IO[bytes]], source: str,
          columns: tuple[str, ...]) -> Iterator[Line]:
    with open_file() as handle:
        records = _records(handle, source)
        _header(records, source)
        for index, (number, record) in enumerate(records, start=1):
            if index > MAX_ROWS:
                raise BadInput(f"{shown(source)} has more than {MAX_ROWS} rows: split it")
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(columns):
                yield BrokenRow(number, f"row {number}: cells: {len(record)} cells, "
                                        f"the header has {len(columns)} columns")
                continue
            yield CsvRow(number, dict(zip(columns, record, strict=True)))


def _header(records: Iterator[tuple[int, list[str]]], source: str) -> tuple[str, ...]:
    name = shown(source)
    first = next(records, None)
    if first is None or not any(cell.strip() for cell in first[1]):
        raise BadInput(f"{name} is empty: its first row must name the columns")
    header = first[1]
    if header[0].lstrip().startswith(("[", "{")):
        raise BadInput(f"{name} looks like JSON, not CSV: read it as JSON "
                       "(a .json file name or --format json)")
    columns = tuple(column.strip().lower() for column in header)
    for index, column in enumerate(columns, start=1):
        if not _COLUMN_NAME.fullmatch(column):
            raise BadInput(f"{name}: row 1: column {index} has no valid name ({show(column)})")
    duplicated = sorted({column for column in columns if columns.count(column) > 1})
    if duplicated:
        raise BadInput(f"{name}: row 1: column(s) named twice: {', '.join(duplicated)}")
    return columns


def _records(handle: IO[bytes], source: str) -> Iterator[tuple[int, list[str]]]:
    """CSV records numbered as a spreadsheet numbers them (the header is row 1)."""
    start = handle.read(2)
    if start.startswith(_UTF16_BOMS):
        raise BadInput(f"{shown(source)} is UTF-16 text (it starts with a UTF-16 byte-order "
                       f"mark), not UTF-8: {CSV_ADVICE}")
    handle.seek(0)
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    reader = csv.reader(_text_lines(text, source), strict=True)
    number = 0
    while True:
        try:
            record = next(reader, None)
        except csv.Error as exc:
            raise BadInput(f"{shown(source)}: line {reader.line_num}: not valid CSV ({exc})"
                           ) from None
        if record is None:
            text.detach()
            return
        number += 1
        yield number, record


def _text_lines(text: io.TextIOWrapper, source: str) -> Iterator[str]:
    """The file's lines, each refused when it is not UTF-8, holds a NUL or is far too long."""
    name = shown(source)
    line_no = 0
    while True:
        try:
            line = text.readline(MAX_LINE_CHARS + 1)
        except UnicodeDecodeError as exc:
            raise BadInput(f"{name} is not UTF-8 text (byte 0x{exc.object[exc.start]:02X} "
                           f"after line {line_no}): {CSV_ADVICE}") from None
        if not line:
            return
        line_no += 1
        if len(line) > MAX_LINE_CHARS:
            raise BadInput(f"{name}: line {line_no} is longer than {MAX_LINE_CHARS} characters")
        if "\x00" in line:
            raise BadInput(f"{name} is not a text file: NUL byte on line {line_no}: "
                           f"{CSV_ADVICE}")
        yield line
