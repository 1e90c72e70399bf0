"""`wms stock import`: the opening stock of a new site, from a CSV or JSON file
(docs/import-formats.md, "Opening stock")."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import typer

from wms_tui.cli.choices import OPENING_BATCH, OPENING_MAX_BATCH
from wms_tui.cli.common import acting_user, handles_errors, open_site
from wms_tui.cli.importing import DryRun, FileArg, FileFormat, FormatOpt, Partial
from wms_tui.cli.output import console
from wms_tui.cli.stock import stock_app
from wms_tui.domain import import_files, import_stream
from wms_tui.domain.errors import BadInput
from wms_tui.domain.text import shown, visible

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from wms_tui.domain.opening_stock import OpeningReport

# The console the bar draws on, by this name so a test can hand it a terminal.
_out = console

AllowExisting = Annotated[bool, typer.Option(
    "--allow-existing",
    help="Load even though the site already has stock movements (adds to that stock).",
)]
BatchSize = Annotated[int, typer.Option(
    "--batch-size", min=1, max=OPENING_MAX_BATCH, help="Lines posted per transaction.")]
ActingLogin = Annotated[str, typer.Option(
    "--as", help="User ID of the supervisor or admin loading the stock (on every movement).")]


def _source(path: Path, fmt: FileFormat | None) -> import_stream.RowSource:
    """CSV streams from the file (read again to post); JSON is read whole, under its cap."""
    kind = import_files.format_for(path.name, fmt.value if fmt else None)
    name = str(path)

    def open_file() -> IO[bytes]:
        try:
            return path.open("rb")
        except OSError as exc:
            raise BadInput(f"cannot read {shown(name)}: {exc.strerror or exc}") from None

    if kind == "csv":
        return import_stream.csv_source(open_file, name)
    with open_file() as handle:
        import_files.check_size(os.fstat(handle.fileno()).st_size, name)
        data = handle.read(import_files.MAX_FILE_BYTES + 1)
    return import_stream.json_source(data, name)


class _Bar:
    """rich.progress behind the domain's Progress: one task per stage."""

    def __init__(self, bar: Progress) -> None:
        self.bar = bar
        self.task: TaskID | None = None

    def stage(self, label: str, total: int | None) -> None:
        if self.task is not None:
            self.bar.remove_task(self.task)
        self.task = self.bar.add_task(label, total=total)

    def advance(self, steps: int) -> None:
        if self.task is not None:
            self.bar.advance(self.task, steps)


@contextmanager
def _progress() -> Iterator[_Bar | None]:
    """A transient bar on a terminal; nothing at all in pipes and tests."""
    screen = _out()
    if not screen.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=screen, transient=True) as bar:
        yield _Bar(bar)


def _finish(report: OpeningReport) -> None:
    """Errors to stderr, notes and the summary to stdout; any error makes the exit code 2."""
    for error in report.errors:
        typer.echo(visible(error), err=True)
    for note in report.notes:
        typer.echo(visible(note))
    typer.echo(visible(report.summary()))
    if report.errors:
        raise typer.Exit(2)


@stock_app.command("import")
@handles_errors
def import_stock(
    ctx: typer.Context,
    file: FileArg,
    login: ActingLogin,
    dry_run: DryRun = False,
    partial: Partial = False,
    fmt: FormatOpt = None,
    allow_existing: AllowExisting = False,
    batch_size: BatchSize = OPENING_BATCH,
) -> None:
    """Load the stock already on the shelves: one OPENING receipt per line, all or nothing
    (or --partial); running the same file again posts only lines not posted yet."""
    from wms_tui.domain.opening_stock import import_opening_stock

    source = _source(file, fmt)
    site = open_site(ctx)
    actor = acting_user(site, login)
    with _progress() as bar:
        report = import_opening_stock(
            site.read_factory if dry_run else site.uow_factory, actor, source,
            dry_run=dry_run, partial=partial, allow_existing=allow_existing,
            batch_size=batch_size, progress=bar,
        )
    _finish(report)
