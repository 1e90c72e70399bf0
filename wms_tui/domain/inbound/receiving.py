"""Finding inbound orders by reference or pallet SSCC, and receiving against their lines.

A receipt against an order line is one transaction: the stock posting (ledger row and balance)
and the line's received quantity change together or not at all, exactly once per confirmation
key (domain.once).
"""

from __future__ import annotations

from datetime import date

from wms_tui.domain import stock
from wms_tui.domain.checkdigits import is_valid_sscc
from wms_tui.domain.errors import N_, BadInput, NotFound, ScanRejected
from wms_tui.domain.inbound.model import (
    BLIND_REFERENCE,
    FINAL_INBOUND_STATUSES,
    InboundLineRef,
    InboundOrderRef,
    InboundStatus,
    OrderMatch,
    OverReceipt,
    Receipt,
    ReceiveLine,
    UnconfirmedOverReceipt,
)
from wms_tui.domain.inbound.repository import InboundUnitOfWork, UowFactory
from wms_tui.domain.inbound.rules import choose_line, is_pallet_unit, valid_lot
from wms_tui.domain.model import Actor, ItemRef, LocationRef, LocationType, LpnRef, StockStatus
from wms_tui.domain.once import exactly_once
from wms_tui.domain.order_import import MAX_REFERENCE
from wms_tui.domain.over_receipt import (
    OVER_RECEIPT_KIND,
    OVER_RECEIPT_REASONS,
    over_receipt_reason,
)
from wms_tui.domain.permissions import Action, can, require
from wms_tui.domain.scan import normalize_scan, parse_gs1
from wms_tui.domain.units import to_base_units


def find_order(
    uow: InboundUnitOfWork, raw: str, separator: str | None = None
) -> OrderMatch | None:
    """The order whose reference a scan is, or whose pallet SSCC it carries; None if neither.

    Raises ScanRejected for a malformed scan or an SSCC announced on several open orders.
    """
    scan = normalize_scan(raw, separator=separator)
    text = scan.text.strip().upper()
    if 0 < len(text) <= MAX_REFERENCE:
        order = uow.inbound.order_by_reference(text)
        if order is not None:
            return OrderMatch(order)
    gs1 = parse_gs1(scan)
    if gs1 is None or gs1.sscc is None:
        return None
    orders = uow.inbound.orders_by_sscc(gs1.sscc)
    # A pallet resent on a new order after its first was cancelled belongs to the new one.
    orders = [o for o in orders if o.status != InboundStatus.CANCELLED] or orders
    # A pallet only on finished orders still finds one, so the refusal can say why.
    open_orders = [o for o in orders if o.status not in FINAL_INBOUND_STATUSES] or orders
    if len(open_orders) > 1:
        refs = ", ".join(o.reference for o in open_orders[:3])
        raise ScanRejected(N_("SSCC {sscc} is on orders {refs}: scan the order"),
                           sscc=gs1.sscc, refs=refs)
    return OrderMatch(open_orders[0], gs1.sscc) if open_orders else None


def open_lines(uow: InboundUnitOfWork, order_id: int) -> list[InboundLineRef]:
    """Lines with quantity still to receive."""
    return [line for line in uow.inbound.lines(order_id) if line.remaining > 0]


# Receiving.


