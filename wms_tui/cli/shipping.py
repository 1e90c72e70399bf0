"""`wms pack`, `wms ship` and `wms return`: pack totes into cartons, load and ship confirm,
customer returns; thin over domain.shipping (docs/admin-guide.md, "Pack and ship")."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from wms_tui.cli.common import AsCsv, AsJson, acting_user, handles_errors, open_site
from wms_tui.cli.output import Row, emit, print_json
from wms_tui.domain.errors import BadInput
from wms_tui.domain.text import shown

if TYPE_CHECKING:
    from decimal import Decimal

    from wms_tui.domain.shipping import PackRequest, ReturnLineRequest, WeightSource
    from wms_tui.domain.shipping.model import CartonRef, ShipmentView

pack_app = typer.Typer(help="Pack totes into cartons with SSCCs.", no_args_is_help=True)
ship_app = typer.Typer(help="Shipments: load cartons at a dock door, ship confirm, lists, "
                       "packing lists.", no_args_is_help=True)
return_app = typer.Typer(help="Customer returns.", no_args_is_help=True)

AsUser = Annotated[str, typer.Option("--as", help="User ID of the person doing this (recorded).")]
Key = Annotated[str | None, typer.Option(
    "--key", help="Confirmation key: the same key again replays the first result.",
    show_default=False)]
ItemSpec = Annotated[list[str] | None, typer.Option(
    "--item", help="SKU=QTY or SKU=QTY@LOT in base units (repeat).", show_default=False)]
DISPOSITIONS = "restock, qc_hold, scrap"


def _quantity(text: str, what: str) -> int:
    body = text.strip()
    if not body.isascii() or not body.isdigit() or len(body) > 9 or int(body) == 0:
        raise BadInput(f"{what}: {shown(text, 20)} is not a quantity above 0")
    return int(body)


def _requests(items: list[str], serials: list[str]) -> list[PackRequest]:
    from wms_tui.domain.shipping import PackRequest

    found = []
    for spec in items:
        sku, _, rest = spec.partition("=")
        qty, _, lot = rest.partition("@")
        if not sku.strip() or not qty:
            raise BadInput(f"--item {shown(spec, 40)}: write SKU=QTY or SKU=QTY@LOT")
        found.append(PackRequest(sku.strip(), _quantity(qty, "--item"), lot.strip() or None))
    if serials:
        if len(found) != 1:
            raise BadInput("--serial goes with exactly one --item")
        found[0] = PackRequest(found[0].item, found[0].quantity, found[0].lot, tuple(serials))
    return found


def _weight(weight: str | None, scan: str | None, scale: str | None,
            timeout: float) -> tuple[Decimal | None, WeightSource | None]:
    """The carton's weight in kg: keyed, from a GS1 weight AI scan, or read from a scale."""
    from decimal import Decimal, InvalidOperation

    from wms_tui.domain.shipping import WeightSource

    given = [name for name, value in (("--weight", weight), ("--weight-scan", scan),
                                      ("--scale", scale)) if value is not None]
    if len(given) > 1:
        raise BadInput(f"give one of {', '.join(given)}")
    if weight is not None:
        try:
            return Decimal(weight.strip()), WeightSource.KEYED
        except InvalidOperation:
            raise BadInput(f"--weight must be kg such as 12.5, not {shown(weight, 20)}") from None
    if scan is not None:
        from wms_tui.domain.scan import parse_gs1

        data = parse_gs1(scan.strip())
        found = data.weight if data is not None else None
        if found is None:
            raise BadInput(f"--weight-scan {shown(scan, 40)} has no GS1 weight (310n-340n)")
        return found.in_kg(), WeightSource.SCAN
    if scale is not None:
        from wms_tui.scale import read_stable_weight

        return read_stable_weight(scale, timeout=timeout).in_kg(), WeightSource.SCALE
    return None, None


