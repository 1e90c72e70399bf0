"""What counting needs from storage: count tasks and lines and the ledger reads, as Protocols."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date
from typing import Protocol

from wms_tui.domain.count_tasks import CountTrigger
from wms_tui.domain.counting.model import (
    CountCandidate,
    CountLineRecord,
    CountStatus,
    CountTaskRef,
)
from wms_tui.domain.model import MovementRecord
from wms_tui.domain.ports import UnitOfWork


class CountingRepository(Protocol):
    """Count tasks and lines, and the ledger reads counting needs; it never commits."""

    def task(self, task_id: int) -> CountTaskRef:
        """Raises NotFound."""
        ...

    def tasks(
        self, *, statuses: Collection[CountStatus] | None = None, location_id: int | None = None
    ) -> list[CountTaskRef]:
        """By due date (none last), walk sequence, id."""
        ...

    def open_task_id(self, location_id: int) -> int | None: ...

    def add_open_task(
        self, location_id: int, *, item_id: int | None, trigger: CountTrigger,
        requested_by: int | None, due: date | None,
    ) -> int | None: ...

    def advance(
        self, task_id: int, *, from_attempt: int, from_statuses: Collection[CountStatus],
        status: CountStatus, attempt: int, approved_by: int | None = None,
    ) -> bool:
        """Move a task on only if it is still at that attempt and status; False otherwise."""
        ...

    def add_line(self, line: CountLineRecord) -> None: ...

    def lines(self, task_id: int, attempt: int | None = None) -> list[CountLineRecord]: ...

    def ledger_position(self) -> int:
        """The id of the newest movement (0 for an empty ledger)."""
        ...

    def movements_after(self, location_id: int, after_id: int) -> list[MovementRecord]:
        """Movements in or out of the location with an id above after_id, oldest first."""
        ...

    def candidates(self) -> list[CountCandidate]:
        """Every item on hand at an active reserve or pick location, with its last count."""
        ...

    def location_ids(self, *, zone: str | None = None, item_id: int | None = None) -> list[int]:
        """Active reserve and pick locations of a zone, or locations holding an item; walk order."""
        ...


class CountingUnitOfWork(UnitOfWork, Protocol):
    # Read-only, as ports.UnitOfWork's members are, so the SQL unit of work type-checks as one.
    @property
    def counting(self) -> CountingRepository: ...


CountingUowFactory = Callable[[], CountingUnitOfWork]