def receive_line(
    uow_factory: UowFactory,
    actor: Actor,
    command: ReceiveLine,
    key: str | None = None,
    *,
    today: date | None = None,
) -> Receipt:
    """Post one receipt and its order-line progress in one transaction, exactly once per key."""
    key = key or stock.new_confirmation_key()
    if len(key) > 80:
        raise BadInput("confirmation key is longer than 80 characters")
    require(actor, Action.RECEIVE)
    if command.order_id is None:
        require(actor, Action.RECEIVE_BLIND)
    if command.lot is not None and not valid_lot(command.lot):
        raise BadInput(N_("lot {lot!r} must be 1-20 printable characters, no spaces"),
                       lot=command.lot[:20])
    if command.expiry is not None and command.expiry < (today or date.today()):
        raise BadInput(N_("expiry {expiry} is in the past"), expiry=command.expiry)
    if command.reason_code is not None and over_receipt_reason(command.reason_code) is None:
        raise BadInput(N_("{code} is not an over-receipt reason ({codes})"),
                       code=command.reason_code[:12],
                       codes=", ".join(r.code for r in OVER_RECEIPT_REASONS))

    def attempt_once() -> Receipt:
        uow = uow_factory()
        with uow:
            return exactly_once(uow, actor.user_id, key, "receive", Receipt,
                                lambda: _receive(uow, actor, command, key),
                                describe=lambda _receipt: f"receive {_reference(uow, command)}")

    return stock.with_retry(attempt_once)


def _receive(uow: InboundUnitOfWork, actor: Actor, cmd: ReceiveLine, key: str) -> Receipt:
    item = uow.catalog.item(cmd.item_id)
    qty = to_base_units(cmd.quantity, cmd.uom, item.base_uom, uow.catalog.units(item.id))
    # Lots and dates of items that do not track them would only split balances.
    lot = cmd.lot if item.lot_tracked else None
    expiry = cmd.expiry if item.expiry_tracked else None
    order, line, limit = _order_line(uow, actor, cmd, item, qty, lot)
    location, status = _destination(uow, cmd, item)
    lpn, sscc = _pallet(uow, cmd, location)
    # No limit on an order line means an over-receipt the supervisor gave a reason for.
    over = line is not None and limit is None
    reason = over_receipt_reason(cmd.reason_code or "") if over else None
    if reason is not None:
        uow.inbound.ensure_reason(reason, OVER_RECEIPT_KIND)
    receive = stock.Receive(
        item.id, qty, location.id, order.reference if order else BLIND_REFERENCE,
        lot=lot, expiry=expiry, lpn=lpn, sscc=sscc, status=status,
        reason_code=reason.code if reason else None,
        approved_by=actor.user_id if reason else None, serials=cmd.serials,
    )
    # stock.apply_in is the posting core without its own transaction, so the line
    # progress below commits (or rolls back) together with the ledger row.
    movement_ids = stock.apply_in(uow, actor, receive, key)
    line_received = order_status = None
    if order is not None and line is not None:
        if not uow.inbound.add_received(line.id, qty, limit):
            raise _over_receipt(order, line, qty)
        lines = uow.inbound.lines(order.id)
        done = all(ln.received >= ln.quantity for ln in lines)
        order_status = InboundStatus.CLOSED if done else InboundStatus.RECEIVING
        if order_status != order.status:
            uow.inbound.set_status(order.id, order_status)
        line_received = next(ln.received for ln in lines if ln.id == line.id)
    return Receipt(
        confirmation=key, movement_ids=movement_ids, sku=item.sku, quantity=qty,
        base_uom=item.base_uom, location=location.code, status=status, lpn=lpn,
        line_received=line_received, order_status=order_status,
    )


def _reference(uow: InboundUnitOfWork, cmd: ReceiveLine) -> str:
    """The ledger reference of a receipt: its order's, or BLIND."""
    return BLIND_REFERENCE if cmd.order_id is None else uow.inbound.order(cmd.order_id).reference


