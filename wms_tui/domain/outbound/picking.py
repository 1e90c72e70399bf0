"""Picking a task into a tote, exactly once per confirmation key, and the lot substitutions
a picker may make (docs/picking.md)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from wms_tui.domain import stock
from wms_tui.domain.errors import N_, InvalidQuantity, ScanRejected, TransientConflict
from wms_tui.domain.model import Actor, LocationRef, StockStatus
from wms_tui.domain.once import exactly_once
from wms_tui.domain.outbound.allocation import may_substitute
from wms_tui.domain.outbound.model import LotChoice, StockSlot, TaskKind, TaskRef, TaskStatus
from wms_tui.domain.outbound.ports import OutboundUnitOfWork
from wms_tui.domain.outbound.replenishment import replenish_face
from wms_tui.domain.outbound.results import PickResult
from wms_tui.domain.outbound.steps import (
    check_key,
    open_task,
    outbound_uow,
    settle,
    staging,
    take_order_tote,
)
from wms_tui.domain.permissions import Action, require
from wms_tui.domain.ports import UnitOfWork


def confirm_pick(
    uow_factory: Callable[[], UnitOfWork],
    actor: Actor,
    task_id: int,
    quantity: int,
    *,
    to_location_id: int,
    lot_id: int | None = None,
    key: str | None = None,
    today: date | None = None,
    serials: Sequence[str] = (),
) -> PickResult:
    """Pick base units of a task into a tote or staging location, exactly once per key.

    One transaction: the tote's binding to the order (totes.take_tote), the pick movement (out
    of the task's reservation), the task, the order line, order and wave status, and a
    replenishment task when the pick face fell below its minimum or emptied. lot_id names a
    substituted lot (see may_substitute); serials, one per base unit of a serial-tracked item,
    must be in stock at the task's location and move with the pick (serials.take_serials).
    """
    key = check_key(key)
    require(actor, Action.PICK)
    if quantity <= 0:
        raise InvalidQuantity(N_("pick a quantity above 0"))
    factory = outbound_uow(uow_factory)
    return stock.with_retry(lambda: _pick_once(
        factory(), actor, task_id, quantity, to_location_id, lot_id, key,
        today or date.today(), tuple(serials)))


def _pick_once(
    uow: OutboundUnitOfWork, actor: Actor, task_id: int, quantity: int, to_location_id: int,
    lot_id: int | None, key: str, today: date, serials: tuple[str, ...],
) -> PickResult:
    def work() -> PickResult:
        task = open_task(uow, actor, task_id, TaskKind.PICK)
        if quantity > task.remaining:
            raise InvalidQuantity(N_("Only {n} {uom} asked"), n=task.remaining,
                                  uom=task.base_uom)
        to = staging(uow, to_location_id)
        take_order_tote(uow, task, to)
        movement_ids, order_ref = post_pick(uow, actor, task, quantity, to, lot_id, key, today,
                                            serials)
        done = task.done_quantity + quantity == task.quantity
        task_status = TaskStatus.DONE if done else TaskStatus.IN_PROGRESS
        uow.outbound.set_task_status(task.id, task_status)
        status = settle(uow, task)
        empty = uow.outbound.location_on_hand(task.location.id) == 0
        replenish = replenish_face(uow, task.item_id, task.location, today)
        return PickResult(
            key, movement_ids, task.id, task.sku, quantity, task.base_uom, task.location.code,
            to.code, order_ref, task_status, status, empty, replenish,
        )

    with uow:
        return exactly_once(uow, actor.user_id, key, "pick", PickResult, work,
                            describe=lambda r: f"pick {r.order}")


def post_pick(
    uow: OutboundUnitOfWork, actor: Actor, task: TaskRef, quantity: int, to: LocationRef,
    lot_id: int | None, key: str, today: date, serials: tuple[str, ...] = (),
) -> tuple[list[int], str]:
    """The pick movement (with its serials) and the task and line progress; the caller sets
    statuses."""
    picked_lot = _switch_lot(uow, task, lot_id, quantity, today)
    if picked_lot != task.lot_id and quantity == task.remaining:
        # The whole task came from the substitute, so the task names the lot really picked.
        uow.outbound.set_task_lot(task.id, picked_lot)
    order_ref = task.order_ref or task.reservation
    movement_ids = stock.apply_in(uow, actor, stock.Pick(
        task.item_id, quantity, task.location.id, order_ref, lot_id=picked_lot,
        lpn_id=task.lpn_id, reservation=task.reservation, to_location_id=to.id,
        serials=serials,
    ), key)
    if not uow.outbound.add_done(task.id, quantity):
        raise TransientConflict("task changed during the pick")
    if task.order_line_id is not None and not uow.outbound.add_to_line(
            task.order_line_id, picked=quantity):
        raise InvalidQuantity(N_("order line {line} has no room for {n} more"),
                              line=task.line_no, n=quantity)
    return movement_ids, order_ref


# Lot substitution.


def _substitute_slot(
    uow: OutboundUnitOfWork, task: TaskRef, lot_id: int, quantity: int, today: date
) -> StockSlot:
    """The balance of another lot at the task's location that may be picked instead."""
    slot = next((s for s in uow.outbound.stock_slots(task.item_id)
                 if s.location_id == task.location.id and s.lot_id == lot_id
                 and s.lpn_id == task.lpn_id and s.status == StockStatus.AVAILABLE), None)
    earliest = max(today, task.ship_date or today)
    if slot is None or not may_substitute(task.expiry, slot.expiry, free=slot.free,
                                          quantity=quantity, earliest_expiry=earliest):
        raise ScanRejected(N_("Lot not allowed: take {lot}"), lot=task.lot or "-")
    return slot


def check_substitute(
    uow_factory: Callable[[], UnitOfWork], task_id: int, lot: str, quantity: int,
    today: date | None = None,
) -> LotChoice:
    """The lot an operator scanned instead of the allocated one, if the rules allow it."""
    with outbound_uow(uow_factory)() as uow:
        task = uow.outbound.task(task_id)
        lot_id = uow.stock.lot_id(task.item_id, lot, None, create=False)
        if lot_id is None:
            raise ScanRejected(N_("Unknown lot {lot}: scan the lot on the goods"), lot=lot[:20])
        slot = _substitute_slot(uow, task, lot_id, quantity, today or date.today())
        return LotChoice(lot_id, lot, slot.expiry)


def _switch_lot(
    uow: OutboundUnitOfWork, task: TaskRef, lot_id: int | None, quantity: int, today: date
) -> int | None:
    """Move `quantity` of the task's reservation onto the substituted lot; returns the lot."""
    if lot_id is None or lot_id == task.lot_id:
        return task.lot_id
    slot = _substitute_slot(uow, task, lot_id, quantity, today)
    uow.stock.release(task.key, quantity, task.reservation)
    if not uow.stock.reserve(slot.key, quantity, task.reservation):
        raise TransientConflict("substitute lot was taken meanwhile")
    return lot_id
