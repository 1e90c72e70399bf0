"""`wms order …` and `wms wave …`: orders in, outbound orders out to picking, listed, shown
and cancelled."""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from wms_tui.cli.cancels import Key, Reason, print_cancel
from wms_tui.cli.choices import PickedUnits
from wms_tui.cli.common import AsCsv, AsJson, AsLogin, acting_user, handles_errors, open_site
from wms_tui.cli.importing import (
    DryRun,
    FileArg,
    FormatOpt,
    Importer,
    MappingOpt,
    Partial,
    run_import,
)
from wms_tui.cli.listing import emit_rows
from wms_tui.cli.output import console, print_json, table
from wms_tui.domain.errors import BadInput
from wms_tui.domain.periods import day, moment
from wms_tui.domain.text import shown

if TYPE_CHECKING:
    from wms_tui.domain import listings, outbound

order_app = typer.Typer(help="Inbound orders (ASNs, purchase orders) and outbound orders.",
                        no_args_is_help=True)
wave_app = typer.Typer(help="Waves: release outbound orders for picking.", no_args_is_help=True)

SiteSince = Annotated[str | None, typer.Option(
    help="From this day (YYYY-MM-DD) or ISO time, site time unless it has an offset.",
    show_default=False)]


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
    mapping: MappingOpt = None,
) -> None:
    """Create or update orders and their lines from a CSV or JSON file
    (docs/import-inbound.md, docs/import-outbound.md)."""
    from wms_tui.domain import inbound, outbound

    importer: Importer = (outbound.import_outbound_orders if kind is OrderKind.outbound
                          else inbound.import_inbound_orders)
    run_import(ctx, file, "order lines", importer, dry_run=dry_run, partial=partial, fmt=fmt,
               mapping=mapping, kind=kind.value)


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
    from wms_tui.domain import outbound

    by_day = day(ship_date, "--ship-date") if ship_date is not None else None
    site = open_site(ctx)
    report = outbound.release_wave(
        site.uow_factory, acting_user(site, login), refs=orders, ship_date=by_day,
        max_priority=max_priority, today=site.today(),
    )
    if as_json:
        print_json(_wave_json(report))
    else:
        _print_wave(report)


Statuses = Annotated[list[str] | None, typer.Option(
    "--status", help="Only orders in this status (repeatable).", show_default=False)]
KindOpt = Annotated[OrderKind | None, typer.Option(
    "--kind", help="inbound or outbound (default: both).", show_default=False)]
def _kind(kind: OrderKind | None) -> listings.OrderKind | None:
    from wms_tui.domain import listings

    return None if kind is None else listings.OrderKind(kind.value)


@order_app.command("list")
@handles_errors
def order_list(
    ctx: typer.Context, kind: KindOpt = None, status: Statuses = None, since: SiteSince = None,
    as_json: AsJson = False, as_csv: AsCsv = False,
) -> None:
    """List inbound and outbound orders by reference: lines, units ordered and done
    (received or picked)."""
    from wms_tui.domain import listings

    which = _kind(kind)
    site = open_site(ctx)
    # A day or a time without an offset is the site's, as in the reports.
    where = listings.OrderFilter(listings.order_statuses(status or [], which),
                                 moment(since, "--since", zone=site.zone))
    rows = listings.order_listing(site.read_factory(), where, which)
    emit_rows("Orders", listings.OrderRow, rows, numeric={"priority", "lines", "quantity", "done"},
              as_json=as_json, as_csv=as_csv,
              columns=["kind", "reference", "party", "status", "due", "priority", "wave",
                       "lines", "quantity", "done"])


