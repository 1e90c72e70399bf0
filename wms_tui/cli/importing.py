"""What every `wms … import` shares: reading the file, the progress bar and the report."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Protocol

import typer

from wms_tui.cli.common import open_site
from wms_tui.cli.output import console
from wms_tui.domain import field_mapping, import_files
from wms_tui.domain.errors import BadInput
from wms_tui.domain.field_mapping import FieldMapping
from wms_tui.domain.import_files import CsvTable
from wms_tui.domain.text import shown, visible

if TYPE_CHECKING:
    from wms_tui.bootstrap import UnitOfWorkFactory
    from wms_tui.domain.importing import ImportReport

# Files shorter than this import in a blink; a bar would only flicker.
PROGRESS_MIN_ROWS = 200
# The console the bar draws on, by this name so a test can hand it a terminal.
_out = console

Advance = Callable[[int], None]


class Importer(Protocol):
    """A domain importer: checks every row, then writes them all (or, dry, nothing)."""

    def __call__(self, uow_factory: UnitOfWorkFactory, table: CsvTable, /, *, dry_run: bool,
                 partial: bool, progress: Advance | None) -> ImportReport: ...


FileArg = Annotated[Path, typer.Argument(
    help="A UTF-8 CSV file with a header row, or a JSON array of objects (*.json).")]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Check every row and report; change nothing.")
]
Partial = Annotated[bool, typer.Option(
    "--partial",
    help="Import every document without errors and reject the others (exit 2 if any).",
)]


MappingOpt = Annotated[Path | None, typer.Option(
    "--mapping", help="A field mapping (JSON or *.toml) from an ERP's column names and codes "
    "to ours (docs/api.md, Field mapping).", show_default=False,
)]


class FileFormat(StrEnum):
    csv = "csv"
    json = "json"


FormatOpt = Annotated[FileFormat | None, typer.Option(
    "--format", help="Read the file as csv or json (default: json for *.json, else csv).",
    show_default=False,
)]


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, never more than one past the limit, so a 1 GB file (or /dev/zero)
    is refused without being read whole; a regular file is refused by its size unread."""
    try:
        with path.open("rb") as handle:
            import_files.check_size(os.fstat(handle.fileno()).st_size, str(path))
            return handle.read(import_files.MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise BadInput(f"cannot read {shown(str(path))}: {exc.strerror or exc}") from None


def _read_table(path: Path, fmt: FileFormat | None = None,
                mapped: tuple[FieldMapping, str] | None = None) -> CsvTable:
    """The file as a table; with a mapping, in our column names and codes."""
    data = _read_bytes(path)
    kind = import_files.format_for(path.name, fmt.value if fmt else None)
    if mapped is None:
        return import_files.read_table(data, str(path), kind)
    mapping, what = mapped
    if kind == "csv":
        data = field_mapping.rename_csv_header(mapping, what, data, str(path))
    table = import_files.read_table(data, str(path), kind)
    return field_mapping.apply_table(mapping, what, table)


def read_mapping(path: Path) -> FieldMapping:
    """A mapping file, checked against every import's columns."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read {shown(str(path))}: {exc.strerror or exc}") from None
    return field_mapping.read(data, shown(str(path)), field_mapping.import_columns())


@contextmanager
def _progress(rows: int, label: str) -> Iterator[Advance | None]:
    """A transient bar on a terminal for long files; nothing at all in pipes and tests."""
    screen = _out()
    if rows < PROGRESS_MIN_ROWS or not screen.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=screen, transient=True) as bar:
        # Each row is visited twice: once to check it, once to write it.
        task = bar.add_task(label, total=2 * rows)
        yield lambda steps: bar.advance(task, steps)


def finish(report: ImportReport) -> None:
    """Print the report; any refused row makes the exit code 2.

    The importers show the file's content in their messages; visible is the last line of
    defence for any they missed.
    """
    for error in report.errors:
        typer.echo(visible(error), err=True)
    for note in report.notes:
        typer.echo(visible(note))
    typer.echo(visible(report.summary()))
    if report.errors:
        raise typer.Exit(2)


def run_import(ctx: typer.Context, file: Path, label: str, importer: Importer, *,
               dry_run: bool, partial: bool, fmt: FileFormat | None,
               mapping: Path | None = None, kind: str = "") -> None:
    """Read the file, run one domain importer (read-only when dry), print its report.

    With a mapping file, kind ("items", "outbound", ...) picks its fields section, and the
    report names a renamed column by the file's name too.
    """
    mapped = (read_mapping(mapping), kind or label) if mapping is not None else None
    table = _read_table(file, fmt, mapped)
    site = open_site(ctx)
    with _progress(len(table.rows), label) as advance:
        report = importer(
            site.read_factory if dry_run else site.uow_factory, table, dry_run=dry_run,
            partial=partial, progress=advance,
        )
    if mapped is not None:
        report.errors[:] = [field_mapping.explain(*mapped, e) for e in report.errors]
    finish(report)
