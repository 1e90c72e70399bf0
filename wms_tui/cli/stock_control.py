"""`wms stock adjust` and `wms stock status`: supervised corrections on the ledger, each with a
reason of the right kind and the supervisor recorded."""

from __future__ import annotations

from typing import Annotated

import typer

from wms_tui.cli.common import AsJson, AsLogin, acting_user, handles_errors, open_site
from wms_tui.cli.output import print_json
from wms_tui.cli.stock import stock_app
from wms_tui.domain.errors import BadInput
from wms_tui.domain.model import PostResult, StockStatus
from wms_tui.domain.text import shown

Item = Annotated[str, typer.Option("--item", help="SKU, barcode, alias or GTIN.")]
Location = Annotated[str, typer.Option("--location", help="Location code or barcode.")]
Lot = Annotated[str | None, typer.Option("--lot", help="The lot (lot-tracked items).",
                                         show_default=False)]
Lpn = Annotated[str | None, typer.Option("--lpn", help="The LPN the stock is on.",
                                         show_default=False)]
Reference = Annotated[str | None, typer.Option(
    "--reference", help="Reference on the ledger row (default ADJ-/STATUS- and the location).",
    show_default=False)]
STATUSES = ", ".join(s.value for s in StockStatus)


def _status(text: str, option: str) -> StockStatus:
    try:
        return StockStatus(text.strip().lower())
    except ValueError:
        raise BadInput(f"{option}: {shown(text, 20)} is not a status ({STATUSES})") from None


def _signed(text: str) -> int:
    """A signed whole number of base units, such as +5 or -3 (typer reads -3 as an option)."""
    body = text.strip()
    digits = body[1:] if body[:1] in "+-" else body
    if not digits.isascii() or not digits.isdigit() or len(digits) > 9:
        raise BadInput(f"--qty: {shown(text, 20)} is not a signed whole number such as +5 or -3")
    return int(body)


def _done(result: PostResult, as_json: bool) -> None:
    if as_json:
        print_json({"confirmation": result.confirmation, "movement_ids": result.movement_ids,
                    "message": result.message})
    else:
        typer.echo(f"{shown(result.message)}; movement {', '.join(map(str, result.movement_ids))}")


@stock_app.command("adjust")
@handles_errors
def stock_adjust(
    ctx: typer.Context,
    item: Item,
    location: Location,
    qty: Annotated[str, typer.Option(
        "--qty", help="Signed base units: +N found, -N lost or written off.")],
    reason: Annotated[str, typer.Option("--reason", help="An adjust reason code (LOST, FOUND…).")],
    login: AsLogin,
    lot: Lot = None,
    lpn: Lpn = None,
    status: Annotated[str, typer.Option("--status", help=f"The balance's status ({STATUSES}).")]
    = "available",
    reference: Reference = None,
    as_json: AsJson = False,
) -> None:
    """Correct a balance by a signed quantity, with a reason, as a supervisor.

    It never takes a balance below zero or below what is reserved for picking.
    """
    from wms_tui.domain import stock_control
    from wms_tui.domain.stock import new_confirmation_key

    request = stock_control.AdjustRequest(
        stock_control.StockPlace(item, location, lot, lpn), _signed(qty), reason,
        _status(status, "--status"), reference)
    site = open_site(ctx)
    _done(stock_control.adjust_stock(site.uow_factory, acting_user(site, login), request,
                                     new_confirmation_key()), as_json)


@stock_app.command("status")
@handles_errors
def stock_status(
    ctx: typer.Context,
    item: Item,
    location: Location,
    qty: Annotated[int, typer.Option("--qty", min=1, help="Base units to change.")],
    from_status: Annotated[str, typer.Option("--from", help=f"Status now ({STATUSES}).")],
    to_status: Annotated[str, typer.Option("--to", help="The status it gets.")],
    login: AsLogin,
    lot: Lot = None,
    lpn: Lpn = None,
    reason: Annotated[str | None, typer.Option(
        "--reason", show_default=False,
        help="A status reason code; default QC-PASS for a QC release, QC-FAIL for a hold, "
             "BLOCK/UNBLOCK for blocking; needed for anything else.")] = None,
    reference: Reference = None,
    as_json: AsJson = False,
) -> None:
    """Change the status of stock in place: release or hold for QC, mark damaged, block."""
    from wms_tui.domain import stock_control
    from wms_tui.domain.stock import new_confirmation_key

    request = stock_control.StatusRequest(
        stock_control.StockPlace(item, location, lot, lpn), qty,
        _status(from_status, "--from"), _status(to_status, "--to"), reason, reference)
    site = open_site(ctx)
    _done(stock_control.change_stock_status(site.uow_factory, acting_user(site, login), request,
                                            new_confirmation_key()), as_json)