@pack_app.command("carton")
@handles_errors
def pack_carton(
    ctx: typer.Context,
    tote: Annotated[str, typer.Argument(help="The tote (a staging location) to pack from.")],
    login: AsUser,
    kind: Annotated[str, typer.Option("--type", help="Carton type code, e.g. BOX-M.")],
    items: ItemSpec = None,
    everything: Annotated[bool, typer.Option("--all", help="Pack all that is left in the tote.")]
    = False,
    serial: Annotated[list[str] | None, typer.Option(
        "--serial", help="Serials packed (repeat), with one --item.", show_default=False)] = None,
    weight: Annotated[str | None, typer.Option(
        help="Gross weight in kg, keyed.", show_default=False)] = None,
    weight_scan: Annotated[str | None, typer.Option(
        "--weight-scan", help="A scanned GS1 weight, e.g. (3103)002500.", show_default=False)]
    = None,
    scale: Annotated[str | None, typer.Option(
        help="Read the weight from this scale: tcp://host:port or serial:/dev/…",
        show_default=False)] = None,
    scale_timeout: Annotated[float, typer.Option(
        "--scale-timeout", min=0.1, max=600, help="Seconds to wait for a stable weight.")] = 10,
    station: Annotated[str | None, typer.Option(
        help="Pack station (staging or dock) the carton stands at; default the tote.",
        show_default=False)] = None,
    company_prefix: Annotated[str | None, typer.Option(
        "--company-prefix", envvar="WMS_GS1_COMPANY_PREFIX",
        help="GS1 company prefix of the SSCCs.", show_default=False)] = None,
    extension: Annotated[str, typer.Option(
        "--sscc-extension", envvar="WMS_SSCC_EXTENSION", help="SSCC extension digit.")] = "0",
    key: Key = None,
    as_json: AsJson = False,
) -> None:
    """Pack units of the tote's order into one new carton; prints its SSCC.

    Units the tote does not hold, or the order does not need, are refused as extras.
    """
    from wms_tui.domain import shipping

    if not company_prefix:
        raise BadInput("a GS1 company prefix numbers the SSCCs: give --company-prefix or set "
                       "WMS_GS1_COMPANY_PREFIX")
    settings = shipping.SsccSettings(company_prefix.strip(), extension.strip())
    kg, source = _weight(weight, weight_scan, scale, scale_timeout)
    site = open_site(ctx)
    result = shipping.pack_carton(
        site.uow_factory, acting_user(site, login), tote=tote,
        requests=_requests(items or [], serial or []), everything=everything, kind=kind,
        settings=settings, weight_kg=kg, weight_source=source, station=station, key=key)
    if as_json:
        print_json({"sscc": result.sscc, "order": result.order, "tote": result.tote,
                    "location": result.location, "units": result.units,
                    "weight_kg": result.weight_kg, "movement_ids": result.movement_ids,
                    "replayed": result.replayed})
        return
    weighed = f", {result.weight_kg} kg" if result.weight_kg else ""
    typer.echo(f"SSCC {result.sscc}: {result.units} units of {shown(result.order)} from "
               f"{shown(result.tote)} at {shown(result.location)}{weighed}"
               f"{' (replayed)' if result.replayed else ''}")


@pack_app.command("short")
@handles_errors
def pack_short(
    ctx: typer.Context,
    tote: Annotated[str, typer.Argument(help="The tote being packed.")],
    login: AsUser,
    item: Annotated[str, typer.Option("--item", help="SKU=QTY or SKU=QTY@LOT not found.")],
    reason: Annotated[str, typer.Option("--reason", help="Reason code, e.g. DAMAGED.")],
    key: Key = None,
) -> None:
    """Record units of the tote's order the packer did not find (a pack exception)."""
    from wms_tui.domain import shipping

    [request] = _requests([item], [])
    site = open_site(ctx)
    result = shipping.record_short(site.uow_factory, acting_user(site, login), tote=tote,
                                   item=request.item, quantity=request.quantity, reason=reason,
                                   lot=request.lot, key=key)
    typer.echo(f"short {result.quantity} {shown(result.sku)} of {shown(result.order)} in "
               f"{shown(result.tote)}: {shown(result.reason)}")


@ship_app.command("create")
@handles_errors
def ship_create(
    ctx: typer.Context,
    dock: Annotated[str, typer.Option("--dock", help="The dock door (a dock location).")],
    login: AsUser,
    key: Key = None,
) -> None:
    """Open a new shipment at a dock door; prints its code."""
    from wms_tui.domain import shipping

    site = open_site(ctx)
    result = shipping.create_shipment(site.uow_factory, acting_user(site, login), dock=dock,
                                      key=key)
    typer.echo(f"{result.shipment} at {shown(result.dock)}")


@ship_app.command("load")
@handles_errors
def ship_load(
    ctx: typer.Context,
    shipment: Annotated[str, typer.Argument(help="The shipment, e.g. SH00001.")],
    ssccs: Annotated[list[str], typer.Argument(help="SSCCs of the cartons loaded.")],
    login: AsUser,
    key: Key = None,
) -> None:
    """Load packed cartons onto the shipment: each moves to its dock door."""
    from wms_tui.domain import shipping

    site = open_site(ctx)
    result = shipping.load_cartons(site.uow_factory, acting_user(site, login),
                                   shipment=shipment, ssccs=ssccs, key=key)
    typer.echo(f"{len(result.ssccs)} carton(s) loaded on {result.shipment}")


