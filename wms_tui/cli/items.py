"""`wms item …`: items and their units of measure."""

from __future__ import annotations

from typing import Annotated

import typer

from wms_tui.cli.common import AsCsv, AsJson, handles_errors, open_site
from wms_tui.cli.importing import DryRun, FileArg, FormatOpt, MappingOpt, Partial, run_import
from wms_tui.cli.listing import emit_rows

item_app = typer.Typer(help="Items and their units of measure.", no_args_is_help=True)


@item_app.command("import")
@handles_errors
def item_import(
    ctx: typer.Context, file: FileArg, dry_run: DryRun = False, partial: Partial = False,
    fmt: FormatOpt = None, mapping: MappingOpt = None,
) -> None:
    """Create or update items and their units from a CSV or JSON file, one row per unit."""
    from wms_tui.domain import masterdata

    run_import(ctx, file, "items", masterdata.import_items, dry_run=dry_run,
               partial=partial, fmt=fmt, mapping=mapping, kind="items")


@item_app.command("list")
@handles_errors
def item_list(
    ctx: typer.Context,
    zone: Annotated[str | None, typer.Option(help="Only this zone.", show_default=False)] = None,
    abc: Annotated[str | None, typer.Option(
        "--abc", help="Only this ABC class (A, B or C).", show_default=False)] = None,
    search: Annotated[str | None, typer.Option(
        help="Only SKUs or descriptions containing this text.", show_default=False)] = None,
    include_inactive: Annotated[bool, typer.Option("--all", help="Inactive items too.")] = False,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """List items by SKU, with what is on hand and reserved."""
    from wms_tui.domain import listings

    where = listings.ItemFilter(zone, abc, search, include_inactive)
    rows = listings.item_listing(open_site(ctx).read_factory(), where)
    emit_rows("Items", listings.ItemRow, rows,
              numeric={"min_qty", "max_qty", "on_hand", "reserved"},
              as_json=as_json, as_csv=as_csv,
              columns=["sku", "description", "base_uom", "abc_class", "zone", "active",
                       "on_hand", "reserved"])
