"""Shipments: cartons loaded at a dock door, then ship confirm, which issues their stock out of
the building (SHIP movements: the balances go to zero), counts the order lines shipped, closes
the orders every line of which has shipped, and leaves the rest open with what is left."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from wms_tui.domain import stock
from wms_tui.domain.errors import N_, BadInput, InsufficientStock, NotFound, TransientConflict
from wms_tui.domain.model import (
    Actor,
    BalanceKey,
    LocationType,
    MovementKind,
    MovementRecord,
    StockStatus,
)
from wms_tui.domain.outbound.model import OutboundStatus
from wms_tui.domain.outbound.steps import check_key
from wms_tui.domain.permissions import Action, require
from wms_tui.domain.ports import UnitOfWork
from wms_tui.domain.serials import SerialNotHere, serial_repository
from wms_tui.domain.shipping.common import location_of, run_once
from wms_tui.domain.shipping.model import (
    SHIPMENT_PREFIX,
    CartonRef,
    CartonStatus,
    LoadResult,
    ShipmentCreated,
    ShipmentRef,
    ShipmentStatus,
    ShipResult,
)
from wms_tui.domain.shipping.packing import place_serials
from wms_tui.domain.shipping.ports import ShippingUnitOfWork
from wms_tui.domain.status_words import status_word


def open_shipment(uow: ShippingUnitOfWork, code: str) -> ShipmentRef:
    """The shipment by code, its row locked, refused once shipped."""
    found = uow.shipping.shipment_by_code(code.strip().upper())
    if found is None:
        raise NotFound(N_("no shipment {code}"), code=code.strip()[:20])
    uow.shipping.lock_shipment(found.id)
    found = uow.shipping.shipment(found.id)
    if found.status != ShipmentStatus.OPEN:
        raise BadInput(N_("shipment {code} has shipped already"), code=found.code)
    return found


def create_shipment(uow_factory: Callable[[], UnitOfWork], actor: Actor, *, dock: str,
                    key: str | None = None) -> ShipmentCreated:
    """A new open shipment at a dock door, coded SH00001 on."""
    key = check_key(key)
    require(actor, Action.PICK)

    def work(uow: ShippingUnitOfWork) -> ShipmentCreated:
        door = location_of(uow, dock, LocationType.DOCK)
        code = uow.shipping.next_code(SHIPMENT_PREFIX)
        uow.shipping.add_shipment(code, door.id, actor.user_id)
        return ShipmentCreated(key, code, door.code)

    return run_once(uow_factory, actor, key, "ship_create", ShipmentCreated, work,
                   lambda r: f"shipment {r.shipment}")


def load_cartons(uow_factory: Callable[[], UnitOfWork], actor: Actor, *, shipment: str,
                 ssccs: Sequence[str], key: str | None = None) -> LoadResult:
    """Load packed cartons onto an open shipment: each moves to its dock door (MOVE of the
    whole LPN, serials with it) and is marked loaded."""
    key = check_key(key)
    require(actor, Action.PICK)
    wanted = list(dict.fromkeys(s.strip() for s in ssccs if s.strip()))
    if not wanted:
        raise BadInput(N_("scan the SSCC of a carton to load"))

    def work(uow: ShippingUnitOfWork) -> LoadResult:
        found = open_shipment(uow, shipment)
        ids: list[int] = []
        for sscc in wanted:
            ids += _load(uow, actor, found, _carton(uow, sscc), key)
        return LoadResult(key, found.code, wanted, ids)

    return run_once(uow_factory, actor, key, "ship_load", LoadResult, work,
                   lambda r: f"load {r.shipment}")


def _carton(uow: ShippingUnitOfWork, sscc: str) -> CartonRef:
    # A scanned SSCC label reads (00) first: accept the AI as a scanner without GS1 mode sends.
    code = sscc[2:] if len(sscc) == 20 and sscc.startswith("00") else sscc
    found = uow.shipping.carton_by_sscc(code)
    if found is None:
        raise NotFound(N_("no carton {sscc}"), sscc=code[:20])
    return found


def _load(uow: ShippingUnitOfWork, actor: Actor, shipment: ShipmentRef, carton: CartonRef,
          key: str) -> list[int]:
    if carton.status != CartonStatus.PACKED:
        where = f" {carton.shipment}" if carton.shipment else ""
        raise BadInput(N_("carton {sscc} is {status}{where} already"), sscc=carton.sscc,
                       status=status_word(carton.status), where=where)
    ids: list[int] = []
    if carton.location_id != shipment.dock_id:
        assert carton.location_id is not None
        rows = [r for r in uow.stock.balances_on_lpn(carton.lpn_id) if r.quantity > 0]
        ids = stock.apply_in(uow, actor, stock.MoveLpn(carton.lpn_id, shipment.dock_id,
                                                       shipment.code), key)
        for row, movement_id in zip(rows, ids, strict=True):
            serials = [s for ln in carton.lines if (ln.item_id, ln.lot_id) ==
                       (row.key.item_id, row.key.lot_id) for s in ln.serials]
            if serials:
                place_serials(uow, uow.catalog.item(row.key.item_id), serials,
                              carton.location_id, shipment.dock_id, carton.lpn_id, movement_id)
    if not uow.shipping.move_carton(carton.id, CartonStatus.PACKED, CartonStatus.LOADED,
                                    shipment.id):
        raise TransientConflict("carton changed while loading")
    return ids


def confirm_shipment(
    uow_factory: Callable[[], UnitOfWork], actor: Actor, *, shipment: str,
    leave_unloaded: bool = False, key: str | None = None,
) -> ShipResult:
    """Ship confirm: the loaded cartons' stock leaves the building, once per key.

    Packed cartons of the same orders that are not loaded are refused unless leave_unloaded
    (they stay, named in the result). Orders whose every line is shipped (or short) close as
    shipped; the others stay open and each open line is listed with what is left.
    """
    key = check_key(key)
    require(actor, Action.PICK)

    def work(uow: ShippingUnitOfWork) -> ShipResult:
        found = open_shipment(uow, shipment)
        cartons = uow.shipping.cartons(shipment_id=found.id, status=CartonStatus.LOADED)
        if not cartons:
            raise BadInput(N_("shipment {code} has no cartons loaded"), code=found.code)
        order_ids = sorted({c.order_id for c in cartons})
        for order_id in order_ids:
            uow.outbound.lock_order(order_id)
        behind = uow.shipping.cartons(order_ids=order_ids, status=CartonStatus.PACKED)
        if behind and not leave_unloaded:
            raise BadInput(N_("cartons packed but not loaded: {ssccs}; load them, or confirm "
                              "leaving them"), ssccs=", ".join(c.sscc for c in behind))
        ids: list[int] = []
        for carton in cartons:
            ids += _ship(uow, actor, found, carton, key)
        closed, left = _settle_orders(uow, order_ids)
        if not uow.shipping.set_shipped(found.id, actor.user_id):
            raise TransientConflict("shipment changed during ship confirm")
        return ShipResult(key, found.code, [c.sscc for c in cartons], ids, closed, left,
                          [c.sscc for c in behind])

    return run_once(uow_factory, actor, key, "ship_confirm", ShipResult, work,
                   lambda r: f"ship {r.shipment}")


def _ship(uow: ShippingUnitOfWork, actor: Actor, shipment: ShipmentRef, carton: CartonRef,
          key: str) -> list[int]:
    """Issue one carton's lines from the dock: a SHIP movement per line, serials issued."""
    ids = []
    for line in carton.lines:
        balance = BalanceKey(line.item_id, shipment.dock_id, line.lot_id, carton.lpn_id,
                             StockStatus.AVAILABLE)
        if not uow.stock.take(balance, line.quantity):
            raise InsufficientStock(N_("carton {sscc} holds no {qty} {uom} of {sku} at {dock}"),
                                    sscc=carton.sscc, qty=line.quantity, uom=line.base_uom,
                                    sku=line.sku, dock=shipment.dock)
        movement_id = uow.stock.append(MovementRecord(
            kind=MovementKind.SHIP, item_id=line.item_id, quantity=line.quantity,
            user_id=actor.user_id, terminal=actor.terminal, reference=carton.order_ref,
            lot_id=line.lot_id, from_location_id=shipment.dock_id, from_lpn_id=carton.lpn_id,
            from_status=StockStatus.AVAILABLE, confirmation=key,
        ))
        if line.serials:
            _issue_serials(uow, line.item_id, line.serials, shipment.dock_id, movement_id)
        uow.shipping.set_ship_movement(line.id, movement_id)
        if not uow.shipping.add_shipped(line.order_line_id, line.quantity):
            raise BadInput(N_("order {ref} line {line} has not picked {qty} more to ship"),
                           ref=carton.order_ref, line=line.line_no, qty=line.quantity)
        ids.append(movement_id)
    uow.stock.set_lpn_location(carton.lpn_id, None)
    if not uow.shipping.move_carton(carton.id, CartonStatus.LOADED, CartonStatus.SHIPPED,
                                    shipment.id):
        raise TransientConflict("carton changed during ship confirm")
    return ids