@ship_app.command("confirm")
@handles_errors
def ship_confirm(
    ctx: typer.Context,
    shipment: Annotated[str, typer.Argument(help="The shipment, e.g. SH00001.")],
    login: AsUser,
    leave_unloaded: Annotated[bool, typer.Option(
        "--leave-unloaded", help="Ship although packed cartons of its orders are not loaded.")]
    = False,
    key: Key = None,
    as_json: AsJson = False,
) -> None:
    """Ship confirm: the loaded cartons' stock leaves the building.

    Orders shipped in full close; the others stay open, with what is left listed.
    """
    from wms_tui.domain import shipping

    site = open_site(ctx)
    result = shipping.confirm_shipment(site.uow_factory, acting_user(site, login),
                                       shipment=shipment, leave_unloaded=leave_unloaded,
                                       key=key)
    if as_json:
        print_json({"shipment": result.shipment, "ssccs": result.ssccs,
                    "shipped_orders": result.shipped_orders, "left": result.left,
                    "unloaded": result.unloaded, "movement_ids": result.movement_ids,
                    "replayed": result.replayed})
        return
    typer.echo(f"{result.shipment} shipped: {len(result.ssccs)} carton(s)"
               f"{' (replayed)' if result.replayed else ''}")
    if result.shipped_orders:
        typer.echo(f"orders shipped: {shown(' '.join(result.shipped_orders))}")
    for line in result.left:
        typer.echo(f"open: {shown(line)}")
    for sscc in result.unloaded:
        typer.echo(f"warning: carton {sscc} is packed but was not loaded")


@ship_app.command("list")
@handles_errors
def ship_list(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="open or shipped.", show_default=False)]
    = None,
    dock: Annotated[str | None, typer.Option(help="Only this dock door.", show_default=False)]
    = None,
    order: Annotated[str | None, typer.Option(help="Only shipments with this order.",
                                              show_default=False)] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 100,
    as_json: AsJson = False, as_csv: AsCsv = False,
) -> None:
    """Shipments, newest first, with their cartons, orders and weight."""
    from wms_tui.domain import shipping

    if status is not None and status not in ("open", "shipped"):
        raise BadInput(f"--status is open or shipped, not {shown(status, 20)}")
    rows: list[Row] = [
        {"shipment": r.code, "dock": r.dock, "status": r.status, "cartons": r.cartons,
         "orders": r.orders, "weight_kg": f"{r.weight_kg:f}" if r.weight_kg else None,
         "created_at": r.created_at, "shipped_at": r.shipped_at}
        for r in shipping.shipment_rows(open_site(ctx).read_factory, shipping.ShipmentFilter(
            status=status, dock=dock, order=order, limit=limit))
    ]
    emit("Shipments", rows, {"cartons", "weight_kg"}, as_json, as_csv,
         fields=["shipment", "dock", "status", "cartons", "orders", "weight_kg", "created_at",
                 "shipped_at"])


def _carton_row(c: CartonRef) -> dict[str, object]:
    return {"sscc": c.sscc, "order": c.order_ref, "status": c.status, "type": c.carton_type,
            "location": c.location, "weight_kg": f"{c.weight_kg:f}" if c.weight_kg else None,
            "lines": [{"line": ln.line_no, "sku": ln.sku, "quantity": ln.quantity,
                       "unit": ln.base_uom, "lot": ln.lot, "expiry": ln.expiry,
                       "serials": list(ln.serials)} for ln in c.lines]}


def _view_json(view: ShipmentView) -> dict[str, object]:
    s = view.shipment
    return {
        "shipment": s.code, "dock": s.dock, "status": s.status, "created_at": s.created_at,
        "shipped_at": s.shipped_at, "cartons": [_carton_row(c) for c in view.cartons],
        "unloaded": [_carton_row(c) for c in view.unloaded],
        "lines": [{"order": ln.order_ref, "line": ln.line_no, "sku": ln.sku,
                   "quantity": ln.quantity, "picked": ln.picked, "packed": ln.packed,
                   "shipped": ln.shipped, "short": ln.short, "left": ln.left,
                   "unit": ln.uom} for ln in view.lines],
        "exceptions": [{"order": x.order_ref, "tote": x.tote, "sku": x.sku, "lot": x.lot,
                        "quantity": x.quantity, "unit": x.uom, "reason": x.reason,
                        "user": x.user} for x in view.exceptions],
    }


