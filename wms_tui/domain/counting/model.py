"""Counting's values: task statuses, the policy, what a counted line means and what services
return; plain frozen dataclasses and enums, no storage."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from wms_tui.domain.count_tasks import CountTrigger
from wms_tui.domain.errors import N_, BadInput, WmsError
from wms_tui.domain.permissions import Action

COUNT_REASON = "COUNT"
LEFT_SINCE = N_("{sku} left the location since the count: recount")
# Approving is a right apart from counting: whoever keyed any attempt of a task never decides it.
OWN_COUNT = N_("You counted task {id}: another supervisor must approve or reject it")
# Requesting counts is supervisor work; APPROVE is the supervisor-level action it rides on.
REQUEST_COUNT = Action.APPROVE
DEFAULT_FREQUENCIES: Mapping[str, int] = {"A": 30, "B": 90, "C": 365}
MAX_COUNT_QUANTITY = 10_000_000

# An item and its lot (None when the item is not lot-tracked): what one count line is about.
LineKey = tuple[int, int | None]


class CountStatus(enum.StrEnum):
    OPEN = "open"
    RECOUNT = "recount"
    PENDING_APPROVAL = "pending_approval"
    DONE = "done"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


# A task in one of these holds its location: no second task is created there.
OPEN_STATUSES = frozenset({CountStatus.OPEN, CountStatus.RECOUNT, CountStatus.PENDING_APPROVAL})
# What an operator can count now.
COUNTABLE_STATUSES = frozenset({CountStatus.OPEN, CountStatus.RECOUNT})


class CountTaskChanged(WmsError):
    """Someone else counted (or a supervisor closed) the task while this count was keyed."""


@dataclass(frozen=True)
class CountPolicy:
    """How strict counting is; the defaults are the shipped policy."""

    recount_by_other_operator: bool = True
    tolerance_qty: int = 2
    tolerance_pct: float = 5.0
    frequencies: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_FREQUENCIES))

    def __post_init__(self) -> None:
        if self.tolerance_qty < 0 or self.tolerance_pct < 0:
            raise BadInput("count tolerances cannot be negative")
        if any(days <= 0 for days in self.frequencies.values()):
            raise BadInput("count frequencies must be at least 1 day")

    def frequency(self, abc_class: str) -> int:
        """Days between counts for a class; an unknown class counts as the least frequent."""
        return self.frequencies.get(abc_class.upper(), max(self.frequencies.values(), default=365))


class Outcome(enum.StrEnum):
    MATCH = "match"
    RECOUNT = "recount"
    ADJUST = "adjust"
    APPROVAL = "approval"


@dataclass(frozen=True)
class Decision:
    """What one counted line means; variance is the count that decides minus the book."""

    outcome: Outcome
    variance: int
    # The recount agreed with the first count (None on a first count).
    confirmed: bool | None = None


@dataclass(frozen=True)
class CountTaskRef:
    """A count task as operators and supervisors see it; it never carries a book quantity."""

    id: int
    location_id: int
    location: str
    walk_seq: int
    status: CountStatus
    trigger: CountTrigger
    attempt: int
    item_id: int | None = None
    sku: str | None = None
    requested_by: int | None = None
    approved_by: int | None = None
    due: date | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class CountLineRecord:
    """One item/lot of one attempt: the count beside the book and ledger position then."""

    task_id: int
    attempt: int
    item_id: int
    lot_id: int | None
    counted: int
    expected: int
    ledger_position: int
    counted_by: int
    counted_at: datetime | None = None
    id: int | None = None
    # The serials of the units counted, for a count that recorded serials; None for one that
    # did not (a command-line count), which leaves the books' serials as they are.
    serials: tuple[str, ...] | None = None

    @property
    def variance(self) -> int:
        return self.counted - self.expected


@dataclass(frozen=True)
class CountCandidate:
    """An item on hand at a countable location, with when it was last counted there."""

    location_id: int
    location: str
    walk_seq: int
    item_id: int
    abc_class: str
    last_counted: date | None = None


@dataclass(frozen=True)
class CountResult:
    """What a submitted count did, without numbers: the counter stays blind."""

    confirmation: str
    task_id: int
    status: CountStatus
    attempt: int
    movement_ids: list[int] = field(default_factory=list)
    # The same operator may do the recount now.
    may_recount: bool = False
    replayed: bool = False


@dataclass(frozen=True)
class ApprovalResult:
    """What a supervisor's decision did; status recount when stock left since the count."""

    confirmation: str
    task_id: int
    status: CountStatus
    movement_ids: list[int] = field(default_factory=list)
    new_task_id: int | None = None
    # Why a recount was needed instead (English; LEFT_SINCE with sku for the screens).
    reason: str = ""
    sku: str | None = None
    replayed: bool = False


@dataclass
class ScheduleReport:
    """Tasks made, and why others were not."""

    created: list[CountTaskRef] = field(default_factory=list)
    due_items: int = 0
    already_open: list[str] = field(default_factory=list)
