"""Short picks (fewer than asked, with a reason) and the zero check ("location empty?")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from wms_tui.domain import stock
from wms_tui.domain.count_tasks import CountTrigger, open_count_task
from wms_tui.domain.errors import N_, BadInput, InvalidQuantity, TransientConflict
from wms_tui.domain.model import Actor
from wms_tui.domain.once import exactly_once
from wms_tui.domain.outbound.allocation import allocate
from wms_tui.domain.outbound.model import TaskKind, TaskRef, TaskSpec, TaskStatus, task_reference
from wms_tui.domain.outbound.paths import DEFAULT_PICK_PATH, PathStrategy
from wms_tui.domain.outbound.picking import post_pick
from wms_tui.domain.outbound.ports import OutboundUnitOfWork
from wms_tui.domain.outbound.replenishment import replenish_face
from wms_tui.domain.outbound.results import ShortResult, ZeroCheckResult
from wms_tui.domain.outbound.steps import (
    check_key,
    create_task,
    open_task,
    outbound_uow,
    resequence,
    settle,
    staging,
    take_order_tote,
)
from wms_tui.domain.permissions import Action, require
from wms_tui.domain.ports import UnitOfWork


def short_pick(
    uow_factory: Callable[[], UnitOfWork],
    actor: Actor,
    task_id: int,
    picked: int,
    reason_code: str,
    *,
    to_location_id: int | None = None,
    lot_id: int | None = None,
    key: str | None = None,
    today: date | None = None,
    path: PathStrategy | str = DEFAULT_PICK_PATH,
    serials: Sequence[str] = (),
) -> ShortResult:
    """Close a task with less than asked (picked may be 0), exactly once per key.

    One transaction: what was picked is posted (into a tote bound to the order, as in
    confirm_pick, with the serials of a serial-tracked item); the rest of the reservation is
    released and re-allocated from other locations as new tasks in the same wave; what no
    stock covers is recorded short on the order line; a count task (trigger short_pick) is
    created for the location unless one is already open; a pick face is replenished if it
    needs it.
    """
    key = check_key(key)
    require(actor, Action.PICK)
    if picked < 0:
        raise InvalidQuantity(N_("picked quantity cannot be negative"))
    if picked > 0 and to_location_id is None:
        raise BadInput(N_("scan a tote for what was picked"))
    factory = outbound_uow(uow_factory)
    return stock.with_retry(lambda: _short_once(
        factory(), actor, task_id, picked, reason_code.strip().upper(), to_location_id, lot_id,
        key, today or date.today(), path, tuple(serials)))


def _short_once(
    uow: OutboundUnitOfWork, actor: Actor, task_id: int, picked: int, reason: str,
    to_location_id: int | None, lot_id: int | None, key: str, today: date,
    path: PathStrategy | str, serials: tuple[str, ...],
) -> ShortResult:
    def work() -> ShortResult:
        task = open_task(uow, actor, task_id, TaskKind.PICK)
        if picked >= task.remaining:
            raise InvalidQuantity(N_("Short means less than {n}: key less"), n=task.remaining)
        if not uow.catalog.reason_exists(reason):
            raise BadInput(N_("unknown reason code {code!r}: use a short reason"), code=reason)
        movement_ids: list[int] = []
        if picked > 0 and to_location_id is not None:
            to = staging(uow, to_location_id)
            take_order_tote(uow, task, to)
            movement_ids, _ref = post_pick(uow, actor, task, picked, to, lot_id, key, today,
                                           serials)
        rest = task.remaining - picked
        uow.stock.release(task.key, rest, task.reservation)
        uow.outbound.set_task_status(task.id, TaskStatus.SHORT, reason)
        reallocated, new_ids, short = _reallocate(uow, task, rest, today)
        if new_ids and task.wave_id is not None:
            resequence(uow, task.wave_id, path)
        count_id, _created = open_count_task(uow.counting, task.location.id,
                                             CountTrigger.SHORT_PICK, item_id=task.item_id,
                                             requested_by=actor.user_id)
        status = settle(uow, task)
        empty = uow.outbound.location_on_hand(task.location.id) == 0
        replenish = replenish_face(uow, task.item_id, task.location, today)
        return ShortResult(key, movement_ids, task.id, picked, reallocated, short, new_ids,
                           count_id, status, empty, replenish)

    with uow:
        return exactly_once(uow, actor.user_id, key, "short_pick", ShortResult, work,
                            describe=lambda r: f"short pick {task_reference(r.task_id)}")


def _reallocate(
    uow: OutboundUnitOfWork, task: TaskRef, rest: int, today: date
) -> tuple[int, list[int], int]:
    """Cover a short remainder from other locations; returns (allocated, task ids, short)."""
    if task.order_line_id is None:
        return 0, [], 0
    line_id = task.order_line_id
    item = uow.catalog.item(task.item_id)
    result = allocate(
        rest, uow.outbound.stock_slots(item.id), expiry_tracked=item.expiry_tracked,
        unit=task.factor, earliest_expiry=max(today, task.ship_date or today),
        exclude_locations=frozenset({task.location.id}),
    )
    new_ids = [
        create_task(uow, TaskSpec(
            TaskKind.PICK, item.id, a.slot.location_id, a.quantity, wave_id=task.wave_id,
            order_line_id=line_id, lot_id=a.slot.lot_id, lpn_id=a.slot.lpn_id,
        ))
        for a in result.allocations
    ]
    if not uow.outbound.add_to_line(line_id, allocated=result.allocated - rest,
                                    short=result.missing):
        raise TransientConflict("order line changed during the short pick")
    return result.allocated, new_ids, result.missing


def answer_zero_check(
    uow_factory: Callable[[], UnitOfWork],
    actor: Actor,
    location_id: int,
    empty: bool,
    key: str | None = None,
) -> int | None:
    """The picker's answer to "location empty?": "no" creates a count task (trigger zero_check)
    unless one is open for the location; returns that count task's id."""
    require(actor, Action.PICK)
    if empty:
        return None
    key = check_key(key)
    factory = outbound_uow(uow_factory)
    return stock.with_retry(
        lambda: _zero_check_once(factory(), actor, location_id, key)).count_task_id


def _zero_check_once(
    uow: OutboundUnitOfWork, actor: Actor, location_id: int, key: str
) -> ZeroCheckResult:
    def work() -> ZeroCheckResult:
        uow.catalog.location(location_id)
        count_id, _created = open_count_task(uow.counting, location_id, CountTrigger.ZERO_CHECK,
                                             requested_by=actor.user_id)
        return ZeroCheckResult(key, count_id)

    with uow:
        return exactly_once(uow, actor.user_id, key, "zero_check", ZeroCheckResult, work,
                            describe=lambda r: "zero check")
