"""`wms order import` and `wms wave release`: orders in, and outbound orders out to picking."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from wms_tui.cli.common import AsJson, AsLogin, acting_user, handles_errors, open_site
from wms_tui.cli.importing import DryRun, FileArg, FormatOpt, Importer, Partial, run_import
from wms_tui.cli.output import console, print_json, table
from wms_tui.domain import inbound, outbound
from wms_tui.domain.periods import day
from wms_tui.domain.text import shown

order_app = typer.Typer(help="Inbound orders (ASNs, purchase orders) and outbound orders.",
                        no_args_is_help=True)
wave_app = typer.Typer(help="Waves: release outbound orders for picking.", no_args_is_help=True)


class OrderKind(StrEnum):
    inbound = "inbound"
    outbound = "outbound"


@order_app.command("import")
@handles_errors
def order_import(
    ctx: typer.Context,
    file: FileArg,
    kind: Annotated[OrderKind, typer.Option(help="Which orders the file holds.")],
    dry_run: DryRun = False,
    partial: Partial = False,
    fmt: FormatOpt = None,
) -> None:
    """Create or update orders and their lines from a CSV or JSON file
    (docs/import-inbound.md, docs/import-outbound.md)."""
    importer: Importer = (outbound.import_outbound_orders if kind is OrderKind.outbound
                          else inbound.import_inbound_orders)
    run_import(ctx, file, "order lines", importer, dry_run=dry_run, partial=partial, fmt=fmt)


def _wave_json(report: outbound.WaveReport) -> dict[str, object]:
    return {
        "wave": report.code,
        "orders": list(report.orders),
        "tasks": [vars(t) for t in report.tasks],
        "unallocated": [vars(u) for u in report.unallocated],
    }


def _print_wave(report: outbound.WaveReport) -> None:
    typer.echo(f"wave {shown(report.code)}: {len(report.orders)} order(s) released "
               f"({shown(', '.join(report.orders))}), {len(report.tasks)} pick task(s)")
    screen = console()
    if report.tasks:
        screen.print(table(
            "Pick tasks (walk order)",
            ["seq", "task", "order", "line", "sku", "location", "lot", "qty", "uom"],
            [[t.seq, t.task_id, t.order, t.line_no, t.sku, t.location, t.lot, t.quantity, t.uom]
             for t in report.tasks],
            numeric={"seq", "task", "line", "qty"},
        ))
    if report.unallocated:
        screen.print(table(
            "Not allocated (left open on the order)",
            ["order", "line", "sku", "ordered", "allocated", "missing", "uom", "reason"],
            [[u.order, u.line_no, u.sku, u.quantity, u.allocated, u.missing, u.uom, u.reason]
             for u in report.unallocated],
            numeric={"line", "ordered", "allocated", "missing"},
        ))


@wave_app.command("release")
@handles_errors
def wave_release(
    ctx: typer.Context,
    login: AsLogin,
    orders: Annotated[
        list[str] | None,
        typer.Option("--order", help="An order reference to release (repeatable).",
                     show_default=False),
    ] = None,
    ship_date: Annotated[
        str | None,
        typer.Option("--ship-date", help="Open orders shipping on or before this YYYY-MM-DD.",
                     show_default=False),
    ] = None,
    max_priority: Annotated[
        int | None,
        typer.Option("--max-priority", min=1, max=9, show_default=False,
                     help="Only orders this urgent or more (1 is the most urgent)."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Release open orders into a new wave: allocate (FEFO/FIFO), reserve, create pick tasks.

    --order picks the orders; without it every open order matching --ship-date and
    --max-priority is released. Lines that cannot be allocated are listed, never dropped
    (docs/picking.md).
    """
    by_day = day(ship_date, "--ship-date") if ship_date is not None else None
    site = open_site(ctx)
    report = outbound.release_wave(
        site.uow_factory, acting_user(site, login), refs=orders, ship_date=by_day,
        max_priority=max_priority,
    )
    if as_json:
        print_json(_wave_json(report))
    else:
        _print_wave(report)
