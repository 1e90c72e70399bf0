"""`wms location …`: locations from a file, or a whole rack grid generated in walk order."""

from __future__ import annotations

from typing import Annotated

import typer

from wms_tui.cli.common import AsCsv, AsJson, handles_errors, open_site
from wms_tui.cli.importing import (
    DryRun,
    FileArg,
    FormatOpt,
    MappingOpt,
    Partial,
    finish,
    run_import,
)
from wms_tui.cli.listing import choice, emit_rows
from wms_tui.domain.model import LocationType

location_app = typer.Typer(help="Locations: import, generate and list.", no_args_is_help=True)


@location_app.command("import")
@handles_errors
def location_import(
    ctx: typer.Context, file: FileArg, dry_run: DryRun = False, partial: Partial = False,
    fmt: FormatOpt = None, mapping: MappingOpt = None,
) -> None:
    """Create or update locations from a CSV or JSON file (docs/import-formats.md)."""
    from wms_tui.domain import masterdata

    run_import(ctx, file, "locations", masterdata.import_locations, dry_run=dry_run,
               partial=partial, fmt=fmt, mapping=mapping, kind="locations")


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

    Aisles are walked in the order given, bays going up one aisle and coming back down the
    next; levels go up inside a bay. A second grid continues the walk where the warehouse's
    last aisle ended (up after down, down after up), with walk sequences after the highest one;
    existing locations keep theirs.
    """
    from wms_tui.domain import masterdata

    site = open_site(ctx)
    report = masterdata.generate_locations(
        site.read_factory if dry_run else site.uow_factory, zone=zone,
        location_type=location_type, aisles=aisles, bays=bays, levels=levels,
        positions=positions, prefix=prefix, capacity=capacity, dry_run=dry_run,
    )
    finish(report)


@location_app.command("list")
@handles_errors
def location_list(
    ctx: typer.Context,
    zone: Annotated[str | None, typer.Option(help="Only this zone.", show_default=False)] = None,
    location_type: Annotated[str | None, typer.Option(
        "--type", help="Only this type: dock, qc, reserve, pick or staging.",
        show_default=False)] = None,
    include_inactive: Annotated[bool, typer.Option(
        "--all", help="Inactive locations too.")] = False,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """List locations in walk order, with what is on hand and reserved there."""
    from wms_tui.domain import listings

    kind = choice(location_type, "--type", LocationType) if location_type else None
    where = listings.LocationFilter(zone, kind, include_inactive)
    rows = listings.location_listing(open_site(ctx).read_factory(), where)
    emit_rows("Locations", listings.LocationRow, rows,
              numeric={"walk_seq", "capacity", "on_hand", "reserved"},
              as_json=as_json, as_csv=as_csv,
              columns=["code", "type", "zone", "walk_seq", "capacity", "active", "on_hand",
                       "reserved"])