@ship_app.command("show")
@handles_errors
def ship_show(
    ctx: typer.Context,
    shipment: Annotated[str, typer.Argument(help="The shipment, e.g. SH00001.")],
    as_json: AsJson = False,
) -> None:
    """A shipment: cartons, cartons not loaded, order lines with what is left, exceptions."""
    from wms_tui.domain import shipping

    view = shipping.shipment_view(open_site(ctx).read_factory, shipment)
    if as_json:
        print_json(_view_json(view))
        return
    s = view.shipment
    typer.echo(f"{s.code} at {shown(s.dock)}: {s.status.value}")
    for title, cartons in (("cartons", view.cartons), ("NOT LOADED", view.unloaded)):
        for c in cartons:
            kg = f" {c.weight_kg:f} kg" if c.weight_kg else ""
            typer.echo(f"{title}: {c.sscc} {shown(c.order_ref)} {c.status.value} "
                       f"{shown(c.carton_type)}{kg}")
            for ln in c.lines:
                lot = f" lot {shown(ln.lot)}" if ln.lot else ""
                typer.echo(f"  line {ln.line_no} {shown(ln.sku)} {ln.quantity} "
                           f"{shown(ln.base_uom)}{lot}")
    for left in view.lines:
        typer.echo(f"{shown(left.order_ref)} line {left.line_no} {shown(left.sku)}: ordered "
                   f"{left.quantity}, picked {left.picked}, packed {left.packed}, shipped "
                   f"{left.shipped}, short {left.short}, left {left.left} {shown(left.uom)}")
    for x in view.exceptions:
        typer.echo(f"exception: {shown(x.order_ref)} {shown(x.sku)} {x.quantity} "
                   f"{shown(x.uom)} short in {shown(x.tote)} ({shown(x.reason)})")


@ship_app.command("packing-list")
@handles_errors
def ship_packing_list(
    ctx: typer.Context,
    shipment: Annotated[str, typer.Argument(help="The shipment, e.g. SH00001.")],
    out: Annotated[Path, typer.Option("--out", help="The PDF file to write.")],
) -> None:
    """A packing list (PDF, A4): each carton with its lines; Chinese prints in a CJK font."""
    from wms_tui.cli.packing_list import packing_list_pdf
    from wms_tui.domain import shipping

    view = shipping.shipment_view(open_site(ctx).read_factory, shipment)
    out.write_bytes(packing_list_pdf(view))
    typer.echo(f"packing list of {view.shipment.code}: {shown(str(out))}")


def _return_lines(specs: list[str]) -> list[ReturnLineRequest]:
    from wms_tui.domain.shipping import Disposition, ReturnLineRequest

    found = []
    for spec in specs:
        parts = [p.strip() for p in spec.split(":")]
        if len(parts) < 3 or len(parts) > 5:
            raise BadInput(f"--line {shown(spec, 40)}: write SKU:QTY:DISPOSITION[:LOT[:EXPIRY]]")
        try:
            disposition = Disposition(parts[2].lower())
        except ValueError:
            raise BadInput(f"--line {shown(spec, 40)}: the disposition is one of "
                           f"{DISPOSITIONS}") from None
        try:
            expiry = date.fromisoformat(parts[4]) if len(parts) == 5 and parts[4] else None
        except ValueError:
            raise BadInput(f"--line {shown(spec, 40)}: expiry is YYYY-MM-DD") from None
        lot = parts[3] if len(parts) >= 4 and parts[3] else None
        found.append(ReturnLineRequest(parts[0], _quantity(parts[1], "--line"), disposition,
                                       lot, expiry))
    return found


@return_app.command("receive")
@handles_errors
def return_receive(
    ctx: typer.Context,
    dock: Annotated[str, typer.Option("--dock", help="The dock the goods come in at.")],
    login: AsUser,
    lines: Annotated[list[str], typer.Option(
        "--line", help=f"SKU:QTY:DISPOSITION[:LOT[:EXPIRY]], disposition {DISPOSITIONS} "
        "(repeat).")],
    order: Annotated[str | None, typer.Option(
        "--order", help="The order the goods were shipped on.", show_default=False)] = None,
    blind: Annotated[bool, typer.Option(
        "--blind", help="No order known: a supervisor receives it.")] = False,
    key: Key = None,
    as_json: AsJson = False,
) -> None:
    """Receive a customer return at a dock (reason RETURN); scrap is written off at once."""
    from wms_tui.domain import shipping

    site = open_site(ctx)
    result = shipping.receive_return(site.uow_factory, acting_user(site, login), dock=dock,
                                     lines=_return_lines(lines), order=order, blind=blind,
                                     key=key)
    if as_json:
        print_json({"return": result.code, "order": result.order, "lines": result.lines,
                    "movement_ids": result.movement_ids, "replayed": result.replayed})
        return
    against = f" against {shown(result.order)}" if result.order else " (blind)"
    typer.echo(f"{result.code}{against}: {shown('; '.join(result.lines))}")
