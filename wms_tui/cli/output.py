"""How `wms` prints: Rich tables of plain text, JSON, and CSV for reports."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import Enum

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from wms_tui.domain.errors import BadInput

Row = dict[str, object]


def console() -> Console:
    # Built per command so it writes to whatever stdout is now (a terminal, a pipe, a test).
    return Console(highlight=False)


def json_value(value: object) -> object:
    """Dates as ISO text and enums as their values; anything else JSON cannot write is a bug."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def print_json(data: object) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=json_value))


def _cell(value: object) -> Text:
    """Data goes into tables as plain Text, so a '[' in a description is never Rich markup."""
    if value is None:
        return Text("")
    if isinstance(value, Enum):
        return Text(str(value.value))
    if isinstance(value, datetime):
        return Text(value.isoformat(timespec="seconds"))
    return Text(str(value))


def table(
    title: str, columns: Sequence[str], rows: Sequence[Sequence[object]], numeric: set[str]
) -> Table:
    shown = Table(title=title, title_justify="left")
    for column in columns:
        shown.add_column(column, justify="right" if column in numeric else "left")
    for row in rows:
        shown.add_row(*(_cell(v) for v in row))
    return shown


def print_csv(rows: Sequence[Mapping[str, object]]) -> None:
    """A header from the first row's keys, then one line per row; nothing for no rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if rows:
        writer.writerow(list(rows[0]))
        writer.writerows([json_value(v) if isinstance(v, datetime | date | Enum) else v
                          for v in r.values()] for r in rows)
    typer.echo(out.getvalue(), nl=False)


def emit(title: str, rows: list[Row], numeric: set[str], as_json: bool, as_csv: bool,
         summary: Row | None = None, shown: Sequence[Sequence[object]] | None = None,
         columns: list[str] | None = None) -> None:
    """One report, as a rich table (with a summary line), JSON (summary + rows) or CSV (rows).

    shown and columns are the table's rows and headings when it shows less than the rows hold.
    """
    if as_json and as_csv:
        raise BadInput("choose one of --json and --csv")
    if as_json:
        print_json({**(summary or {}), "rows": rows})
        return
    if as_csv:
        print_csv(rows)
        return
    if rows:
        console().print(table(title, columns or list(rows[0]),
                              shown if shown is not None else [list(r.values()) for r in rows],
                              numeric))
    else:
        typer.echo(f"{title}: nothing to show")
    if summary:
        typer.echo("  ".join(f"{k}: {'' if v is None else v}" for k, v in summary.items()))
