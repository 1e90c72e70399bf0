"""Cancelling an outbound order, a wave or one task, exactly once per key.

Each cancel is one transaction that takes its rows in the order every picker takes them (wave,
then order, then task; see steps.open_task), so a cancel racing a pick waits for it or wins
before it: a reservation is released whole or not at all. Open tasks are cancelled and their
reservations released; what was allocated to them goes back to the order line, where a new
wave can allocate it again. Picked units are never left unexplained: an order that has some
is cancelled only when the admin says whether they go back to stock (a ledger move out of the
totes) or stay where they are. A cancelled wave says so (status cancelled) from then on,
whatever its tasks did before. Every cancel writes an audit row (`wms audit`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from wms_tui.domain import stock
from wms_tui.domain.errors import N_, BadInput, NotFound, TransientConflict, WrongState
from wms_tui.domain.model import Actor, BalanceRow, LocationType
from wms_tui.domain.once import exactly_once
from wms_tui.domain.outbound.model import (
    FINAL_WAVE_STATUSES,
    OPEN_TASK_STATUSES,
    OutboundOrderRef,
    OutboundStatus,
    TaskKind,
    TaskRef,
    TaskStatus,
    WaveStatus,
)
from wms_tui.domain.outbound.ports import CancelUnitOfWork
from wms_tui.domain.outbound.settlement import wave_status
from wms_tui.domain.outbound.steps import check_key, settle
from wms_tui.domain.permissions import Action, require
from wms_tui.domain.ports import UnitOfWork
from wms_tui.domain.status_words import status_word

# Cancelling undoes a supervisor's release, so it needs the same rank.
CANCEL_ACTION = Action.APPROVE
MAX_REASON = 120
# Orders still on their way to picking: a wave cancel sends them back to open.
REOPENED = (OutboundStatus.RELEASED, OutboundStatus.PICKING)
FINAL = (OutboundStatus.SHIPPED, OutboundStatus.CANCELLED)


class PickedUnits(enum.StrEnum):
    """What happens to units already picked for an order being cancelled."""

    RETURN_TO_STOCK = "return-to-stock"
    KEEP = "keep"


@dataclass(frozen=True)
class CancelResult:
    """What one cancel did; picked units kept stay in kept_in, returned ones went to
    returned_to by movement_ids."""

    key: str
    cancelled: str
    tasks: list[int] = field(default_factory=list)
    released: int = 0
    reopened: list[str] = field(default_factory=list)
    picked: int = 0
    kept_in: list[str] = field(default_factory=list)
    returned: int = 0
    returned_to: str | None = None
    movement_ids: list[int] = field(default_factory=list)
    replayed: bool = False


def cancel_key(what: str, name: str) -> str:
    """The default key of a cancel: running the same cancel again replays its first result."""
    return f"cancel-{what}-{name}"


def _uow(factory: Callable[[], UnitOfWork]) -> Callable[[], CancelUnitOfWork]:
    # The SQL unit of work carries .outbound with the cancel methods (see steps.as_outbound).
    return lambda: cast(CancelUnitOfWork, factory())


def reason_text(reason: str | None) -> str:
    """The reason as recorded; an over-long one is refused, never cut."""
    text = (reason or "").strip()
    if len(text) > MAX_REASON:
        raise BadInput(N_("reason is longer than {n} characters"), n=MAX_REASON)
    return text


def _detail(what: str, result: CancelResult, reason: str) -> str:
    parts = [f"{what}: {len(result.tasks)} task(s) cancelled, {result.released} released"]
    if result.reopened:
        parts.append(f"reopened {' '.join(result.reopened)}")
    if result.returned:
        parts.append(f"{result.returned} picked returned to {result.returned_to}")
    if result.kept_in:
        parts.append(f"{result.picked} picked kept in {' '.join(result.kept_in)}")
    if reason:
        parts.append(f"reason: {reason}")
    return "; ".join(parts)


def release_task(uow: CancelUnitOfWork, task: TaskRef) -> int:
    """Cancel one open, locked task: release what it holds, give its rest back to its line."""
    released = 0
    if task.reservation:
        released = uow.stock.reserved_for(task.key, task.reservation)
        if released:
            uow.stock.release(task.key, released, task.reservation)
    uow.outbound.set_task_status(task.id, TaskStatus.CANCELLED)
    if task.order_line_id is not None and task.remaining and not uow.outbound.add_to_line(
            task.order_line_id, allocated=-task.remaining):
        raise TransientConflict("order line changed during the cancel")
    return released


def _settle_wave(uow: CancelUnitOfWork, wave_id: int) -> None:
    """The wave's status from its open pick tasks; a cancelled wave stays cancelled."""
    if uow.outbound.wave(wave_id).status is WaveStatus.CANCELLED:
        return
    still_open = uow.outbound.tasks(kind=TaskKind.PICK, wave_id=wave_id,
                                    statuses=OPEN_TASK_STATUSES, limit=1)
    status = wave_status(bool(still_open))
    if uow.outbound.wave(wave_id).status != status:
        uow.outbound.set_wave_status(wave_id, status)


