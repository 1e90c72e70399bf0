"""`wms stock`, `wms movements` and `wms scan explain`: what is where, what moved, what a
scan says."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from wms_tui.cli.common import AsJson, ItemFilter, LocationFilter, handles_errors, open_site
from wms_tui.cli.output import console, print_json, table
from wms_tui.domain.errors import BadInput
from wms_tui.domain.text import visible

scan_app = typer.Typer(help="Scanner diagnostics.", no_args_is_help=True)


# `wms stock` lists stock on hand; its subcommands (import, adjust, status) change it.
stock_app = typer.Typer(help="Stock on hand: list it, or load, adjust and re-status it.",
                        invoke_without_command=True)


@stock_app.callback()
@handles_errors
def stock(
    ctx: typer.Context,
    item: ItemFilter = None,
    location: LocationFilter = None,
    as_json: AsJson = False,
) -> None:
    """Stock on hand by item, location, lot, LPN and status."""
    if ctx.invoked_subcommand is not None:
        return
    from wms_tui.domain import masterdata

    lines = masterdata.stock_listing(open_site(ctx).read_factory(), item=item, location=location)
    rows = [
        {
            "sku": ln.sku, "description": ln.description, "location": ln.location, "lot": ln.lot,
            "expiry": ln.expiry, "lpn": ln.lpn, "status": ln.status, "quantity": ln.quantity,
            "reserved": ln.reserved, "uom": ln.uom,
        }
        for ln in lines
    ]
    if as_json:
        print_json(rows)
    elif not rows:
        typer.echo("no stock")
    else:
        console().print(table(
            "Stock", list(rows[0]), [list(r.values()) for r in rows],
            numeric={"quantity", "reserved"},
        ))


def _statuses(before: Enum | None, after: Enum | None) -> str:
    if before is not None and after is not None and before != after:
        return f"{before.value}>{after.value}"
    shown = before or after
    return "" if shown is None else str(shown.value)


MOVEMENT_COLUMNS = ["id", "time (UTC)", "kind", "sku", "qty", "from", "to", "lot", "lpn",
                    "status", "user", "terminal", "reference", "reason"]


@handles_errors
def movements(
    ctx: typer.Context,
    item: ItemFilter = None,
    location: LocationFilter = None,
    since: Annotated[
        str | None,
        typer.Option(help="From this ISO time (UTC unless it says).", show_default=False),
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Before this ISO time.", show_default=False)
    ] = None,
    limit: Annotated[int, typer.Option(help="Only the newest N; 0 for all.")] = 100,
    as_json: AsJson = False,
) -> None:
    """The movement ledger, oldest first."""
    from wms_tui.domain import masterdata

    lines = masterdata.movement_listing(
        open_site(ctx).read_factory(), item=item, location=location, since=since,
        until=until, limit=limit,
    )
    if as_json:
        print_json([
            {
                "id": ln.id, "time": ln.created_at.isoformat(), "kind": ln.kind.value,
                "sku": ln.sku, "quantity": ln.quantity, "uom": ln.uom,
                "from": ln.from_location, "to": ln.to_location, "lot": ln.lot,
                "lpn": ln.to_lpn or ln.from_lpn, "from_lpn": ln.from_lpn, "to_lpn": ln.to_lpn,
                "from_status": ln.from_status, "to_status": ln.to_status, "user": ln.user,
                "terminal": ln.terminal, "reference": ln.reference, "reason": ln.reason,
                "approved_by": ln.approved_by,
            }
            for ln in lines
        ])
        return
    if not lines:
        typer.echo("no movements")
        return
    shown = [
        [ln.id, ln.created_at.isoformat(timespec="seconds"), ln.kind.value, ln.sku, ln.quantity,
         ln.from_location, ln.to_location, ln.lot, ln.to_lpn or ln.from_lpn,
         _statuses(ln.from_status, ln.to_status), ln.user, ln.terminal, ln.reference, ln.reason]
        for ln in lines
    ]
    console().print(table("Movements", MOVEMENT_COLUMNS, shown, numeric={"id", "qty"}))


def _spelled_gs(data: str) -> str:
    """Shells cannot type GS (0x1D), so '\\x1d' and '<GS>' stand for it."""
    from wms_tui.domain.scan import GS

    return data.replace("\\x1d", GS).replace("\\x1D", GS).replace("<GS>", GS)


@scan_app.command("explain")
@handles_errors
def scan_explain(
    ctx: typer.Context,
    data: Annotated[str, typer.Argument(help="What the scanner sent; write GS as \\x1d or <GS>.")],
    separator: Annotated[
        str | None,
        typer.Option(help="A character standing for GS, e.g. '|'.", show_default=False),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Show how a scan is read: normalisation, GS1 fields, check digits and what it names."""
    from wms_tui.domain.scan import scan_explanation

    with open_site(ctx).read_factory() as uow:
        try:
            explanation = scan_explanation(_spelled_gs(data), uow.catalog, separator=separator)
        except ValueError as exc:
            raise BadInput(str(exc)) from None
    if as_json:
        print_json(explanation)
        return
    from rich.text import Text

    out = console()
    rows: dict[str, object] = {}
    for key, value in explanation.items():
        weights = value.get("weights") if key == "gs1_data" and isinstance(value, dict) else None
        if isinstance(value, dict) and isinstance(weights, dict):
            rows[key] = {k: v for k, v in value.items() if k != "weights"}
            # Each weight AI decoded on a line under its raw digits: (3103) 1.234 kg net.
            if weights:
                rows["weights"] = [f"({ai}) {w['value']} {w['unit']} {w['basis']}"
                                   for ai, w in weights.items()]
        else:
            rows[key] = value
    for key, value in rows.items():
        if isinstance(value, dict):
            shown = ", ".join(f"{k}={v}" for k, v in value.items() if v not in (None, {}, []))
        elif isinstance(value, list):
            shown = "; ".join(str(v) for v in value)
        else:
            shown = "" if value is None else str(value)
        # The explanation shows the raw scan already; visible catches what it left raw.
        out.print(Text(visible(f"{key:>13}: {shown}")))
