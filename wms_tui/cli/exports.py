"""`wms export …`: ledger events by cursor and stock snapshots, for the ERP."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Annotated

import typer

from wms_tui.cli.choices import EXPORT_BATCH, EventKind
from wms_tui.cli.common import AsCsv, AsJson, handles_errors, open_site
from wms_tui.cli.output import Row, console, csv_row, emit, print_json, table
from wms_tui.domain.errors import BadInput

export_app = typer.Typer(help="Exports for the ERP: ledger events by cursor, stock snapshots.",
                         no_args_is_help=True)

# The movement's columns, then those only a shipment fills (domain.exports.SHIPMENT_COLUMNS).
EXPORT_COLUMNS = ["cursor", "event", "movement_id", "time", "sku", "quantity", "lot",
                  "from_location", "to_location", "lpn", "reference", "reason", "user",
                  "order", "order_line", "unit", "expiry", "serials", "sscc", "weight_kg",
                  "shipment"]


@export_app.command("events")
@handles_errors
def export_events(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(
        help="The cursor the last run printed, EPOCH.TXID.ID (default: from the start).",
        show_default=False,
    )] = None,
    kind: Annotated[list[EventKind] | None, typer.Option(
        help="Only these events (repeat): receipt, shipment, pick, adjustment, move, status.",
        show_default=False)] = None,
    limit: Annotated[int, typer.Option(help="Events per run.", min=1)] = EXPORT_BATCH,
    as_json: AsJson = False, as_csv: AsCsv = False,
) -> None:
    """Ledger events after a cursor, from the outbox; keep the printed cursor for the next run.

    JSON: {"cursor": next, "events": [...]}. CSV: one row per event; the next cursor goes to
    stderr as `cursor: …`. A cursor names its database's epoch: one from another database,
    from before `wms db restore`, or past the last event is refused (exit 2).
    """
    from wms_tui.domain import exports as erp

    if as_json and as_csv:
        raise BadInput("choose one of --json and --csv")
    kinds = [erp.EventKind(k.value) for k in kind or ()]
    with open_site(ctx).read_factory() as uow:
        batch = erp.next_batch(uow.reports, erp.Cursor.parse(since), limit, kinds)
    for warning in batch.warnings:
        typer.echo(f"warning: {warning}", err=True)
    rows = [e.record() for e in batch.events]
    if as_json:
        print_json({"cursor": batch.cursor.text(), "events": rows})
        return
    if as_csv:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        # Formula-safe cells: a SKU or reference like '=HYPERLINK(…)' stays text.
        writer.writerows(csv_row(r.get(column) for column in EXPORT_COLUMNS) for r in rows)
        typer.echo(out.getvalue(), nl=False)
    elif rows:
        console().print(table("Events", EXPORT_COLUMNS,
                              [[r.get(column) for column in EXPORT_COLUMNS] for r in rows],
                              {"movement_id", "quantity"}))
    else:
        typer.echo("no new events")
    typer.echo(f"cursor: {batch.cursor.text()}", err=as_csv)


@export_app.command("stock")
@handles_errors
def export_stock(ctx: typer.Context, as_json: AsJson = False, as_csv: AsCsv = False) -> None:
    """A stock snapshot per item, location, lot, LPN and status (CSV unless --json)."""
    from wms_tui.domain import masterdata

    lines = masterdata.stock_listing(open_site(ctx).read_factory())
    rows: list[Row] = [
        {"sku": ln.sku, "location": ln.location, "lot": ln.lot, "expiry": ln.expiry,
         "lpn": ln.lpn, "status": ln.status, "quantity": ln.quantity, "reserved": ln.reserved,
         "uom": ln.uom}
        for ln in lines
    ]
    emit("Stock snapshot", rows, {"quantity", "reserved"}, as_json, as_csv or not as_json,
         {"taken_at": datetime.now(UTC)} if as_json else None)
