"""How `wms` prints: Rich tables of plain text, JSON, and CSV for reports."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING

import typer

from wms_tui.domain.errors import BadInput
from wms_tui.domain.text import csv_cell, shown_any

# Rich is loaded by the first table, so a command that prints JSON or CSV never loads it.
if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

Row = dict[str, object]


def console() -> Console:
    from rich.console import Console

    # Built per command so it writes to whatever stdout is now (a terminal, a pipe, a test).
    return Console(highlight=False)


def json_value(value: object) -> object:
    """Dates as ISO text and enums as their values; anything else JSON cannot write is a bug."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _json_escape(character: str) -> str:
    """One character as JSON's \\uXXXX escape; past U+FFFF as its UTF-16 surrogate pair."""
    code = ord(character)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def printable_json(text: str) -> str:
    """JSON text with every unprintable character that json.dumps leaves raw (DEL, C1
    controls, bidi overrides, lone surrogates) written as \\uXXXX: the same data once read,
    but nothing a terminal acts on. Raw line breaks in json.dumps output are layout only."""
    return "\n".join(
        line if line.isprintable() else "".join(
            c if c.isprintable() else _json_escape(c) for c in line)
        for line in text.split("\n")
    )


def print_json(data: object) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False, default=json_value)
    typer.echo(printable_json(text))


def _cell(value: object) -> Text:
    """Data goes into tables as plain Text, so a '[' in a description is never Rich markup,
    and shown, so an ESC in it is seen, never obeyed by the terminal."""
    from rich.text import Text

    if isinstance(value, Enum):
        return Text(shown_any(value.value))
    if isinstance(value, datetime):
        return Text(value.isoformat(timespec="seconds"))
    return Text(shown_any(value))


def table(
    title: str, columns: Sequence[str], rows: Sequence[Sequence[object]], numeric: set[str]
) -> Table:
    from rich.table import Table
    from rich.text import Text

    # The title may name data (a location, a user), so it is plain Text too.
    drawn = Table(title=Text(shown_any(title), style="table.title"), title_justify="left")
    for column in columns:
        drawn.add_column(column, justify="right" if column in numeric else "left")
    for row in rows:
        drawn.add_row(*(_cell(v) for v in row))
    return drawn


def print_csv(rows: Sequence[Mapping[str, object]], fields: Sequence[str] | None = None) -> None:
    """A header from the first row's keys (else from fields, so a script reading an empty
    listing still finds its columns), then one line per row; nothing for no rows and no fields.

    Every cell goes through csv_cell, so a spreadsheet shows a SKU like '=HYPERLINK(…)' as
    text instead of running it.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = list(rows[0]) if rows else list(fields or ())
    if header:
        writer.writerow([csv_cell(name) for name in header])
        writer.writerows(csv_row(r.values()) for r in rows)
    typer.echo(out.getvalue(), nl=False)


def csv_row(values: Iterable[object]) -> list[object]:
    """One CSV line's cells: dates and enums as JSON writes them, each cell formula-safe."""
    return [csv_cell(json_value(v) if isinstance(v, datetime | date | Enum) else v)
            for v in values]


def emit(title: str, rows: list[Row], numeric: set[str], as_json: bool, as_csv: bool,
         summary: Row | None = None, shown: Sequence[Sequence[object]] | None = None,
         columns: list[str] | None = None, fields: Sequence[str] | None = None) -> None:
    """One report, as a rich table (with a summary line), JSON (summary + rows) or CSV (rows).

    shown and columns are the table's rows and headings when it shows less than the rows hold;
    fields are the rows' keys, the CSV header when there are no rows.
    """
    if as_json and as_csv:
        raise BadInput("choose one of --json and --csv")
    if as_json:
        print_json({**(summary or {}), "rows": rows})
        return
    if as_csv:
        print_csv(rows, fields)
        return
    if rows:
        console().print(table(title, columns or list(rows[0]),
                              shown if shown is not None else [list(r.values()) for r in rows],
                              numeric))
    else:
        typer.echo(f"{shown_any(title)}: nothing to show")
    if summary:
        typer.echo("  ".join(f"{k}: {shown_any(v)}" for k, v in summary.items()))