@order_app.command("show")
@handles_errors
def order_show(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help="The order reference.")],
    kind: KindOpt = None,
    as_json: AsJson = False,
) -> None:
    """One order and its lines: ordered, allocated, picked and short, or received."""
    from wms_tui.domain import listings

    detail = listings.order_detail(open_site(ctx).read_factory(), reference, _kind(kind))
    order = detail.order
    if as_json:
        print_json({**dataclasses.asdict(order), "lines": [vars(ln) for ln in detail.lines]})
        return
    typer.echo(f"{order.kind.value} order {shown(order.reference)}: {order.status}, "
               f"{shown(order.party) or '-'}, due {order.due or '-'}"
               + (f", wave {shown(order.wave)}" if order.wave else ""))
    if order.kind is listings.OrderKind.OUTBOUND:
        columns = ["line", "sku", "uom", "ordered", "allocated", "picked", "short"]
        cells = [[ln.line_no, ln.sku, ln.uom, ln.ordered, ln.allocated, ln.picked, ln.short]
                 for ln in detail.lines]
    else:
        columns = ["line", "sku", "uom", "ordered", "received", "lot", "expiry"]
        cells = [[ln.line_no, ln.sku, ln.uom, ln.ordered, ln.received, ln.lot,
                  ln.expiry.isoformat() if ln.expiry else None] for ln in detail.lines]
    console().print(table("Lines", columns, cells,
                          numeric={"line", "ordered", "allocated", "picked", "short",
                                   "received"}))


@order_app.command("cancel")
@handles_errors
def order_cancel(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help="The order reference.")],
    login: AsLogin,
    kind: KindOpt = None,
    reason: Reason = None,
    picked: Annotated[PickedUnits | None, typer.Option(
        help="For an outbound order with picked units: return-to-stock moves them from its "
             "totes to --to; keep leaves them where they are.", show_default=False)] = None,
    to: Annotated[str | None, typer.Option(
        "--to", help="Where picked units go back to (with --picked return-to-stock).",
        show_default=False)] = None,
    key: Key = None,
    as_json: AsJson = False,
) -> None:
    """Cancel an order. Outbound: its open pick tasks and reservations go (picked units need
    --picked). Inbound: cancelled, unless anything was received."""
    from wms_tui.domain import listings
    from wms_tui.domain.inbound.cancels import cancel_inbound_order
    from wms_tui.domain.outbound import cancels

    site = open_site(ctx)
    actor = acting_user(site, login)
    which = _kind(kind)
    if which is None:
        which = listings.order_detail(site.read_factory(), reference, None).order.kind
    if which is listings.OrderKind.INBOUND:
        if picked is not None or to is not None:
            raise BadInput("--picked and --to are for outbound orders")
        result = cancel_inbound_order(site.uow_factory, actor, reference, reason=reason,
                                      key=key)
    else:
        if to is not None and picked is not PickedUnits.RETURN_TO_STOCK:
            raise BadInput("--to goes with --picked return-to-stock")
        result = cancels.cancel_order(
            site.uow_factory, actor, reference, reason=reason,
            picked=None if picked is None else cancels.PickedUnits(picked.value),
            to_location=to, key=key)
    print_cancel(result, as_json)


@wave_app.command("list")
@handles_errors
def wave_list(
    ctx: typer.Context,
    status: Annotated[list[str] | None, typer.Option(
        "--status", help="released, picking, done or cancelled (repeatable).",
        show_default=False)] = None,
    since: SiteSince = None, as_json: AsJson = False, as_csv: AsCsv = False,
) -> None:
    """List waves: who released them, their orders and tasks (open and cancelled)."""
    from wms_tui.domain import listings

    site = open_site(ctx)
    where = listings.WaveFilter(listings.wave_statuses(status or []),
                                moment(since, "--since", zone=site.zone))
    rows = listings.wave_listing(site.read_factory(), where)
    emit_rows("Waves", listings.WaveRow, rows,
              numeric={"orders", "tasks", "open_tasks", "cancelled_tasks"},
              as_json=as_json, as_csv=as_csv)


@wave_app.command("cancel")
@handles_errors
def wave_cancel(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The wave code, like W0001.")],
    login: AsLogin,
    reason: Reason = None,
    key: Key = None,
    as_json: AsJson = False,
) -> None:
    """Cancel a wave's open pick tasks and release their stock; its orders go back to open
    for a new wave (units already picked stay in their totes)."""
    from wms_tui.domain.outbound.cancels import cancel_wave

    site = open_site(ctx)
    result = cancel_wave(site.uow_factory, acting_user(site, login), code,
                         reason=reason, key=key)
    print_cancel(result, as_json)