def _issue_serials(uow: ShippingUnitOfWork, item_id: int, serials: Sequence[str],
                   dock_id: int, movement_id: int) -> None:
    repo = serial_repository(uow)
    records = {r.serial: r for r in repo.in_stock(item_id, serials)}
    for serial in serials:
        record = records.get(serial)
        if record is None or not repo.take(record.id, dock_id, None):
            raise SerialNotHere(N_("Serial {serial} not here"), serial=serial)
        repo.link(record.id, movement_id)


def _settle_orders(uow: ShippingUnitOfWork,
                   order_ids: Sequence[int]) -> tuple[list[str], list[str]]:
    """Close each order whose lines are all shipped or short; list what the others have left."""
    closed, left = [], []
    for order_id in order_ids:
        order = uow.outbound.order(order_id)
        shipped = uow.shipping.shipped_by_line(order_id)
        lines = uow.outbound.lines(order_id)
        open_lines = [ln for ln in lines if shipped.get(ln.id, 0) + ln.short < ln.quantity]
        if not open_lines:
            uow.outbound.set_order_status(order_id, OutboundStatus.SHIPPED)
            closed.append(order.reference)
        for ln in open_lines:
            rest = ln.quantity - shipped.get(ln.id, 0) - ln.short
            left.append(f"{order.reference} line {ln.line_no} {ln.sku} {rest} {ln.base_uom} left")
    return closed, left
