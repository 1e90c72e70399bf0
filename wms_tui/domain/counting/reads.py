"""Which tasks there are, and which one an operator may count next."""

from __future__ import annotations

from collections.abc import Collection

from wms_tui.domain.counting.model import COUNTABLE_STATUSES, CountPolicy, CountStatus, CountTaskRef
from wms_tui.domain.counting.repository import CountingUnitOfWork, CountingUowFactory
from wms_tui.domain.counting.rules import due_day, may_count, needs_other_counter
from wms_tui.domain.model import Actor


def counters(uow: CountingUnitOfWork, task: CountTaskRef) -> set[int]:
    """Who keyed the task's last attempt."""
    if task.attempt == 0:
        return set()
    return {line.counted_by for line in uow.counting.lines(task.id, task.attempt)}


def tasks_for(uow: CountingUnitOfWork, actor: Actor, policy: CountPolicy,
              location_id: int | None = None) -> list[CountTaskRef]:
    """Tasks this operator may count now: the oldest due first, then in walk order."""
    tasks = uow.counting.tasks(statuses=COUNTABLE_STATUSES, location_id=location_id)
    mine = [t for t in tasks
            if may_count(t, actor, counters(uow, t) if needs_other_counter(t, policy) else (),
                         policy)]
    return sorted(mine, key=lambda t: (due_day(t), t.walk_seq, t.location, t.id))


def list_tasks(uow_factory: CountingUowFactory,
               statuses: Collection[CountStatus] | None = None) -> list[CountTaskRef]:
    with uow_factory() as uow:
        return uow.counting.tasks(statuses=statuses)
