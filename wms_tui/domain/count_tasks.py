"""The one owner of "a location has at most one open count task".

Every trigger (the ABC schedule, a supervisor's request, a short pick, a zero check, a recount)
creates its task through `open_count_task`; the database backs the rule with a partial unique
index on count_task(location_id) over the open statuses, so two terminals racing cannot both
insert: the loser's insert does nothing and it takes the winner's task.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Protocol

from wms_tui.domain.errors import N_, TransientConflict


class CountTrigger(enum.StrEnum):
    """Why a count task exists."""

    ABC = "abc"
    SHORT_PICK = "short_pick"
    ZERO_CHECK = "zero_check"
    SUPERVISOR = "supervisor"


# A task in one of these holds its location (the statuses of the partial unique index).
OPEN_STATUS_VALUES = ("open", "recount", "pending_approval")


class CountTaskStore(Protocol):
    """Count-task rows as the rule needs them; it never commits."""

    def open_task_id(self, location_id: int) -> int | None: ...

    def add_open_task(
        self, location_id: int, *, item_id: int | None, trigger: CountTrigger,
        requested_by: int | None, due: date | None,
    ) -> int | None:
        """Insert an open task; None when the location already has one (the index refused)."""
        ...


def open_count_task(
    store: CountTaskStore, location_id: int, trigger: CountTrigger, *,
    requested_by: int | None = None, item_id: int | None = None, due: date | None = None,
) -> tuple[int, bool]:
    """The location's open task and whether this call made it, in the caller's transaction."""
    found = store.open_task_id(location_id)
    if found is not None:
        return found, False
    created = store.add_open_task(location_id, item_id=item_id, trigger=trigger,
                                  requested_by=requested_by, due=due)
    if created is not None:
        return created, True
    # Another terminal's task won the index between our look and our insert: it is the one.
    found = store.open_task_id(location_id)
    if found is None:
        raise TransientConflict(N_("the count task of this location changed; try again"))
    return found, False