def _order_line(
    uow: InboundUnitOfWork, actor: Actor, cmd: ReceiveLine, item: ItemRef, qty: int,
    lot: str | None,
) -> tuple[InboundOrderRef | None, InboundLineRef | None, int | None]:
    """The order and line a receipt counts against, and the received limit (None: no limit)."""
    if cmd.order_id is None:
        return None, None, None
    # A cancel takes the order's lock too, so it never cancels one being received.
    uow.inbound.lock_order(cmd.order_id)
    order = uow.inbound.order(cmd.order_id)
    if order.status in FINAL_INBOUND_STATUSES:
        # One message per status, so a terminal shows the status in its own language.
        raise BadInput(N_("order {ref} is cancelled") if order.status is InboundStatus.CANCELLED
                       else N_("order {ref} is closed"), ref=order.reference)
    lines = uow.inbound.lines(order.id)
    if cmd.line_id is not None:
        line = next((ln for ln in lines if ln.id == cmd.line_id), None)
    else:
        line = choose_line(lines, item.id, lot, cmd.sscc)
    if line is None or line.item_id != item.id:
        raise NotFound(N_("{sku} is not on order {ref}"), sku=item.sku, ref=order.reference)
    if line.received + qty <= line.allowance:
        return order, line, line.allowance
    if not can(actor.role, Action.OVER_RECEIPT):
        raise _over_receipt(order, line, qty)
    if cmd.reason_code is None:
        raise UnconfirmedOverReceipt(
            N_("over-receipt: {qty} {uom} of {sku} is {over} over line {line} of {ref}; "
               "confirm it with a reason"),
            qty=qty, uom=line.base_uom, sku=line.sku, over=qty - line.room, line=line.line_no,
            ref=order.reference)
    return order, line, None


def _over_receipt(order: InboundOrderRef, line: InboundLineRef, qty: int) -> OverReceipt:
    return OverReceipt(
        N_("over-receipt: line {line} of {ref} takes {room} {uom} more of {sku}, not {qty} "
           "(a supervisor may allow it)"),
        line=line.line_no, ref=order.reference, room=line.room, uom=line.base_uom,
        sku=line.sku, qty=qty,
    )


def _destination(
    uow: InboundUnitOfWork, cmd: ReceiveLine, item: ItemRef
) -> tuple[LocationRef, StockStatus]:
    """Items needing inspection go on QC hold, in the QC area when there is one."""
    status = StockStatus.QC_HOLD if item.requires_qc else StockStatus.AVAILABLE
    location = uow.inbound.first_location(LocationType.QC) if item.requires_qc else None
    if location is None and cmd.location_id is not None:
        location = uow.catalog.location(cmd.location_id)
    if location is None:
        location = uow.inbound.first_location(LocationType.DOCK)
    if location is None:
        raise NotFound(N_("there is no dock location to receive into"))
    return location, status


def _pallet(
    uow: InboundUnitOfWork, cmd: ReceiveLine, location: LocationRef
) -> tuple[str | None, str | None]:
    """The LPN code (and SSCC) the stock goes onto, or (None, None) for loose stock."""
    if cmd.sscc is not None:
        if not is_valid_sscc(cmd.sscc):
            raise BadInput(N_("SSCC {sscc!r} is not 18 digits with a right check digit"),
                           sscc=cmd.sscc[:20])
        existing = uow.catalog.lpn_by_code(cmd.sscc)
        if existing is None:
            return cmd.sscc, cmd.sscc
        _check_lpn_here(uow, existing, location)
        return existing.code, existing.sscc
    if cmd.lpn is not None:
        existing = uow.catalog.lpn_by_code(cmd.lpn)
        if existing is not None:
            _check_lpn_here(uow, existing, location)
            return existing.code, None
        if not 0 < len(cmd.lpn) <= 30 or not cmd.lpn.isprintable():
            raise BadInput(N_("LPN code {code!r} must be 1-30 printable characters"),
                           code=cmd.lpn[:30])
        return cmd.lpn, None
    if cmd.new_lpn or is_pallet_unit(cmd.uom):
        return uow.inbound.next_lpn_code(), None
    return None, None


def _check_lpn_here(uow: InboundUnitOfWork, lpn: LpnRef, location: LocationRef) -> None:
    if lpn.location_id is None:
        uow.stock.set_lpn_location(lpn.id, location.id)
    elif lpn.location_id != location.id:
        where = uow.catalog.location(lpn.location_id).code
        raise BadInput(N_("LPN {code} is at {where}, not at {loc}"),
                       code=lpn.code, where=where, loc=location.code)

