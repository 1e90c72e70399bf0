"""`wms location …`: locations from a file, or a whole rack grid generated in walk order."""

from __future__ import annotations

from typing import Annotated

import typer

from wms_tui.cli.common import handles_errors, open_site
from wms_tui.cli.importing import DryRun, FileArg, FormatOpt, Partial, finish, run_import
from wms_tui.domain import masterdata

location_app = typer.Typer(help="Locations: import and generate.", no_args_is_help=True)


@location_app.command("import")
@handles_errors
def location_import(
    ctx: typer.Context, file: FileArg, dry_run: DryRun = False, partial: Partial = False,
    fmt: FormatOpt = None,
) -> None:
    """Create or update locations from a CSV or JSON file (docs/import-formats.md)."""
    run_import(ctx, file, "locations", masterdata.import_locations, dry_run=dry_run,
               partial=partial, fmt=fmt)


@location_app.command("generate")
@handles_errors
def location_generate(
    ctx: typer.Context,
    zone: Annotated[str, typer.Option(help="Zone code (created if new).")],
    aisles: Annotated[str, typer.Option(help="Aisles in walk order: A-C, 1-4 or A,C,F.")],
    bays: Annotated[str, typer.Option(help="Bays per aisle: 1-10.")],
    levels: Annotated[str, typer.Option(help="Levels per bay: 1-4.")],
    location_type: Annotated[
        str, typer.Option("--type", help="dock, qc, reserve, pick or staging.")
    ] = "reserve",
    positions: Annotated[str, typer.Option(help="Positions per level: 1-3.")] = "1",
    prefix: Annotated[str, typer.Option(help="Text put before every code.")] = "",
    capacity: Annotated[int | None, typer.Option(help="Capacity of each location.")] = None,
    dry_run: DryRun = False,
) -> None:
    """Create a rack grid's locations, codes AISLE-BAY-LEVEL-POSITION, in serpentine walk order.

    Aisles are walked in the order given; in the 1st, 3rd, … aisle bays go up, in the 2nd,
    4th, … they come back down; levels go up inside a bay. New locations get walk sequences
    after the highest one in the warehouse; existing ones keep theirs.
    """
    site = open_site(ctx)
    report = masterdata.generate_locations(
        site.read_factory if dry_run else site.uow_factory, zone=zone,
        location_type=location_type, aisles=aisles, bays=bays, levels=levels,
        positions=positions, prefix=prefix, capacity=capacity, dry_run=dry_run,
    )
    finish(report)
