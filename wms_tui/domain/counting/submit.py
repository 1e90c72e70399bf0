"""Submitting a count: one attempt of a task recorded beside the book and acted on, exactly
once per confirmation key (domain.once)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from wms_tui.domain import stock
from wms_tui.domain.counting.model import (
    COUNTABLE_STATUSES,
    MAX_COUNT_QUANTITY,
    CountLineRecord,
    CountPolicy,
    CountResult,
    CountStatus,
    CountTaskChanged,
    CountTaskRef,
    LineKey,
)
from wms_tui.domain.counting.reads import counters
from wms_tui.domain.counting.repository import CountingUnitOfWork, CountingUowFactory
from wms_tui.domain.counting.rules import (
    book_of,
    count_adjustment,
    decide,
    line_keys,
    may_count,
    settle,
)
from wms_tui.domain.counting.serials import (
    Adjustment,
    CountedSerials,
    checked_serials,
    reconcile_serials,
)
from wms_tui.domain.errors import N_, BadInput, InvalidQuantity, PermissionDenied
from wms_tui.domain.model import Actor, Role
from wms_tui.domain.once import exactly_once
from wms_tui.domain.permissions import Action, require

# (item_id, lot_id, quantity in base units) as keyed.
KeyedLine = tuple[int, int | None, int]


def submit_count(
    uow_factory: CountingUowFactory,
    actor: Actor,
    task_id: int,
    lines: Sequence[KeyedLine],
    key: str,
    *,
    attempt: int | None = None,
    started_at: int | None = None,
    policy: CountPolicy | None = None,
    serials: CountedSerials | None = None,
) -> CountResult:
    """Record one attempt of a count and act on it, exactly once per key.

    lines: (item_id, lot_id, quantity in base units) as keyed; the same item/lot twice is added
    up (two stacks). attempt: the task attempt the count started on, so a count racing another
    operator's is refused. started_at: the ledger position when the location was scanned, so
    movements during the count are seen. serials: per item/lot, the serial of every counted
    unit of a serial-tracked item; given, the location's serials follow the count when it posts.
    """
    require(actor, Action.COUNT)
    if len(key) > 80:
        raise BadInput("confirmation key is longer than 80 characters")
    for _item_id, _lot_id, qty in lines:
        if not isinstance(qty, int) or isinstance(qty, bool) or not 0 <= qty <= MAX_COUNT_QUANTITY:
            raise InvalidQuantity(N_("a count must be a whole number from 0, not {qty}"), qty=qty)
    chosen = policy or CountPolicy()

    def attempt_once() -> CountResult:
        uow = uow_factory()
        with uow:
            return exactly_once(
                uow, actor.user_id, key, "count", CountResult,
                lambda: _submit(uow, actor, task_id, lines, key, attempt, started_at, chosen,
                                serials),
                describe=lambda result: f"count {result.task_id}")

    return stock.with_retry(attempt_once)


def _submit(
    uow: CountingUnitOfWork, actor: Actor, task_id: int, lines: Sequence[KeyedLine], key: str,
    attempt: int | None, started_at: int | None, policy: CountPolicy,
    serials: CountedSerials | None,
) -> CountResult:
    task = uow.counting.task(task_id)
    if task.status not in COUNTABLE_STATUSES or (attempt is not None
                                                 and attempt != task.attempt):
        raise CountTaskChanged(N_("Task {id} was counted already"), id=task.id)
    if not may_count(task, actor, counters(uow, task), policy):
        raise PermissionDenied(N_("Recount needs another operator"))
    counted = _counted_lines(uow, task, lines)
    found = None if serials is None else checked_serials(uow.catalog, counted, serials)
    rows = [r for r in uow.stock.balances(location_id=task.location_id)
            if task.item_id is None or r.key.item_id == task.item_id]
    book = book_of(rows)
    position = uow.counting.ledger_position()
    # The attempt being recounted; None on a first count.
    previous = {(ln.item_id, ln.lot_id): ln.counted
                for ln in uow.counting.lines(task.id, task.attempt)} if task.attempt else None
    disturbed: set[LineKey] = set()
    if started_at is not None:
        disturbed = {(m.item_id, m.lot_id)
                     for m in uow.counting.movements_after(task.location_id, started_at)}
    keys = line_keys(counted, book, previous or {})
    status, plans = settle(decide(keys, counted, book, previous, disturbed, policy),
                           task.location_id, rows)
    new_attempt = task.attempt + 1
    if not uow.counting.advance(task.id, from_attempt=task.attempt,
                                from_statuses=COUNTABLE_STATUSES, status=status,
                                attempt=new_attempt):
        raise CountTaskChanged(N_("Task {id} was counted already"), id=task.id)
    written = [CountLineRecord(
        task.id, new_attempt, item_id, lot_id, counted.get((item_id, lot_id), 0),
        book.get((item_id, lot_id), 0), position, actor.user_id,
        serials=None if found is None else found.get((item_id, lot_id), ()))
        for item_id, lot_id in keys]
    for line in written:
        uow.counting.add_line(line)
    movement_ids: list[int] = []
    adjustments: list[Adjustment] = []
    # The count policy, not the counter's role, authorises a within-tolerance adjustment.
    policy_actor = replace(actor, role=Role.SUPERVISOR)
    for balance_key, delta in plans:
        posted = stock.apply_in(uow, policy_actor, count_adjustment(task, balance_key, delta),
                                key)
        movement_ids += posted
        adjustments += [(balance_key.item_id, delta, m) for m in posted]
    if status == CountStatus.DONE:
        reconcile_serials(uow, uow.catalog, task, written, adjustments)
    return CountResult(
        confirmation=key, task_id=task.id, status=status, attempt=new_attempt,
        movement_ids=movement_ids,
        may_recount=status == CountStatus.RECOUNT and not policy.recount_by_other_operator,
    )


def _counted_lines(uow: CountingUnitOfWork, task: CountTaskRef,
                   lines: Sequence[KeyedLine]) -> dict[LineKey, int]:
    """Keyed lines per item/lot, added up; a lot-tracked item needs its lot, others have none."""
    counted: dict[LineKey, int] = {}
    for item_id, lot_id, qty in lines:
        if task.item_id is not None and item_id != task.item_id:
            raise BadInput(N_("Count {sku} only"), sku=task.sku)
        item = uow.catalog.item(item_id)
        if item.lot_tracked and lot_id is None:
            raise BadInput(N_("{sku} needs a lot"), sku=item.sku)
        k = (item_id, lot_id if item.lot_tracked else None)
        counted[k] = counted.get(k, 0) + qty
    return counted
