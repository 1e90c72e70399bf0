"""Customer returns: received into a dock against the order that shipped them (or blind, by a
supervisor), one RECEIVE movement per line with reason RETURN, in the status its disposition
names: restock available, qc_hold held for QC; scrap is received damaged and adjusted out at
once with reason SCRAP (so the ledger shows both what came back and what was thrown away)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from wms_tui.domain import stock
from wms_tui.domain.errors import N_, BadInput, InvalidQuantity
from wms_tui.domain.model import Actor, ItemRef, LocationType, StockStatus
from wms_tui.domain.outbound.model import OutboundLineRef
from wms_tui.domain.outbound.steps import check_key
from wms_tui.domain.permissions import Action, require
from wms_tui.domain.ports import UnitOfWork
from wms_tui.domain.serials import SerialNotHere, serial_repository
from wms_tui.domain.shipping.common import item_of, location_of, order_of, run_once
from wms_tui.domain.shipping.model import (
    RETURN_PREFIX,
    RETURN_REASON,
    RETURN_STATUS,
    SCRAP_REASON,
    Disposition,
    ReturnLineRequest,
    ReturnResult,
)
from wms_tui.domain.shipping.ports import ShippingUnitOfWork


def receive_return(
    uow_factory: Callable[[], UnitOfWork], actor: Actor, *, dock: str,
    lines: Sequence[ReturnLineRequest], order: str | None = None, blind: bool = False,
    key: str | None = None,
) -> ReturnResult:
    """Receive returned goods at a dock, once per key.

    Against an order, each line's item must be on it and no more may come back than shipped
    (less what earlier returns brought). Blind (no order) needs a supervisor, as scrapping
    does (it writes stock off).
    """
    key = check_key(key)
    require(actor, Action.RECEIVE)
    if blind == (order is not None):
        raise BadInput(N_("receive a return against its order, or blind"))
    if blind:
        require(actor, Action.RECEIVE_BLIND)
    if any(ln.disposition is Disposition.SCRAP for ln in lines):
        require(actor, Action.ADJUST)
    if not lines:
        raise BadInput(N_("a return needs at least one line"))

    def work(uow: ShippingUnitOfWork) -> ReturnResult:
        door = location_of(uow, dock, LocationType.DOCK)
        found = order_of(uow, order) if order is not None else None
        if found is not None:
            uow.outbound.lock_order(found.id)
        code = uow.shipping.next_code(RETURN_PREFIX)
        return_id = uow.shipping.add_return(code, found.id if found else None, door.id,
                                            actor.user_id)
        room = _room(uow, found.id) if found is not None else None
        ids: list[int] = []
        said = []
        for line in lines:
            item = item_of(uow, line.item)
            if line.quantity <= 0:
                raise InvalidQuantity(N_("return a quantity above 0"))
            parts = (_against(room, item, line.quantity, found.reference if found else "")
                     if room is not None else [(None, line.quantity)])
            movement_ids = stock.apply_in(uow, actor, stock.Receive(
                item.id, line.quantity, door.id, code, lot=line.lot, expiry=line.expiry,
                status=RETURN_STATUS[line.disposition], reason_code=RETURN_REASON,
                serials=line.serials), key)
            ids += movement_ids
            lot_id = _lot_id(uow, item, line)
            if line.disposition is Disposition.SCRAP:
                ids += _scrap(uow, actor, item, line, door.id, lot_id, code, key)
            for order_line_id, quantity in parts:
                uow.shipping.add_return_line(return_id, order_line_id, item.id, lot_id,
                                             quantity, line.disposition, movement_ids[0])
            said.append(f"{item.sku} {line.quantity} {item.base_uom} {line.disposition.value}")
        return ReturnResult(key, code, found.reference if found else None, ids, said)

    return run_once(uow_factory, actor, key, "return", ReturnResult, work,
                    describe=lambda r: f"return {r.code}")


def _room(uow: ShippingUnitOfWork, order_id: int) -> list[tuple[OutboundLineRef, int]]:
    """Each order line with how many of its shipped units may still come back."""
    shipped = uow.shipping.shipped_by_line(order_id)
    returned = uow.shipping.returned_by_line(order_id)
    return [(ln, shipped.get(ln.id, 0) - returned.get(ln.id, 0))
            for ln in uow.outbound.lines(order_id)]


def _against(room: list[tuple[OutboundLineRef, int]], item: ItemRef, quantity: int,
             order: str) -> list[tuple[int | None, int]]:
    """Split a returned quantity over the order's lines of the item, using up their room."""
    mine = [(i, ln, left) for i, (ln, left) in enumerate(room) if ln.item_id == item.id]
    if not mine:
        raise BadInput(N_("{sku} is not on order {order}"), sku=item.sku, order=order)
    can = sum(left for _, _, left in mine)
    if quantity > can:
        raise InvalidQuantity(N_("order {order} shipped {can} {uom} of {sku} that may come "
                                 "back, not {qty}"), order=order, can=can, uom=item.base_uom,
                              sku=item.sku, qty=quantity)
    parts: list[tuple[int | None, int]] = []
    wanted = quantity
    for i, ln, left in mine:
        take = min(wanted, left)
        if take:
            parts.append((ln.id, take))
            room[i] = (ln, left - take)
            wanted -= take
    return parts


def _lot_id(uow: ShippingUnitOfWork, item: ItemRef, line: ReturnLineRequest) -> int | None:
    """The lot the receipt put the units in (stock.Receive names one for an expiry alone)."""
    code = line.lot or (f"EXP{line.expiry:%Y%m%d}" if line.expiry is not None else None)
    return uow.stock.lot_id(item.id, code, None, create=False) if code else None


def _scrap(uow: ShippingUnitOfWork, actor: Actor, item: ItemRef, line: ReturnLineRequest,
           dock_id: int, lot_id: int | None, code: str, key: str) -> list[int]:
    """Write the received damaged units off at once; their serials leave stock with them."""
    ids = stock.apply_in(uow, actor, stock.Adjust(
        item.id, -line.quantity, dock_id, SCRAP_REASON, code, lot_id=lot_id,
        status=StockStatus.DAMAGED, approved_by=actor.user_id), key)
    if line.serials:
        repo = serial_repository(uow)
        records = {r.serial: r for r in repo.in_stock(item.id, line.serials)}
        for serial in line.serials:
            record = records.get(serial)
            if record is None or not repo.take(record.id, dock_id, None):
                raise SerialNotHere(N_("Serial {serial} not here"), serial=serial)
            repo.link(record.id, ids[0])
    return ids
