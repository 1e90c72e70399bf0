"""The supervisor's decision on a location waiting for approval, exactly once per key."""

from __future__ import annotations

from wms_tui.domain import stock
from wms_tui.domain.count_tasks import CountTrigger, open_count_task
from wms_tui.domain.counting.model import (
    LEFT_SINCE,
    OWN_COUNT,
    ApprovalResult,
    CountStatus,
    CountTaskChanged,
    CountTaskRef,
)
from wms_tui.domain.counting.repository import CountingUnitOfWork, CountingUowFactory
from wms_tui.domain.counting.rules import book_of, count_adjustment, split_adjustment
from wms_tui.domain.counting.serials import Adjustment, reconcile_serials
from wms_tui.domain.errors import N_, BadInput, InsufficientStock, PermissionDenied
from wms_tui.domain.model import Actor, BalanceKey
from wms_tui.domain.once import exactly_once
from wms_tui.domain.permissions import Action, require


def approve_count(
    uow_factory: CountingUowFactory, supervisor: Actor, task_id: int, approve: bool, key: str,
) -> ApprovalResult:
    """Post a waiting location's variances (approved_by on every row) or reject them; never
    by a user who counted the task (OWN_COUNT).

    Each variance is the one measured at count time (counted - expected), applied to the
    balance as it is now. If stock left since and the adjustment would take the balance below
    zero, nothing is posted and the location goes back for a recount. A rejection closes the
    task and opens a fresh count of the same location.
    """
    require(supervisor, Action.APPROVE)
    if len(key) > 80:
        raise BadInput("confirmation key is longer than 80 characters")

    def attempt_once() -> ApprovalResult:
        uow = uow_factory()
        with uow:
            return exactly_once(
                uow, supervisor.user_id, key, "count_approval", ApprovalResult,
                lambda: _decide(uow, supervisor, task_id, approve, key),
                describe=lambda result: f"count approval {result.task_id}")

    return stock.with_retry(attempt_once)


def _decide(
    uow: CountingUnitOfWork, supervisor: Actor, task_id: int, approve: bool, key: str
) -> ApprovalResult:
    task = uow.counting.task(task_id)
    if task.status != CountStatus.PENDING_APPROVAL:
        raise CountTaskChanged(N_("Task {id} is not waiting for approval"), id=task.id)
    if any(ln.counted_by == supervisor.user_id for ln in uow.counting.lines(task.id)):
        raise PermissionDenied(OWN_COUNT, id=task.id)
    if approve:
        return _post_approved(uow, supervisor, task, key)
    return _reject(uow, supervisor, task, key)


def _move_task(uow: CountingUnitOfWork, task: CountTaskRef, status: CountStatus,
               approved_by: int | None = None) -> None:
    if not uow.counting.advance(task.id, from_attempt=task.attempt,
                                from_statuses={CountStatus.PENDING_APPROVAL}, status=status,
                                attempt=task.attempt, approved_by=approved_by):
        raise CountTaskChanged(N_("Task {id} is not waiting for approval"), id=task.id)


def _reject(uow: CountingUnitOfWork, supervisor: Actor, task: CountTaskRef,
            key: str) -> ApprovalResult:
    _move_task(uow, task, CountStatus.REJECTED, supervisor.user_id)
    new_id, _created = open_count_task(uow.counting, task.location_id, CountTrigger.SUPERVISOR,
                                       item_id=task.item_id, requested_by=supervisor.user_id)
    return ApprovalResult(key, task.id, CountStatus.REJECTED, new_task_id=new_id)


def _post_approved(uow: CountingUnitOfWork, supervisor: Actor, task: CountTaskRef,
                   key: str) -> ApprovalResult:
    rows = uow.stock.balances(location_id=task.location_id)
    now = book_of(rows)
    plans: list[tuple[BalanceKey, int]] = []
    lines = uow.counting.lines(task.id, task.attempt)
    for line in lines:
        delta = line.variance
        if delta == 0:
            continue
        if now.get((line.item_id, line.lot_id), 0) + delta < 0:
            _move_task(uow, task, CountStatus.RECOUNT)
            sku = uow.catalog.item(line.item_id).sku
            return ApprovalResult(key, task.id, CountStatus.RECOUNT,
                                  reason=LEFT_SINCE.format(sku=sku), sku=sku)
        plan = split_adjustment(line.item_id, task.location_id, line.lot_id, rows, delta)
        if plan is None:
            sku = uow.catalog.item(line.item_id).sku
            location = uow.catalog.location(task.location_id).code
            raise InsufficientStock(
                N_("{sku} at {loc} is reserved for picking: settle those picks first"),
                sku=sku, loc=location)
        plans.extend(plan)
    _move_task(uow, task, CountStatus.DONE, supervisor.user_id)
    movement_ids: list[int] = []
    adjustments: list[Adjustment] = []
    for balance_key, delta in plans:
        posted = stock.apply_in(
            uow, supervisor, count_adjustment(task, balance_key, delta, supervisor.user_id), key)
        movement_ids += posted
        adjustments += [(balance_key.item_id, delta, m) for m in posted]
    reconcile_serials(uow, uow.catalog, task, lines, adjustments)
    return ApprovalResult(key, task.id, CountStatus.DONE, movement_ids)