def _cancel_open_tasks(uow: CancelUnitOfWork, tasks: list[TaskRef]) -> tuple[list[int], int]:
    """Lock (by id, after their wave and orders) and cancel tasks; returns ids and released."""
    released = 0
    ids = []
    for listed in sorted(tasks, key=lambda t: t.id):
        task = uow.outbound.lock_task(listed.id)
        if task.status not in OPEN_TASK_STATUSES:
            continue
        released += release_task(uow, task)
        ids.append(task.id)
    return ids, released


# One order.


def cancel_order(
    uow_factory: Callable[[], UnitOfWork],
    actor: Actor,
    reference: str,
    *,
    reason: str | None = None,
    picked: PickedUnits | None = None,
    to_location: str | None = None,
    key: str | None = None,
) -> CancelResult:
    """Cancel an outbound order that has not shipped: its open pick tasks and reservations go,
    and picked units go back to stock at to_location or stay where they are (picked says
    which; an order with picked units is refused without it)."""
    require(actor, CANCEL_ACTION)
    ref = reference.strip().upper()
    key = check_key(key or cancel_key("order-out", ref))
    why = reason_text(reason)
    if picked is PickedUnits.RETURN_TO_STOCK and not (to_location or "").strip():
        raise BadInput(N_("say where picked units go back to: --to LOCATION"))
    factory = _uow(uow_factory)
    return stock.with_retry(lambda: _cancel_order_once(
        factory(), actor, ref, why, picked, (to_location or "").strip(), key))


def _order_waves(uow: CancelUnitOfWork, order: OutboundOrderRef) -> list[int]:
    """The order's wave and the waves of its open tasks (a later release may add one)."""
    tasks = uow.outbound.tasks(order_id=order.id, statuses=OPEN_TASK_STATUSES)
    return sorted({w for w in [order.wave_id, *(t.wave_id for t in tasks)] if w is not None})


def locked_order(uow: CancelUnitOfWork, ref: str) -> tuple[OutboundOrderRef, list[int]]:
    """The order, locked after its waves (by id), and those waves; a release meanwhile
    starts the work again."""
    order = uow.outbound.order_by_reference(ref)
    if order is None:
        raise NotFound(N_("no outbound order {ref}"), ref=ref)
    waves = _order_waves(uow, order)
    for wave_id in waves:
        uow.outbound.lock_wave(wave_id)
    uow.outbound.lock_order(order.id)
    now = uow.outbound.order(order.id)
    if _order_waves(uow, now) != waves:
        # A wave would now be locked after the order, against every picker's order.
        raise TransientConflict(f"order {ref} was released meanwhile")
    return now, waves


def _tote_stock(uow: CancelUnitOfWork, order_id: int, items: set[int]) -> list[BalanceRow]:
    """The order's items in the totes bound to it."""
    return [row for tote in uow.outbound.order_totes(order_id)
            for row in uow.stock.balances(location_id=tote)
            if row.key.item_id in items and row.quantity > 0]


def _cancel_order_once(
    uow: CancelUnitOfWork, actor: Actor, ref: str, reason: str, picked: PickedUnits | None,
    to_location: str, key: str,
) -> CancelResult:
    def work() -> CancelResult:
        order, waves = locked_order(uow, ref)
        if order.status in FINAL:
            raise WrongState(N_("order {ref} is {status}: nothing to cancel"), ref=ref,
                           status=status_word(order.status))
        lines = uow.outbound.lines(order.id)
        picked_units = sum(ln.picked for ln in lines)
        held = _tote_stock(uow, order.id, {ln.item_id for ln in lines})
        places = sorted({uow.catalog.location(r.key.location_id).code for r in held})
        if picked_units and picked is None:
            raise BadInput(
                N_("order {ref} has {n} picked unit(s) in {where}: add --picked "
                   "return-to-stock --to LOCATION, or --picked keep"),
                ref=ref, n=picked_units, where=", ".join(places) or "-")
        tasks = uow.outbound.tasks(order_id=order.id, statuses=OPEN_TASK_STATUSES)
        ids, released = _cancel_open_tasks(uow, tasks)
        movement_ids: list[int] = []
        returned = 0
        to_code = None
        if picked_units and picked is PickedUnits.RETURN_TO_STOCK:
            to = uow.catalog.location_by_code(to_location)
            if to is None:
                raise BadInput(N_("no location {code}"), code=to_location)
            if to.type == LocationType.STAGING:
                raise BadInput(N_("{loc} is a tote or staging location: return to stock"),
                               loc=to.code)
            to_code = to.code
            for row in held:
                if not row.available:
                    continue
                movement_ids += stock.apply_in(uow, actor, stock.Move(
                    row.key.item_id, row.available, row.key.location_id, to.id, ref,
                    lot_id=row.key.lot_id, from_lpn_id=row.key.lpn_id, status=row.key.status,
                ), key)
                returned += row.available
        uow.outbound.set_order_status(order.id, OutboundStatus.CANCELLED)
        for wave_id in waves:
            _settle_wave(uow, wave_id)
        result = CancelResult(
            key, f"order {ref}", ids, released, picked=picked_units,
            kept_in=places if picked is PickedUnits.KEEP else [], returned=returned,
            returned_to=to_code, movement_ids=movement_ids,
        )
        uow.outbound.log_cancel(actor.login, actor.terminal, _detail(f"order {ref}", result,
                                                                     reason))
        return result

    with uow:
        return exactly_once(uow, actor.user_id, key, "cancel_order", CancelResult, work,
                            describe=lambda r: f"cancel {r.cancelled}")


