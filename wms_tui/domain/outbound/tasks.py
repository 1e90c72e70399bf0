"""Choosing work: the wave or order a scan names, and the operator's next task."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from wms_tui.domain import stock
from wms_tui.domain.errors import TransientConflict
from wms_tui.domain.model import Actor
from wms_tui.domain.order_import import MAX_REFERENCE
from wms_tui.domain.outbound.model import (
    OPEN_TASK_STATUSES,
    PickScope,
    TaskKind,
    TaskRef,
    TaskStatus,
)
from wms_tui.domain.outbound.ports import OutboundUnitOfWork
from wms_tui.domain.outbound.steps import outbound_uow
from wms_tui.domain.permissions import Action, require
from wms_tui.domain.ports import UnitOfWork

# Next tasks looked at when choosing one for an operator; waves beyond it wait their turn.
TASK_LOOKAHEAD = 200


def find_scope(uow_factory: Callable[[], UnitOfWork], raw: str) -> PickScope | None:
    """The wave (by code) or the released order (by reference) a scan names, else None."""
    text = raw.strip().upper()
    if not text or len(text) > MAX_REFERENCE:
        return None
    with outbound_uow(uow_factory)() as uow:
        wave = uow.outbound.wave_by_code(text)
        if wave is not None:
            return PickScope("wave", wave.id, wave.code)
        order = uow.outbound.order_by_reference(text)
        if order is not None and order.wave_id is not None:
            return PickScope("order", order.id, order.reference)
    return None


def next_task(
    uow_factory: Callable[[], UnitOfWork], actor: Actor, kind: TaskKind,
    scope: PickScope | None = None,
) -> TaskRef | None:
    """The operator's task: one already assigned to them, else the first free one in walk order,
    preferring waves nobody else is picking (so a batch stays one operator's trip)."""
    require(actor, Action.PICK if kind == TaskKind.PICK else Action.MOVE)
    factory = outbound_uow(uow_factory)
    return stock.with_retry(lambda: _next_task_once(factory(), actor, kind, scope))


def _next_task_once(
    uow: OutboundUnitOfWork, actor: Actor, kind: TaskKind, scope: PickScope | None
) -> TaskRef | None:
    wave_id = scope.id if scope is not None and scope.kind == "wave" else None
    order_id = scope.id if scope is not None and scope.kind == "order" else None
    with uow:

        def open_tasks(*, assigned_to: int | None = None, limit: int) -> list[TaskRef]:
            return uow.outbound.tasks(
                kind=kind, wave_id=wave_id, order_id=order_id, statuses=OPEN_TASK_STATUSES,
                assigned_to=assigned_to, unassigned=assigned_to is None, limit=limit)

        mine = open_tasks(assigned_to=actor.user_id, limit=1)
        if mine:
            return mine[0]
        for _attempt in range(5):
            free = open_tasks(limit=TASK_LOOKAHEAD)
            if not free:
                return None
            busy = uow.outbound.busy_waves(kind, actor.user_id)
            task = next((t for t in free if t.wave_id not in busy), free[0])
            if uow.outbound.claim_task(task.id, actor.user_id):
                uow.commit()
                return replace(task, assigned_to=actor.user_id, status=TaskStatus.IN_PROGRESS)
        raise TransientConflict("other operators keep taking the next task")
