"""Steps the outbound transactions share, each inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Protocol, cast

from wms_tui.domain import stock
from wms_tui.domain.errors import N_, BadInput, PermissionDenied, TransientConflict
from wms_tui.domain.model import Actor, BalanceKey, LocationRef, LocationType
from wms_tui.domain.outbound.model import (
    OPEN_TASK_STATUSES,
    OutboundStatus,
    TaskKind,
    TaskRef,
    TaskSpec,
    task_reference,
)
from wms_tui.domain.outbound.paths import DEFAULT_PICK_PATH, PathStrategy, order_pick_path
from wms_tui.domain.outbound.ports import OutboundUnitOfWork, UowFactory
from wms_tui.domain.outbound.settlement import order_status, wave_status
from wms_tui.domain.permissions import Action, can
from wms_tui.domain.ports import UnitOfWork
from wms_tui.domain.status_words import kind_word, status_word
from wms_tui.domain.totes import take_tote

MAX_KEY = 80


def as_outbound(uow: UnitOfWork) -> OutboundUnitOfWork:
    """The unit of work as outbound sees it: ports.UnitOfWork does not name .outbound or
    .counting, the SQL unit of work carries both (the one narrowing in this package)."""
    return cast(OutboundUnitOfWork, uow)


def outbound_uow(factory: Callable[[], UnitOfWork]) -> UowFactory:
    return lambda: as_outbound(factory())


def check_key(key: str | None) -> str:
    key = key or stock.new_confirmation_key()
    if len(key) > MAX_KEY:
        raise BadInput("confirmation key is longer than 80 characters")
    return key


def create_task(uow: OutboundUnitOfWork, spec: TaskSpec) -> int:
    """Insert a task and reserve its stock under TASK-<id>."""
    task_id = uow.outbound.add_task(spec)
    reserve_for_task(uow, task_id, spec)
    return task_id


class TaskReservations(Protocol):
    def set_task_reservation(self, task_id: int, reference: str) -> None: ...


class StockReservations(Protocol):
    def reserve(self, key: BalanceKey, quantity: int, reference: str) -> bool: ...


class ReservingUnitOfWork(Protocol):
    """What reserving a new task's stock touches."""

    @property
    def outbound(self) -> TaskReservations: ...
    @property
    def stock(self) -> StockReservations: ...


def reserve_for_task(uow: ReservingUnitOfWork, task_id: int, spec: TaskSpec) -> None:
    """Reserve a new task's stock under its reference and note that on the task."""
    reference = task_reference(task_id)
    key = BalanceKey(spec.item_id, spec.location_id, spec.lot_id, spec.lpn_id)
    if not uow.stock.reserve(key, spec.quantity, reference):
        # Another transaction took the stock after it was read: start the work again.
        raise TransientConflict(f"stock for {reference} was taken meanwhile")
    uow.outbound.set_task_reservation(task_id, reference)


def resequence(
    uow: OutboundUnitOfWork, wave_id: int, path: PathStrategy | str = DEFAULT_PICK_PATH
) -> list[TaskRef]:
    """Number the wave's open pick tasks 1..n along the pick path."""
    tasks = uow.outbound.tasks(kind=TaskKind.PICK, wave_id=wave_id, statuses=OPEN_TASK_STATUSES)
    ordered = order_pick_path(tasks, path)
    result = []
    for seq, task in enumerate(ordered, start=1):
        if task.seq != seq:
            uow.outbound.set_task_seq(task.id, seq)
        result.append(replace(task, seq=seq))
    return result


def open_task(uow: OutboundUnitOfWork, actor: Actor, task_id: int, kind: TaskKind) -> TaskRef:
    """The task, locked after its wave and order: every writer takes them in that order, so
    two confirmations in one wave queue up instead of deadlocking."""
    task = uow.outbound.task(task_id)
    if task.wave_id is not None:
        uow.outbound.lock_wave(task.wave_id)
    if task.order_id is not None:
        uow.outbound.lock_order(task.order_id)
    task = uow.outbound.lock_task(task_id)
    if task.kind != kind:
        raise BadInput(N_("task {id} is not a {kind} task"), id=task_id, kind=kind_word(kind))
    if task.status not in OPEN_TASK_STATUSES:
        raise BadInput(N_("task {id} is {status} already"), id=task_id,
                       status=status_word(task.status))
    if (task.assigned_to is not None and task.assigned_to != actor.user_id
            and not can(actor.role, Action.APPROVE)):
        raise PermissionDenied(N_("task {id} is another operator's"), id=task_id)
    return task


def staging(uow: OutboundUnitOfWork, location_id: int) -> LocationRef:
    location = uow.catalog.location(location_id)
    if location.type != LocationType.STAGING:
        raise BadInput(N_("{loc} is not a tote or staging location"), loc=location.code)
    return location


def take_order_tote(uow: OutboundUnitOfWork, task: TaskRef, tote: LocationRef) -> None:
    # Before the pick movement, so racing pickers meet at the binding, not at the tote's stock.
    if task.order_id is not None:
        take_tote(uow.outbound, tote, task.order_id)


def settle(uow: OutboundUnitOfWork, task: TaskRef) -> OutboundStatus:
    """Derive order and wave status from their lines and tasks (rows locked by the caller)."""
    status = OutboundStatus.PICKING
    if task.order_id is not None:
        order = uow.outbound.order(task.order_id)
        status = order_status(uow.outbound.lines(order.id), order.status)
        if status != order.status:
            uow.outbound.set_order_status(order.id, status)
    if task.wave_id is not None:
        wave = uow.outbound.wave(task.wave_id)
        still_open = uow.outbound.tasks(kind=TaskKind.PICK, wave_id=wave.id,
                                        statuses=OPEN_TASK_STATUSES, limit=1)
        status_now = wave_status(bool(still_open))
        if status_now != wave.status:
            uow.outbound.set_wave_status(wave.id, status_now)
    return status
