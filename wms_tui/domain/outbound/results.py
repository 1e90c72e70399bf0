"""What outbound's services hand back: a released wave's report and each confirmation's result.

A confirmation's result is what `once.exactly_once` stores under its key and replays; its
fields plus "message" are also what `RfServices.posted()` reads when a flow resumes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wms_tui.domain.outbound.model import OutboundStatus, TaskStatus


@dataclass(frozen=True)
class WaveTaskLine:
    seq: int
    task_id: int
    order: str
    line_no: int
    sku: str
    location: str
    quantity: int
    uom: str
    lot: str | None = None


@dataclass(frozen=True)
class UnallocatedLine:
    """An order line the release could not fully cover, and why."""

    order: str
    line_no: int
    sku: str
    quantity: int
    allocated: int
    missing: int
    uom: str
    reason: str


@dataclass(frozen=True)
class WaveReport:
    code: str
    wave_id: int
    orders: tuple[str, ...]
    tasks: tuple[WaveTaskLine, ...]
    unallocated: tuple[UnallocatedLine, ...]


@dataclass(frozen=True)
class PickResult:
    """What one pick confirmation did; a resubmitted key returns this same value."""

    confirmation: str
    movement_ids: list[int]
    task_id: int
    sku: str
    quantity: int
    base_uom: str
    location: str
    to_location: str
    order: str
    task_status: TaskStatus
    order_status: OutboundStatus
    location_empty: bool = False
    replenishment_task_ids: list[int] = field(default_factory=list)
    replayed: bool = False


@dataclass(frozen=True)
class ShortResult:
    """What one short pick did: picked, re-allocated to new tasks, reported short, counted."""

    confirmation: str
    movement_ids: list[int]
    task_id: int
    picked: int
    reallocated: int
    short: int
    new_task_ids: list[int]
    count_task_id: int | None
    order_status: OutboundStatus
    location_empty: bool = False
    replenishment_task_ids: list[int] = field(default_factory=list)
    replayed: bool = False


@dataclass(frozen=True)
class ReplenishResult:
    confirmation: str
    movement_ids: list[int]
    task_id: int
    sku: str
    quantity: int
    base_uom: str
    from_location: str
    to_location: str
    replayed: bool = False


@dataclass(frozen=True)
class ZeroCheckResult:
    """A "location not empty" answer: the location's open count task (it posts no movement)."""

    confirmation: str
    count_task_id: int | None
    movement_ids: list[int] = field(default_factory=list)
    replayed: bool = False