# A wave.


def cancel_wave(
    uow_factory: Callable[[], UnitOfWork], actor: Actor, code: str, *,
    reason: str | None = None, key: str | None = None,
) -> CancelResult:
    """Cancel a wave's open pick tasks and release their stock; its orders not yet picked go
    back to open (picked units stay in their totes, still the order's) for a new wave."""
    require(actor, CANCEL_ACTION)
    wave_code = code.strip().upper()
    key = check_key(key or cancel_key("wave", wave_code))
    why = reason_text(reason)
    factory = _uow(uow_factory)
    return stock.with_retry(lambda: _cancel_wave_once(factory(), actor, wave_code, why, key))


def _cancel_wave_once(
    uow: CancelUnitOfWork, actor: Actor, code: str, reason: str, key: str
) -> CancelResult:
    def work() -> CancelResult:
        found = uow.outbound.wave_by_code(code)
        if found is None:
            raise NotFound(N_("no wave {code}"), code=code)
        uow.outbound.lock_wave(found.id)
        orders = uow.outbound.wave_orders(found.id)
        for order in orders:
            uow.outbound.lock_order(order.id)
        tasks = uow.outbound.tasks(kind=TaskKind.PICK, wave_id=found.id,
                                   statuses=OPEN_TASK_STATUSES)
        status = uow.outbound.wave(found.id).status
        if not tasks and status in FINAL_WAVE_STATUSES:
            raise WrongState(N_("wave {code} is {status}: nothing open to cancel"), code=code,
                           status=status_word(status))
        ids, released = _cancel_open_tasks(uow, tasks)
        reopened = []
        for order in orders:
            # An order with open tasks in a later wave is still being picked there.
            elsewhere = uow.outbound.tasks(order_id=order.id, statuses=OPEN_TASK_STATUSES,
                                           limit=1)
            if uow.outbound.order(order.id).status in REOPENED and not elsewhere:
                uow.outbound.reopen_order(order.id)
                reopened.append(order.reference)
        # Nothing in it is open any more (the wave is locked), so it is cancelled, not done.
        uow.outbound.set_wave_status(found.id, WaveStatus.CANCELLED)
        result = CancelResult(key, f"wave {code}", ids, released, reopened)
        uow.outbound.log_cancel(actor.login, actor.terminal, _detail(f"wave {code}", result,
                                                                     reason))
        return result

    with uow:
        return exactly_once(uow, actor.user_id, key, "cancel_wave", CancelResult, work,
                            describe=lambda r: f"cancel {r.cancelled}")


# One task.


def cancel_task(
    uow_factory: Callable[[], UnitOfWork], actor: Actor, task_id: int, *,
    reason: str | None = None, key: str | None = None,
) -> CancelResult:
    """Cancel one open pick or replenishment task and release its reservation; a pick task's
    rest goes back to its order line, unallocated, for a later wave."""
    require(actor, CANCEL_ACTION)
    key = check_key(key or cancel_key("task", str(task_id)))
    why = reason_text(reason)
    factory = _uow(uow_factory)
    return stock.with_retry(lambda: _cancel_task_once(factory(), actor, task_id, why, key))


def _cancel_task_once(
    uow: CancelUnitOfWork, actor: Actor, task_id: int, reason: str, key: str
) -> CancelResult:
    def work() -> CancelResult:
        try:
            task = uow.outbound.task(task_id)
        except NotFound:
            raise NotFound(N_("no task {id}"), id=task_id) from None
        if task.wave_id is not None:
            uow.outbound.lock_wave(task.wave_id)
        if task.order_id is not None:
            uow.outbound.lock_order(task.order_id)
        task = uow.outbound.lock_task(task_id)
        if task.status not in OPEN_TASK_STATUSES:
            raise WrongState(N_("task {id} is {status} already"), id=task_id,
                           status=status_word(task.status))
        released = release_task(uow, task)
        if task.order_id is not None or task.wave_id is not None:
            settle(uow, task)
        result = CancelResult(key, f"task {task_id}", [task_id], released)
        uow.outbound.log_cancel(actor.login, actor.terminal, _detail(
            f"{task.kind.value} task {task_id}", result, reason))
        return result

    with uow:
        return exactly_once(uow, actor.user_id, key, "cancel_task", CancelResult, work,
                            describe=lambda r: f"cancel {r.cancelled}")
