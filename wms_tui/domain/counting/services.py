"""Counting's front-door adapters: the RF count flow's services and tasks as JSON values."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict

from wms_tui.domain.counting.model import CountPolicy, CountResult, CountTaskRef
from wms_tui.domain.counting.reads import tasks_for
from wms_tui.domain.counting.repository import CountingUnitOfWork
from wms_tui.domain.counting.serials import CountedSerials
from wms_tui.domain.counting.submit import KeyedLine, submit_count
from wms_tui.domain.model import Actor


class CountingServicesMixin:
    """The count flow's services (flows.count.CountServices) over WarehouseServices."""

    uow_factory: Callable[[], CountingUnitOfWork]
    read_factory: Callable[[], CountingUnitOfWork]
    count_policy: CountPolicy = CountPolicy()

    def count_tasks(self, actor: Actor, location_id: int | None = None) -> list[CountTaskRef]:
        with self.read_factory() as uow:
            return tasks_for(uow, actor, self.count_policy, location_id)

    def ledger_position(self) -> int:
        with self.read_factory() as uow:
            return uow.counting.ledger_position()

    def submit_count(
        self, actor: Actor, task_id: int, lines: Sequence[KeyedLine], key: str,
        *, attempt: int | None = None, started_at: int | None = None,
        serials: CountedSerials | None = None,
    ) -> CountResult:
        return submit_count(self.uow_factory, actor, task_id, lines, key,
                            attempt=attempt, started_at=started_at, policy=self.count_policy,
                            serials=serials)


def task_json(task: CountTaskRef) -> dict[str, object]:
    """A task as JSON-safe values, for `wms count list --json` and saved flow state."""
    data = asdict(task)
    data["status"] = task.status.value
    data["trigger"] = task.trigger.value
    data["due"] = task.due.isoformat() if task.due else None
    data["created_at"] = task.created_at.isoformat() if task.created_at else None
    return data
