"""Releasing open orders into a wave: allocate every line, reserve, create pick tasks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from wms_tui.domain import stock
from wms_tui.domain.errors import N_, BadInput, NotFound, TransientConflict
from wms_tui.domain.model import Actor
from wms_tui.domain.outbound.allocation import allocate, unallocated_reason
from wms_tui.domain.outbound.model import OutboundOrderRef, OutboundStatus, TaskKind, TaskSpec
from wms_tui.domain.outbound.paths import DEFAULT_PICK_PATH, PathStrategy
from wms_tui.domain.outbound.ports import OutboundUnitOfWork
from wms_tui.domain.outbound.results import UnallocatedLine, WaveReport, WaveTaskLine
from wms_tui.domain.outbound.steps import create_task, outbound_uow, resequence
from wms_tui.domain.permissions import Action, require
from wms_tui.domain.ports import UnitOfWork
from wms_tui.domain.status_words import status_word

# Releasing a wave is a supervisor's decision; permissions.py has no action of its own for it.
RELEASE_ACTION = Action.APPROVE
# Orders a release by reference takes again for their unallocated lines (it keeps their wave).
AGAIN = frozenset({OutboundStatus.RELEASED, OutboundStatus.PICKING})


def release_wave(
    uow_factory: Callable[[], UnitOfWork],
    actor: Actor,
    *,
    refs: Sequence[str] | None = None,
    ship_date: date | None = None,
    max_priority: int | None = None,
    today: date | None = None,
    path: PathStrategy | str = DEFAULT_PICK_PATH,
) -> WaveReport:
    """Release open orders into a new wave: allocate every line, reserve, create pick tasks.

    Orders are the given references, or every open order shipping on or before ship_date
    (an order without a ship date is due now) with priority <= max_priority (1 is the most
    urgent). Lines are allocated by priority,
    ship date and reference. What cannot be allocated stays on its line (allocated below
    quantity) and is reported; the order is released all the same.
    """
    require(actor, RELEASE_ACTION)
    wanted = [r.strip().upper() for r in refs or () if r.strip()]
    factory = outbound_uow(uow_factory)
    return stock.with_retry(
        lambda: _release_once(factory(), actor, wanted, ship_date, max_priority,
                              today or date.today(), path)
    )


def _orders_to_release(
    uow: OutboundUnitOfWork, refs: list[str], ship_date: date | None, max_priority: int | None
) -> list[OutboundOrderRef]:
    if not refs:
        # Released orders with lines short of stock (held by QC, say) are taken again too.
        orders = [o for o in uow.outbound.open_orders(
            ship_date=ship_date, max_priority=max_priority,
            statuses=(OutboundStatus.OPEN, *AGAIN))
            if o.status == OutboundStatus.OPEN or _left_unallocated(uow, o)]
        if not orders:
            raise NotFound(N_("no open orders to release"))
        return orders
    orders = []
    for ref in dict.fromkeys(refs):
        order = uow.outbound.order_by_reference(ref)
        if order is None:
            raise NotFound(N_("no outbound order {ref}"), ref=ref)
        if order.status != OutboundStatus.OPEN and not _left_unallocated(uow, order):
            raise BadInput(N_("order {ref} is {status}, not open"), ref=ref,
                           status=status_word(order.status))
        orders.append(order)
    return sorted(orders, key=lambda o: (o.priority, o.ship_date or date.max, o.reference))


def _left_unallocated(uow: OutboundUnitOfWork, order: OutboundOrderRef) -> bool:
    """A released order still being picked with lines short of stock (held by QC, say): a
    release by its reference allocates what is free now into the new wave."""
    return order.status in AGAIN and any(ln.unallocated for ln in uow.outbound.lines(order.id))


def _release_once(
    uow: OutboundUnitOfWork, actor: Actor, refs: list[str], ship_date: date | None,
    max_priority: int | None, today: date, path: PathStrategy | str,
) -> WaveReport:
    with uow:
        orders = _orders_to_release(uow, refs, ship_date, max_priority)
        code = uow.outbound.next_wave_code()
        wave_id = uow.outbound.add_wave(code, actor.user_id)
        missing: list[UnallocatedLine] = []
        released: list[str] = []
        for order in orders:
            uow.outbound.lock_order(order.id)
            if uow.outbound.order(order.id).status != order.status:
                # Another release took it between the read and the lock: start again.
                raise TransientConflict(f"order {order.reference} was released meanwhile")
            if order.status == OutboundStatus.OPEN:
                uow.outbound.set_order_status(order.id, OutboundStatus.RELEASED, wave_id)
            earliest = max(today, order.ship_date or today)
            allocated_now = 0
            for line in uow.outbound.lines(order.id):
                if line.unallocated == 0:
                    continue
                item = uow.catalog.item(line.item_id)
                # Read per line: earlier lines of this release have reserved their stock.
                slots = uow.outbound.stock_slots(item.id)
                result = allocate(line.unallocated, slots, expiry_tracked=item.expiry_tracked,
                                  unit=line.factor, earliest_expiry=earliest)
                for allocation in result.allocations:
                    create_task(uow, TaskSpec(
                        TaskKind.PICK, item.id, allocation.slot.location_id, allocation.quantity,
                        wave_id=wave_id, order_line_id=line.id, lot_id=allocation.slot.lot_id,
                        lpn_id=allocation.slot.lpn_id,
                    ))
                if result.allocated and not uow.outbound.add_to_line(
                        line.id, allocated=result.allocated):
                    raise TransientConflict("order line changed during the release")
                allocated_now += result.allocated
                if result.missing:
                    missing.append(UnallocatedLine(
                        order.reference, line.line_no, line.sku, line.quantity,
                        line.allocated + result.allocated, result.missing, line.base_uom,
                        unallocated_reason(line, slots),
                    ))
            if order.status != OutboundStatus.OPEN and not allocated_now:
                if not refs:
                    # A plain release retries it quietly; it stays in its own wave.
                    continue
                # Taken again for its short lines, it would only add an empty wave.
                raise BadInput(N_("order {ref} is {status}, not open, and nothing more of it "
                                  "can be allocated now"), ref=order.reference,
                               status=status_word(order.status))
            released.append(order.reference)
        if not released:
            raise NotFound(N_("no open orders to release"))
        tasks = resequence(uow, wave_id, path)
        report = WaveReport(
            code, wave_id, tuple(released),
            tuple(WaveTaskLine(t.seq, t.id, t.order_ref or "", t.line_no or 0, t.sku,
                               t.location.code, t.quantity, t.base_uom, t.lot)
                  for t in tasks),
            tuple(missing),
        )
        uow.commit()
        return report
