"""Replenishment: a pick face below its minimum (or empty) gets one task from reserve, and an
operator moves it out of the task's reservation onto the face.

A face has at most one open replenishment per item. The database backs the rule with a partial
unique index on task(to_location_id, item_id) over open replenishments, so two pickers emptying
one face at once cannot both add one: the loser's insert does nothing and it adds none.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Protocol

from wms_tui.domain import stock
from wms_tui.domain.errors import N_, BadInput, InvalidQuantity, TransientConflict
from wms_tui.domain.model import (
    Actor,
    BalanceKey,
    BalanceRow,
    ItemRef,
    LocationRef,
    LocationType,
    StockStatus,
)
from wms_tui.domain.once import exactly_once
from wms_tui.domain.outbound.allocation import (
    REPLENISH_FROM,
    allocate,
    case_factor,
    replenishment_quantity,
)
from wms_tui.domain.outbound.model import (
    StockSlot,
    TaskKind,
    TaskSpec,
    TaskStatus,
    task_reference,
)
from wms_tui.domain.outbound.ports import OutboundUnitOfWork
from wms_tui.domain.outbound.results import ReplenishResult
from wms_tui.domain.outbound.steps import check_key, open_task, outbound_uow, reserve_for_task
from wms_tui.domain.permissions import Action, require
from wms_tui.domain.ports import UnitOfWork


class FaceTasks(Protocol):
    def open_replenishment(self, to_location_id: int, item_id: int) -> bool: ...
    def replenishment_levels(self, item_id: int) -> tuple[int | None, int | None]: ...
    def stock_slots(self, item_id: int) -> list[StockSlot]: ...
    def add_replenishment(self, spec: TaskSpec) -> int | None: ...
    def set_task_reservation(self, task_id: int, reference: str) -> None: ...


class FaceStock(Protocol):
    def balances(self, *, item_id: int, location_id: int) -> list[BalanceRow]: ...
    def reserve(self, key: BalanceKey, quantity: int, reference: str) -> bool: ...


class FaceCatalog(Protocol):
    def units(self, item_id: int) -> dict[str, int]: ...
    def item(self, item_id: int) -> ItemRef: ...


class FaceUnitOfWork(Protocol):
    """What replenishing a pick face reads and writes, inside the caller's transaction."""

    @property
    def outbound(self) -> FaceTasks: ...
    @property
    def stock(self) -> FaceStock: ...
    @property
    def catalog(self) -> FaceCatalog: ...


def replenish_face(
    uow: FaceUnitOfWork, item_id: int, face: LocationRef, today: date
) -> list[int]:
    """The replenishment task (as a list: none or one) a pick left the face needing, from the
    reserve stock FEFO/FIFO puts first, in the caller's transaction."""
    if face.type != LocationType.PICK or uow.outbound.open_replenishment(face.id, item_id):
        return []
    min_qty, max_qty = uow.outbound.replenishment_levels(item_id)
    on_hand = sum(b.quantity for b in uow.stock.balances(item_id=item_id, location_id=face.id)
                  if b.key.status == StockStatus.AVAILABLE)
    case = case_factor(uow.catalog.units(item_id))
    need = replenishment_quantity(on_hand, min_qty=min_qty, max_qty=max_qty, case=case)
    if need == 0:
        return []
    item = uow.catalog.item(item_id)
    result = allocate(need, uow.outbound.stock_slots(item_id), expiry_tracked=item.expiry_tracked,
                      unit=case, earliest_expiry=today, types=REPLENISH_FROM)
    if not result.allocations:
        return []
    first = result.allocations[0]
    spec = TaskSpec(TaskKind.REPLENISH, item_id, first.slot.location_id, first.quantity,
                    lot_id=first.slot.lot_id, lpn_id=first.slot.lpn_id, to_location_id=face.id,
                    seq=first.slot.walk_seq)
    task_id = uow.outbound.add_replenishment(spec)
    if task_id is None:
        # Another picker's replenishment of this face committed first: it is the one.
        return []
    reserve_for_task(uow, task_id, spec)
    return [task_id]


def confirm_replenishment(
    uow_factory: Callable[[], UnitOfWork],
    actor: Actor,
    task_id: int,
    quantity: int,
    *,
    key: str | None = None,
) -> ReplenishResult:
    """Move a replenishment from reserve to its pick face out of its reservation, exactly once.

    Less than the task quantity finishes the task all the same and frees the rest (the face
    may hold no more); more is refused.
    """
    key = check_key(key)
    require(actor, Action.MOVE)
    if quantity <= 0:
        raise InvalidQuantity(N_("move a quantity above 0"))
    factory = outbound_uow(uow_factory)
    return stock.with_retry(lambda: _replenish_once(factory(), actor, task_id, quantity, key))


def _replenish_once(
    uow: OutboundUnitOfWork, actor: Actor, task_id: int, quantity: int, key: str
) -> ReplenishResult:
    def work() -> ReplenishResult:
        task = open_task(uow, actor, task_id, TaskKind.REPLENISH)
        if quantity > task.remaining:
            raise InvalidQuantity(N_("Only {n} {uom} asked"), n=task.remaining,
                                  uom=task.base_uom)
        face = task.to_location
        if face is None:
            raise BadInput(f"replenishment task {task.id} has no pick face")
        # Freed first in this same transaction, so the move can take the reserved units.
        uow.stock.release(task.key, task.remaining, task.reservation)
        movement_ids = stock.apply_in(uow, actor, stock.Move(
            task.item_id, quantity, task.location.id, face.id, task.reservation,
            lot_id=task.lot_id, from_lpn_id=task.lpn_id,
        ), key)
        if not uow.outbound.add_done(task.id, quantity):
            raise TransientConflict("task changed during the replenishment")
        uow.outbound.set_task_status(task.id, TaskStatus.DONE)
        return ReplenishResult(key, movement_ids, task.id, task.sku, quantity, task.base_uom,
                               task.location.code, face.code)

    with uow:
        return exactly_once(uow, actor.user_id, key, "replenish", ReplenishResult, work,
                            describe=lambda r: f"replenish {task_reference(r.task_id)}")
