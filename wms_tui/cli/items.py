"""`wms item …`: items and their units of measure."""

from __future__ import annotations

import typer

from wms_tui.cli.common import handles_errors
from wms_tui.cli.importing import DryRun, FileArg, FormatOpt, Partial, run_import
from wms_tui.domain import masterdata

item_app = typer.Typer(help="Items and their units of measure.", no_args_is_help=True)


@item_app.command("import")
@handles_errors
def item_import(
    ctx: typer.Context, file: FileArg, dry_run: DryRun = False, partial: Partial = False,
    fmt: FormatOpt = None,
) -> None:
    """Create or update items and their units from a CSV or JSON file, one row per unit."""
    run_import(ctx, file, "items", masterdata.import_items, dry_run=dry_run,
               partial=partial, fmt=fmt)
