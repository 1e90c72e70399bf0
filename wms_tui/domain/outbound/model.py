"""Outbound's plain values: statuses, orders and lines, waves, stock slots and tasks.

Quantities are in the item's base unit unless a name says otherwise.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from wms_tui.domain.model import BalanceKey, LocationRef, LocationType, StockStatus

DEFAULT_PRIORITY = 5
MAX_PRIORITY = 9
WAVE_PREFIX = "W"
WAVE_DIGITS = 4
TASK_PREFIX = "TASK-"
# Short-pick reasons: codes of kind "short" plus these, which say why the units are not there.
SHORT_REASON_EXTRAS = ("DAMAGED", "EXPIRED")
ORDER_OPTIONAL = ("customer", "ship_date", "priority", "uom")


class OutboundStatus(enum.StrEnum):
    OPEN = "open"
    RELEASED = "released"
    PICKING = "picking"
    PICKED = "picked"
    SHORT = "short"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


class WaveStatus(enum.StrEnum):
    RELEASED = "released"
    PICKING = "picking"
    DONE = "done"
    CANCELLED = "cancelled"


# Waves with nothing left to pick: finished by picking or by a supervisor's cancel.
FINAL_WAVE_STATUSES = frozenset({WaveStatus.DONE, WaveStatus.CANCELLED})


class TaskKind(enum.StrEnum):
    PICK = "pick"
    REPLENISH = "replenish"


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    SHORT = "short"
    CANCELLED = "cancelled"


OPEN_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)


@dataclass(frozen=True)
class OutboundOrderRef:
    id: int
    reference: str
    customer: str
    status: OutboundStatus
    priority: int = DEFAULT_PRIORITY
    ship_date: date | None = None
    wave_id: int | None = None


@dataclass(frozen=True)
class OutboundLineRef:
    """One ordered item: quantity, allocated, picked and short in base units; uom as ordered."""

    id: int
    order_id: int
    line_no: int
    item_id: int
    sku: str
    base_uom: str
    quantity: int
    uom: str
    factor: int = 1
    allocated: int = 0
    picked: int = 0
    short: int = 0

    @property
    def unallocated(self) -> int:
        """What no task holds yet and nobody has given up on: visible, never dropped."""
        return max(self.quantity - self.allocated - self.short, 0)

    @property
    def finished(self) -> bool:
        return self.picked + self.short >= self.quantity


@dataclass(frozen=True)
class OutboundOrderSpec:
    """An order header as an import file describes it; the reference is its key."""

    reference: str
    customer: str = ""
    ship_date: date | None = None
    priority: int = DEFAULT_PRIORITY


@dataclass(frozen=True)
class OutboundLineSpec:
    """An order line as an import file describes it; (reference, line_no) is its key."""

    line_no: int
    item_id: int
    quantity: int
    uom: str


@dataclass(frozen=True)
class WaveRef:
    id: int
    code: str
    status: WaveStatus


@dataclass(frozen=True)
class StockSlot:
    """One balance as allocation sees it, with where it is and how old it is."""

    balance_id: int
    item_id: int
    location_id: int
    location_code: str
    location_type: LocationType
    walk_seq: int
    quantity: int
    reserved: int = 0
    status: StockStatus = StockStatus.AVAILABLE
    lot_id: int | None = None
    lot: str | None = None
    expiry: date | None = None
    # The first receipt of its lot (else of its LPN); None for loose stock without a lot.
    received_at: datetime | None = None
    lpn_id: int | None = None
    aisle: str = ""
    bay: str = ""
    level: str = ""

    @property
    def free(self) -> int:
        return self.quantity - self.reserved

    @property
    def key(self) -> BalanceKey:
        return BalanceKey(self.item_id, self.location_id, self.lot_id, self.lpn_id, self.status)


@dataclass(frozen=True)
class TaskSpec:
    kind: TaskKind
    item_id: int
    location_id: int
    quantity: int
    wave_id: int | None = None
    order_line_id: int | None = None
    lot_id: int | None = None
    lpn_id: int | None = None
    to_location_id: int | None = None
    seq: int = 0


@dataclass(frozen=True)
class TaskRef:
    """A pick or replenishment task with everything an RF screen shows about it.

    location is where the work starts (the pick location, or the reserve location of a
    replenishment); to_location is the pick face a replenishment fills.
    """

    id: int
    kind: TaskKind
    status: TaskStatus
    item_id: int
    sku: str
    base_uom: str
    quantity: int
    location: LocationRef
    done_quantity: int = 0
    seq: int = 0
    reservation: str = ""
    lot_tracked: bool = False
    uom: str = ""
    factor: int = 1
    aisle: str = ""
    bay: str = ""
    level: str = ""
    wave_id: int | None = None
    wave_code: str | None = None
    order_id: int | None = None
    order_ref: str | None = None
    order_line_id: int | None = None
    line_no: int | None = None
    ship_date: date | None = None
    lot_id: int | None = None
    lot: str | None = None
    expiry: date | None = None
    lpn_id: int | None = None
    to_location: LocationRef | None = None
    assigned_to: int | None = None
    reason_code: str | None = None
    description: str = ""

    @property
    def remaining(self) -> int:
        return self.quantity - self.done_quantity

    @property
    def walk_seq(self) -> int:
        return self.location.walk_seq

    @property
    def location_code(self) -> str:
        return self.location.code

    @property
    def key(self) -> BalanceKey:
        return BalanceKey(self.item_id, self.location.id, self.lot_id, self.lpn_id)


@dataclass(frozen=True)
class PickScope:
    """What an operator chose to pick: one wave (batch) or one order; None means any."""

    kind: str
    id: int
    code: str


@dataclass(frozen=True)
class LotChoice:
    """A lot the operator may pick instead of the allocated one."""

    lot_id: int
    lot: str
    expiry: date | None = None


def task_reference(task_id: int) -> str:
    """The reservation (and movement reference) a task's stock is held under."""
    return f"{TASK_PREFIX}{task_id}"


def quantity_text(base: int, uom: str, factor: int, base_uom: str) -> str:
    """A base quantity in the ordered unit when it divides evenly, else in base units."""
    if factor > 1 and base % factor == 0:
        return f"{base // factor} {uom}"
    return f"{base} {base_uom}"
