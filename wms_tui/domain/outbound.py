"""Outbound: customer orders, waves, allocation, pick tasks in walk order, picking, short picks,
zero checks and replenishment (docs/picking.md has the rules at length).

Every operator confirmation here is one transaction, exactly once per confirmation key: the
ledger rows (stock.apply_in), the task, the order line, the order and wave status, the
reservations, and any replenishment or count task it triggers commit together or not at all.
Quantities are in the item's base unit unless a name says otherwise.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from itertools import pairwise
from typing import Any, Protocol, TypeVar, cast

from wms_tui.domain import stock
from wms_tui.domain.count_tasks import CountTaskStore, CountTrigger, open_count_task
from wms_tui.domain.errors import (
    N_,
    BadInput,
    InvalidQuantity,
    NotFound,
    PermissionDenied,
    ScanRejected,
    TransientConflict,
)
from wms_tui.domain.importing import Cells
from wms_tui.domain.model import (
    Actor,
    BalanceKey,
    LocationRef,
    LocationType,
    StockStatus,
)
from wms_tui.domain.order_import import (
    MAX_REFERENCE,
    OrderKind,
    OrderRow,
    date_cell,
    order_import,
)
from wms_tui.domain.permissions import Action, can, require
from wms_tui.domain.ports import UnitOfWork
from wms_tui.domain.totes import ToteRepository, order_tote, take_tote

DEFAULT_PRIORITY = 5
MAX_PRIORITY = 9
WAVE_PREFIX = "W"
WAVE_DIGITS = 4
TASK_PREFIX = "TASK-"
# Only stock on these is ever promised to an order: never dock, QC or staging (already picked).
PICKABLE_TYPES = frozenset({LocationType.PICK, LocationType.RESERVE})
REPLENISH_FROM = frozenset({LocationType.RESERVE})
# Short-pick reasons: codes of kind "short" plus these, which say why the units are not there.
SHORT_REASON_EXTRAS = ("DAMAGED", "EXPIRED")
# Releasing a wave is a supervisor's decision; permissions.py has no action of its own for it.
RELEASE_ACTION = Action.APPROVE
# Next tasks looked at when choosing one for an operator; waves beyond it wait their turn.
TASK_LOOKAHEAD = 200

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


# Plain values.


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
class Allocation:
    slot: StockSlot
    quantity: int


@dataclass(frozen=True)
class AllocationResult:
    allocations: tuple[Allocation, ...]
    # Base units no free stock could cover in whole order units.
    missing: int

    @property
    def allocated(self) -> int:
        return sum(a.quantity for a in self.allocations)


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


# Storage.


class OutboundRepository(ToteRepository, Protocol):
    """Outbound orders, waves, tasks, totes and the count tasks picking triggers; it never
    commits."""

    def order(self, order_id: int) -> OutboundOrderRef: ...
    def order_by_reference(self, reference: str) -> OutboundOrderRef | None: ...
    def lines(self, order_id: int) -> list[OutboundLineRef]:
        """The order's lines by line number."""
        ...
    def save_order(self, spec: OutboundOrderSpec) -> int:
        """Insert the order (status open) or update the header of the one with this reference."""
        ...
    def save_line(self, order_id: int, spec: OutboundLineSpec) -> None: ...
    def open_orders(
        self, *, ship_date: date | None = None, max_priority: int | None = None
    ) -> list[OutboundOrderRef]:
        """Orders still open, shipping on or before ship_date (or undated: due now),
        priority <= max_priority."""
        ...
    def lock_order(self, order_id: int) -> None:
        """Hold the order row until commit, so its status is derived from settled lines."""
        ...
    def set_order_status(
        self, order_id: int, status: OutboundStatus, wave_id: int | None = None
    ) -> None: ...
    def add_to_line(
        self, line_id: int, *, allocated: int = 0, picked: int = 0, short: int = 0
    ) -> bool:
        """Add (or with a negative allocated, take) quantities; False if a limit would break."""
        ...
    def next_wave_code(self) -> str: ...
    def add_wave(self, code: str, released_by: int) -> int: ...
    def wave(self, wave_id: int) -> WaveRef: ...
    def wave_by_code(self, code: str) -> WaveRef | None: ...
    def lock_wave(self, wave_id: int) -> None: ...
    def set_wave_status(self, wave_id: int, status: WaveStatus) -> None: ...
    def stock_slots(self, item_id: int) -> list[StockSlot]:
        """Every balance of the item with stock on an active location, any type or status."""
        ...
    def add_task(self, spec: TaskSpec) -> int: ...
    def set_task_reservation(self, task_id: int, reference: str) -> None: ...
    def set_task_seq(self, task_id: int, seq: int) -> None: ...
    def task(self, task_id: int) -> TaskRef: ...
    def lock_task(self, task_id: int) -> TaskRef:
        """The task, its row held until commit (two confirmations of one task queue up)."""
        ...
    def tasks(
        self,
        *,
        kind: TaskKind | None = None,
        wave_id: int | None = None,
        order_id: int | None = None,
        statuses: Sequence[TaskStatus] = (),
        assigned_to: int | None = None,
        unassigned: bool = False,
        limit: int | None = None,
    ) -> list[TaskRef]:
        """Tasks by wave, then walk sequence, then id."""
        ...
    def busy_waves(self, kind: TaskKind, user_id: int) -> set[int]:
        """Waves with open tasks another operator has taken."""
        ...
    def claim_task(self, task_id: int, user_id: int) -> bool:
        """Assign an open, unassigned task; False if someone else took it first."""
        ...
    def add_done(self, task_id: int, quantity: int) -> bool:
        """Add to done_quantity of an open task unless that passes its quantity."""
        ...
    def set_task_status(
        self, task_id: int, status: TaskStatus, reason_code: str | None = None
    ) -> None: ...
    def set_task_lot(self, task_id: int, lot_id: int | None) -> None: ...
    def location_on_hand(self, location_id: int) -> int:
        """Everything on the location: every item, lot, LPN and status."""
        ...
    def short_reasons(self) -> list[str]: ...
    def replenishment_levels(self, item_id: int) -> tuple[int | None, int | None]:
        """The item's (min_qty, max_qty) at a pick face."""
        ...
    def open_replenishment(self, to_location_id: int, item_id: int) -> bool: ...


class OutboundUnitOfWork(UnitOfWork, Protocol):
    outbound: OutboundRepository
    counting: CountTaskStore


UowFactory = Callable[[], OutboundUnitOfWork]


# Allocation: a pure rule over plain values.


def _age(slot: StockSlot) -> tuple[bool, datetime, int]:
    # Loose stock without a lot or LPN has no receipt date: its balance row's age stands in.
    return (slot.received_at is None, slot.received_at or datetime.min, slot.balance_id)


def _face_last(slot: StockSlot) -> int:
    return 0 if slot.location_type == LocationType.PICK else 1


def fefo_key(slot: StockSlot) -> tuple[Any, ...]:
    """Earliest expiry first; among equal dates pick faces first, then oldest, then walk order."""
    return (slot.expiry or date.max, _face_last(slot), _age(slot), slot.walk_seq,
            slot.location_code)


def fifo_key(slot: StockSlot) -> tuple[Any, ...]:
    """Pick faces first, then reserve; in each the oldest stock first, then walk order."""
    return (_face_last(slot), _age(slot), slot.walk_seq, slot.location_code)


def allocate(
    quantity: int,
    slots: Iterable[StockSlot],
    *,
    expiry_tracked: bool,
    unit: int = 1,
    earliest_expiry: date | None = None,
    types: frozenset[LocationType] = PICKABLE_TYPES,
    exclude_locations: frozenset[int] = frozenset(),
) -> AllocationResult:
    """Which stock covers `quantity` base units, by the rule in docs/picking.md.

    Only available stock on pick and reserve locations, only what is free (on hand minus
    reserved), never a lot expiring before earliest_expiry. FEFO for expiry-tracked items,
    else FIFO (see fefo_key and fifo_key). Each allocation is a whole number of `unit` (the
    ordered unit's factor, so 2 CS of 12 take 24 EA as two whole cases); what cannot be
    covered that way is returned as missing, never dropped.
    """
    if quantity <= 0:
        return AllocationResult((), 0)
    if unit < 1 or quantity % unit:
        unit = 1
    usable = [
        s for s in slots
        if s.status == StockStatus.AVAILABLE and s.free > 0 and s.location_type in types
        and s.location_id not in exclude_locations
        and not (earliest_expiry is not None and s.expiry is not None
                 and s.expiry < earliest_expiry)
    ]
    usable.sort(key=fefo_key if expiry_tracked else fifo_key)
    remaining = quantity
    chosen: list[Allocation] = []
    for slot in usable:
        take = min(remaining, slot.free // unit * unit)
        if take > 0:
            chosen.append(Allocation(slot, take))
            remaining -= take
        if remaining == 0:
            break
    return AllocationResult(tuple(chosen), remaining)


def may_substitute(
    allocated_expiry: date | None, lot_expiry: date | None, *, free: int, quantity: int,
    earliest_expiry: date,
) -> bool:
    """Whether another lot may be picked instead of the allocated one.

    It must have the quantity free at the same location, not expire before earliest_expiry
    (today or the ship date), and never expire later than the allocated lot: picking a
    later lot would leave the earlier one behind, which FEFO forbids.
    """
    if free < quantity:
        return False
    if lot_expiry is not None and lot_expiry < earliest_expiry:
        return False
    if allocated_expiry is None:
        return True
    return lot_expiry is not None and lot_expiry <= allocated_expiry


def replenishment_quantity(
    on_hand: int, *, min_qty: int | None, max_qty: int | None, case: int = 1
) -> int:
    """Base units to bring to a pick face: 0 unless it is below min_qty or empty.

    It is filled up to max_qty (min_qty when there is no max); in whole cases when at least
    one case fits, so the face never ends above its maximum. An item with neither level is
    not replenished.
    """
    target = max_qty if max_qty is not None else min_qty
    if target is None:
        return 0
    below = min_qty is not None and on_hand < min_qty
    if not below and on_hand > 0:
        return 0
    need = target - on_hand
    if need <= 0:
        return 0
    if case > 1 and need >= case:
        need = need // case * case
    return need


# Pick paths: replaceable strategies over anything located.


class Stop(Protocol):
    """Anything a picker walks to: a task, a stock slot."""

    @property
    def walk_seq(self) -> int: ...
    @property
    def location_code(self) -> str: ...
    @property
    def aisle(self) -> str: ...
    @property
    def bay(self) -> str: ...
    @property
    def level(self) -> str: ...


S = TypeVar("S", bound=Stop)


class PathStrategy(Protocol):
    def __call__(self, stops: Sequence[S]) -> list[S]: ...


def walk_sequence_path(stops: Sequence[S]) -> list[S]:
    """Stops in location walk sequence (then code): the default pick path.

    Walk sequences are numbered serpentine (`wms location generate` numbers the bays up the
    1st, 3rd... aisle and back down the 2nd, 4th...), so walk order is a serpentine through
    the aisles that never walks an aisle twice or back.
    """
    return sorted(stops, key=lambda s: (s.walk_seq, s.location_code))


def _position(label: str) -> tuple[int, int, str]:
    return (0, int(label), "") if label.isdigit() else (1, 0, label)


def s_shape_path(stops: Sequence[S]) -> list[S]:
    """Serpentine computed from aisle and bay, for sites whose walk sequence runs the same
    way up every aisle: aisles in walk order, bays up the 1st aisle with picks, down the
    2nd, up the 3rd...; aisles without picks are skipped and do not count. Locations
    without an aisle are each their own stop in walk order.
    """
    groups: dict[str, list[S]] = {}
    for stop in stops:
        groups.setdefault(stop.aisle or f"\x00{stop.location_code}", []).append(stop)
    aisles = sorted(groups.values(),
                    key=lambda g: min((s.walk_seq, s.location_code) for s in g))
    path: list[S] = []
    visited = 0
    for group in aisles:
        path.extend(sorted(
            group, reverse=visited % 2 == 1,
            key=lambda s: (_position(s.bay), _position(s.level), s.walk_seq, s.location_code),
        ))
        # A location outside any aisle is walked past, so it does not turn the picker round.
        visited += 1 if group[0].aisle else 0
    return path


PICK_PATHS: dict[str, PathStrategy] = {"walk": walk_sequence_path, "s-shape": s_shape_path}
DEFAULT_PICK_PATH = "walk"


def order_pick_path(stops: Sequence[S], strategy: PathStrategy | str = DEFAULT_PICK_PATH
                    ) -> list[S]:
    """The stops in the order a picker walks them, by a strategy or its name in PICK_PATHS."""
    if isinstance(strategy, str):
        if strategy not in PICK_PATHS:
            raise BadInput(f"unknown pick path {strategy!r} (known: {', '.join(PICK_PATHS)})")
        strategy = PICK_PATHS[strategy]
    return strategy(stops)


def path_length(stops: Sequence[Stop]) -> int:
    """Walk-sequence steps from the first stop to the last, in the order given."""
    return sum(abs(b.walk_seq - a.walk_seq) for a, b in pairwise(stops))


# Small shared rules.


def task_reference(task_id: int) -> str:
    return f"{TASK_PREFIX}{task_id}"


def case_factor(units: Mapping[str, int]) -> int:
    """The smallest pack above one each (the case), 1 when the item has none."""
    return min((f for f in units.values() if f > 1), default=1)


def order_status(lines: Sequence[OutboundLineRef], current: OutboundStatus) -> OutboundStatus:
    """Picked when every line is fully picked, short when finished with shorts, else picking."""
    if lines and all(ln.finished for ln in lines):
        return OutboundStatus.SHORT if any(ln.short for ln in lines) else OutboundStatus.PICKED
    if any(ln.picked or ln.short for ln in lines):
        return OutboundStatus.PICKING
    return current


def quantity_text(base: int, uom: str, factor: int, base_uom: str) -> str:
    """A base quantity in the ordered unit when it divides evenly, else in base units."""
    if factor > 1 and base % factor == 0:
        return f"{base // factor} {uom}"
    return f"{base} {base_uom}"


def _outbound(factory: Callable[[], UnitOfWork]) -> Callable[[], OutboundUnitOfWork]:
    # ports.UnitOfWork does not name .outbound; the SQL unit of work provides it.
    return lambda: cast(OutboundUnitOfWork, factory())


def _check_key(key: str | None) -> str:
    key = key or stock.new_confirmation_key()
    if len(key) > 80:
        raise BadInput("confirmation key is longer than 80 characters")
    return key


# Importing orders.


class _OutboundOrders(OrderKind):
    """Customer orders: frozen once released into a wave."""

    what = "outbound order lines"
    optional = ORDER_OPTIONAL

    def orders(self) -> OutboundRepository:
        return cast(OutboundUnitOfWork, self.uow).outbound

    def header_cells(self, cells: Cells, columns: Sequence[str]) -> dict[str, Any]:
        header: dict[str, Any] = {}
        if "customer" in columns:
            header["customer"] = cells.text("customer", max_length=80) or ""
        if "ship_date" in columns:
            header["ship_date"] = date_cell(cells, "ship_date")
        if "priority" in columns:
            header["priority"] = cells.integer(
                "priority", minimum=1, maximum=MAX_PRIORITY) or DEFAULT_PRIORITY
        return header

    def new_header(self, reference: str) -> OutboundOrderSpec:
        return OutboundOrderSpec(reference)

    def stored_header(self, order: OutboundOrderRef) -> OutboundOrderSpec:
        return OutboundOrderSpec(order.reference, order.customer, order.ship_date, order.priority)

    def stored_line(self, line: OutboundLineRef) -> OutboundLineSpec:
        return OutboundLineSpec(line.line_no, line.item_id, line.quantity, line.uom)

    def line_spec(self, row: OrderRow, stored: OutboundLineRef | None) -> OutboundLineSpec:
        return OutboundLineSpec(row.line_no, row.item.id, row.quantity, row.uom)

    def frozen(self, order: OutboundOrderRef) -> bool:
        return order.status != OutboundStatus.OPEN


# Upserts outbound orders and lines by (reference, line_no) (docs/import-outbound.md); an order
# released for picking cannot change (re-importing it unchanged is fine).
import_outbound_orders = order_import(_OutboundOrders)


# Releasing waves.


def _unallocated_reason(line: OutboundLineRef, slots: Sequence[StockSlot]) -> str:
    """Why allocation fell short, from the slots as they were before this line took any."""
    pickable = [s for s in slots if s.location_type in PICKABLE_TYPES]
    if not pickable:
        return "no stock on pick or reserve locations"
    if not any(s.status == StockStatus.AVAILABLE for s in pickable):
        return "stock is on hold, damaged or blocked only"
    free = sum(s.free for s in pickable if s.status == StockStatus.AVAILABLE)
    if free <= 0:
        return "all stock is reserved for other tasks"
    if free >= line.unallocated:
        return f"not enough in whole {line.uom} per location, or lots expire too soon"
    return f"only {free} {line.base_uom} free"


def release_wave(
    uow_factory: Callable[[], UnitOfWork],
    actor: Actor,
    *,
    refs: Sequence[str] | None = None,
    ship_date: date | None = None,
    max_priority: int | None = None,
    today: date | None = None,
    path: PathStrategy | str = DEFAULT_PICK_PATH,
) -> WaveReport:
    """Release open orders into a new wave: allocate every line, reserve, create pick tasks.

    Orders are the given references, or every open order shipping on or before ship_date
    (an order without a ship date is due now) with priority <= max_priority (1 is the most
    urgent). Lines are allocated by priority,
    ship date and reference. What cannot be allocated stays on its line (allocated below
    quantity) and is reported; the order is released all the same.
    """
    require(actor, RELEASE_ACTION)
    wanted = [r.strip().upper() for r in refs or () if r.strip()]
    factory = _outbound(uow_factory)
    return stock.with_retry(
        lambda: _release_once(factory(), actor, wanted, ship_date, max_priority,
                              today or date.today(), path)
    )


def _orders_to_release(
    uow: OutboundUnitOfWork, refs: list[str], ship_date: date | None, max_priority: int | None
) -> list[OutboundOrderRef]:
    if not refs:
        orders = uow.outbound.open_orders(ship_date=ship_date, max_priority=max_priority)
        if not orders:
            raise NotFound(N_("no open orders to release"))
        return orders
    orders = []
    for ref in dict.fromkeys(refs):
        order = uow.outbound.order_by_reference(ref)
        if order is None:
            raise NotFound(N_("no outbound order {ref}"), ref=ref)
        if order.status != OutboundStatus.OPEN:
            raise BadInput(N_("order {ref} is {status}, not open"), ref=ref,
                           status=order.status.value)
        orders.append(order)
    return sorted(orders, key=lambda o: (o.priority, o.ship_date or date.max, o.reference))


def _release_once(
    uow: OutboundUnitOfWork, actor: Actor, refs: list[str], ship_date: date | None,
    max_priority: int | None, today: date, path: PathStrategy | str,
) -> WaveReport:
    with uow:
        orders = _orders_to_release(uow, refs, ship_date, max_priority)
        code = uow.outbound.next_wave_code()
        wave_id = uow.outbound.add_wave(code, actor.user_id)
        missing: list[UnallocatedLine] = []
        for order in orders:
            uow.outbound.lock_order(order.id)
            if uow.outbound.order(order.id).status != OutboundStatus.OPEN:
                # Another release took it between the read and the lock: start again.
                raise TransientConflict(f"order {order.reference} was released meanwhile")
            uow.outbound.set_order_status(order.id, OutboundStatus.RELEASED, wave_id)
            earliest = max(today, order.ship_date or today)
            for line in uow.outbound.lines(order.id):
                if line.unallocated == 0:
                    continue
                item = uow.catalog.item(line.item_id)
                # Read per line: earlier lines of this release have reserved their stock.
                slots = uow.outbound.stock_slots(item.id)
                result = allocate(line.unallocated, slots, expiry_tracked=item.expiry_tracked,
                                  unit=line.factor, earliest_expiry=earliest)
                for allocation in result.allocations:
                    _create_task(uow, TaskSpec(
                        TaskKind.PICK, item.id, allocation.slot.location_id, allocation.quantity,
                        wave_id=wave_id, order_line_id=line.id, lot_id=allocation.slot.lot_id,
                        lpn_id=allocation.slot.lpn_id,
                    ))
                if result.allocated and not uow.outbound.add_to_line(
                        line.id, allocated=result.allocated):
                    raise TransientConflict("order line changed during the release")
                if result.missing:
                    missing.append(UnallocatedLine(
                        order.reference, line.line_no, line.sku, line.quantity,
                        line.allocated + result.allocated, result.missing, line.base_uom,
                        _unallocated_reason(line, slots),
                    ))
        tasks = _resequence(uow, wave_id, path)
        report = WaveReport(
            code, wave_id, tuple(o.reference for o in orders),
            tuple(WaveTaskLine(t.seq, t.id, t.order_ref or "", t.line_no or 0, t.sku,
                               t.location.code, t.quantity, t.base_uom, t.lot)
                  for t in tasks),
            tuple(missing),
        )
        uow.commit()
        return report


def _create_task(uow: OutboundUnitOfWork, spec: TaskSpec) -> int:
    """Insert a task and reserve its stock under TASK-<id>, in the caller's transaction."""
    task_id = uow.outbound.add_task(spec)
    reference = task_reference(task_id)
    key = BalanceKey(spec.item_id, spec.location_id, spec.lot_id, spec.lpn_id)
    if not uow.stock.reserve(key, spec.quantity, reference):
        # Another transaction took the stock after it was read: start the work again.
        raise TransientConflict(f"stock for {reference} was taken meanwhile")
    uow.outbound.set_task_reservation(task_id, reference)
    return task_id


def _resequence(
    uow: OutboundUnitOfWork, wave_id: int, path: PathStrategy | str = DEFAULT_PICK_PATH
) -> list[TaskRef]:
    """Number the wave's open pick tasks 1..n along the pick path."""
    tasks = uow.outbound.tasks(kind=TaskKind.PICK, wave_id=wave_id, statuses=OPEN_TASK_STATUSES)
    ordered = order_pick_path(tasks, path)
    result = []
    for seq, task in enumerate(ordered, start=1):
        if task.seq != seq:
            uow.outbound.set_task_seq(task.id, seq)
        result.append(replace(task, seq=seq))
    return result


# Choosing tasks.


def find_scope(uow_factory: Callable[[], UnitOfWork], raw: str) -> PickScope | None:
    """The wave (by code) or the released order (by reference) a scan names, else None."""
    text = raw.strip().upper()
    if not text or len(text) > MAX_REFERENCE:
        return None
    with _outbound(uow_factory)() as uow:
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
    factory = _outbound(uow_factory)
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


def _open_task(uow: OutboundUnitOfWork, actor: Actor, task_id: int, kind: TaskKind) -> TaskRef:
    """The task, locked after its wave and order: every writer takes them in that order, so
    two confirmations in one wave queue up instead of deadlocking."""
    task = uow.outbound.task(task_id)
    if task.wave_id is not None:
        uow.outbound.lock_wave(task.wave_id)
    if task.order_id is not None:
        uow.outbound.lock_order(task.order_id)
    task = uow.outbound.lock_task(task_id)
    if task.kind != kind:
        raise BadInput(N_("task {id} is not a {kind} task"), id=task_id, kind=kind.value)
    if task.status not in OPEN_TASK_STATUSES:
        raise BadInput(N_("task {id} is {status} already"), id=task_id,
                       status=task.status.value)
    if (task.assigned_to is not None and task.assigned_to != actor.user_id
            and not can(actor.role, Action.APPROVE)):
        raise PermissionDenied(N_("task {id} is another operator's"), id=task_id)
    return task


def _staging(uow: OutboundUnitOfWork, location_id: int) -> LocationRef:
    location = uow.catalog.location(location_id)
    if location.type != LocationType.STAGING:
        raise BadInput(N_("{loc} is not a tote or staging location"), loc=location.code)
    return location


def _take_tote(uow: OutboundUnitOfWork, task: TaskRef, tote: LocationRef) -> None:
    # Before the pick movement, so racing pickers meet at the binding, not at the tote's stock.
    if task.order_id is not None:
        take_tote(uow.outbound, tote, task.order_id)


# Lot substitution.


def _substitute_slot(
    uow: OutboundUnitOfWork, task: TaskRef, lot_id: int, quantity: int, today: date
) -> StockSlot:
    """The balance of another lot at the task's location that may be picked instead."""
    slot = next((s for s in uow.outbound.stock_slots(task.item_id)
                 if s.location_id == task.location.id and s.lot_id == lot_id
                 and s.lpn_id == task.lpn_id and s.status == StockStatus.AVAILABLE), None)
    earliest = max(today, task.ship_date or today)
    if slot is None or not may_substitute(task.expiry, slot.expiry, free=slot.free,
                                          quantity=quantity, earliest_expiry=earliest):
        raise ScanRejected(N_("Lot not allowed: take {lot}"), lot=task.lot or "-")
    return slot


def check_substitute(
    uow_factory: Callable[[], UnitOfWork], task_id: int, lot: str, quantity: int,
    today: date | None = None,
) -> LotChoice:
    """The lot an operator scanned instead of the allocated one, if the rules allow it."""
    with _outbound(uow_factory)() as uow:
        task = uow.outbound.task(task_id)
        lot_id = uow.stock.lot_id(task.item_id, lot, None, create=False)
        if lot_id is None:
            raise ScanRejected(N_("Unknown lot {lot}"), lot=lot[:20])
        slot = _substitute_slot(uow, task, lot_id, quantity, today or date.today())
        return LotChoice(lot_id, lot, slot.expiry)


def _switch_lot(
    uow: OutboundUnitOfWork, task: TaskRef, lot_id: int | None, quantity: int, today: date
) -> int | None:
    """Move `quantity` of the task's reservation onto the substituted lot; returns the lot."""
    if lot_id is None or lot_id == task.lot_id:
        return task.lot_id
    slot = _substitute_slot(uow, task, lot_id, quantity, today)
    uow.stock.release(task.key, quantity, task.reservation)
    if not uow.stock.reserve(slot.key, quantity, task.reservation):
        raise TransientConflict("substitute lot was taken meanwhile")
    return lot_id


# Picking.


def confirm_pick(
    uow_factory: Callable[[], UnitOfWork],
    actor: Actor,
    task_id: int,
    quantity: int,
    *,
    to_location_id: int,
    lot_id: int | None = None,
    key: str | None = None,
    today: date | None = None,
) -> PickResult:
    """Pick base units of a task into a tote or staging location, exactly once per key.

    One transaction: the tote's binding to the order (totes.take_tote), the pick movement (out
    of the task's reservation), the task, the order line, order and wave status, and a
    replenishment task when the pick face fell below its minimum or emptied. lot_id names a
    substituted lot (see may_substitute).
    """
    key = _check_key(key)
    require(actor, Action.PICK)
    if quantity <= 0:
        raise InvalidQuantity(N_("pick a quantity above 0"))
    factory = _outbound(uow_factory)
    return stock.with_retry(lambda: _pick_once(
        factory(), actor, task_id, quantity, to_location_id, lot_id, key,
        today or date.today()))


def _pick_once(
    uow: OutboundUnitOfWork, actor: Actor, task_id: int, quantity: int, to_location_id: int,
    lot_id: int | None, key: str, today: date,
) -> PickResult:
    with uow:
        stored = uow.idempotency.get(key)
        if stored is not None:
            return _replayed_pick(stored)
        task = _open_task(uow, actor, task_id, TaskKind.PICK)
        if quantity > task.remaining:
            raise InvalidQuantity(N_("Only {n} {uom} asked"), n=task.remaining,
                                  uom=task.base_uom)
        to = _staging(uow, to_location_id)
        _take_tote(uow, task, to)
        movement_ids, order_ref = _post_pick(uow, actor, task, quantity, to, lot_id, key, today)
        done = task.done_quantity + quantity == task.quantity
        uow.outbound.set_task_status(task.id, TaskStatus.DONE if done else TaskStatus.IN_PROGRESS)
        status = _settle(uow, task)
        empty = uow.outbound.location_on_hand(task.location.id) == 0
        replenish = _replenish(uow, task.item_id, task.location, today)
        result = PickResult(
            key, movement_ids, task.id, task.sku, quantity, task.base_uom, task.location.code,
            to.code, order_ref, TaskStatus.DONE if done else TaskStatus.IN_PROGRESS, status,
            empty, replenish,
        )
        _remember(uow, actor, "pick", result, f"pick {order_ref}")
        uow.commit()
        return result


def _post_pick(
    uow: OutboundUnitOfWork, actor: Actor, task: TaskRef, quantity: int, to: LocationRef,
    lot_id: int | None, key: str, today: date,
) -> tuple[list[int], str]:
    """The pick movement and the task and line progress; the caller sets statuses."""
    picked_lot = _switch_lot(uow, task, lot_id, quantity, today)
    if picked_lot != task.lot_id and quantity == task.remaining:
        # The whole task came from the substitute, so the task names the lot really picked.
        uow.outbound.set_task_lot(task.id, picked_lot)
    order_ref = task.order_ref or task.reservation
    movement_ids = stock.apply_in(uow, actor, stock.Pick(
        task.item_id, quantity, task.location.id, order_ref, lot_id=picked_lot,
        lpn_id=task.lpn_id, reservation=task.reservation, to_location_id=to.id,
    ), key)
    if not uow.outbound.add_done(task.id, quantity):
        raise TransientConflict("task changed during the pick")
    if task.order_line_id is not None and not uow.outbound.add_to_line(
            task.order_line_id, picked=quantity):
        raise InvalidQuantity(N_("order line {line} has no room for {n} more"),
                              line=task.line_no, n=quantity)
    return movement_ids, order_ref


def _settle(uow: OutboundUnitOfWork, task: TaskRef) -> OutboundStatus:
    """Derive order and wave status from their lines and tasks (rows locked by the caller)."""
    status = OutboundStatus.PICKING
    if task.order_id is not None:
        order = uow.outbound.order(task.order_id)
        status = order_status(uow.outbound.lines(order.id), order.status)
        if status != order.status:
            uow.outbound.set_order_status(order.id, status)
    if task.wave_id is not None:
        wave = uow.outbound.wave(task.wave_id)
        still_open = uow.outbound.tasks(kind=TaskKind.PICK, wave_id=wave.id,
                                        statuses=OPEN_TASK_STATUSES, limit=1)
        wave_status = WaveStatus.PICKING if still_open else WaveStatus.DONE
        if wave_status != wave.status:
            uow.outbound.set_wave_status(wave.id, wave_status)
    return status


def _replenish(
    uow: OutboundUnitOfWork, item_id: int, face: LocationRef, today: date
) -> list[int]:
    """Replenishment tasks from reserve when the pick face is below its minimum or empty."""
    if face.type != LocationType.PICK or uow.outbound.open_replenishment(face.id, item_id):
        return []
    min_qty, max_qty = uow.outbound.replenishment_levels(item_id)
    on_hand = sum(b.quantity for b in uow.stock.balances(item_id=item_id, location_id=face.id)
                  if b.key.status == StockStatus.AVAILABLE)
    case = case_factor(uow.catalog.units(item_id))
    need = replenishment_quantity(on_hand, min_qty=min_qty, max_qty=max_qty, case=case)
    if need == 0:
        return []
    item = uow.catalog.item(item_id)
    result = allocate(need, uow.outbound.stock_slots(item_id), expiry_tracked=item.expiry_tracked,
                      unit=case, earliest_expiry=today, types=REPLENISH_FROM)
    return [
        _create_task(uow, TaskSpec(
            TaskKind.REPLENISH, item_id, a.slot.location_id, a.quantity, lot_id=a.slot.lot_id,
            lpn_id=a.slot.lpn_id, to_location_id=face.id, seq=a.slot.walk_seq,
        ))
        for a in result.allocations
    ]


def short_pick(
    uow_factory: Callable[[], UnitOfWork],
    actor: Actor,
    task_id: int,
    picked: int,
    reason_code: str,
    *,
    to_location_id: int | None = None,
    lot_id: int | None = None,
    key: str | None = None,
    today: date | None = None,
    path: PathStrategy | str = DEFAULT_PICK_PATH,
) -> ShortResult:
    """Close a task with less than asked (picked may be 0), exactly once per key.

    One transaction: what was picked is posted (into a tote bound to the order, as in
    confirm_pick); the rest of the reservation is released and re-allocated from other
    locations as new tasks in the same wave; what no stock covers is recorded short on the
    order line; a count task (trigger short_pick) is created for the location unless one is
    already open; a pick face is replenished if it needs it.
    """
    key = _check_key(key)
    require(actor, Action.PICK)
    if picked < 0:
        raise InvalidQuantity(N_("picked quantity cannot be negative"))
    if picked > 0 and to_location_id is None:
        raise BadInput(N_("scan a tote for what was picked"))
    factory = _outbound(uow_factory)
    return stock.with_retry(lambda: _short_once(
        factory(), actor, task_id, picked, reason_code.strip().upper(), to_location_id, lot_id,
        key, today or date.today(), path))


def _short_once(
    uow: OutboundUnitOfWork, actor: Actor, task_id: int, picked: int, reason: str,
    to_location_id: int | None, lot_id: int | None, key: str, today: date,
    path: PathStrategy | str,
) -> ShortResult:
    with uow:
        stored = uow.idempotency.get(key)
        if stored is not None:
            return _replayed_short(stored)
        task = _open_task(uow, actor, task_id, TaskKind.PICK)
        if picked >= task.remaining:
            raise InvalidQuantity(N_("Short means less than {n}"), n=task.remaining)
        if not uow.catalog.reason_exists(reason):
            raise BadInput(N_("unknown reason code {code!r}"), code=reason)
        movement_ids: list[int] = []
        if picked > 0 and to_location_id is not None:
            to = _staging(uow, to_location_id)
            _take_tote(uow, task, to)
            movement_ids, _ref = _post_pick(uow, actor, task, picked, to, lot_id, key, today)
        rest = task.remaining - picked
        uow.stock.release(task.key, rest, task.reservation)
        uow.outbound.set_task_status(task.id, TaskStatus.SHORT, reason)
        reallocated, new_ids, short = _reallocate(uow, task, rest, today)
        if new_ids and task.wave_id is not None:
            _resequence(uow, task.wave_id, path)
        count_id, _created = open_count_task(uow.counting, task.location.id,
                                             CountTrigger.SHORT_PICK, item_id=task.item_id,
                                             requested_by=actor.user_id)
        status = _settle(uow, task)
        empty = uow.outbound.location_on_hand(task.location.id) == 0
        replenish = _replenish(uow, task.item_id, task.location, today)
        result = ShortResult(key, movement_ids, task.id, picked, reallocated, short, new_ids,
                             count_id, status, empty, replenish)
        _remember(uow, actor, "short_pick", result, f"short pick {task.reservation}")
        uow.commit()
        return result


def _reallocate(
    uow: OutboundUnitOfWork, task: TaskRef, rest: int, today: date
) -> tuple[int, list[int], int]:
    """Cover a short remainder from other locations; returns (allocated, task ids, short)."""
    if task.order_line_id is None:
        return 0, [], 0
    line_id = task.order_line_id
    item = uow.catalog.item(task.item_id)
    result = allocate(
        rest, uow.outbound.stock_slots(item.id), expiry_tracked=item.expiry_tracked,
        unit=task.factor, earliest_expiry=max(today, task.ship_date or today),
        exclude_locations=frozenset({task.location.id}),
    )
    new_ids = [
        _create_task(uow, TaskSpec(
            TaskKind.PICK, item.id, a.slot.location_id, a.quantity, wave_id=task.wave_id,
            order_line_id=line_id, lot_id=a.slot.lot_id, lpn_id=a.slot.lpn_id,
        ))
        for a in result.allocations
    ]
    if not uow.outbound.add_to_line(line_id, allocated=result.allocated - rest,
                                    short=result.missing):
        raise TransientConflict("order line changed during the short pick")
    return result.allocated, new_ids, result.missing


def answer_zero_check(
    uow_factory: Callable[[], UnitOfWork],
    actor: Actor,
    location_id: int,
    empty: bool,
    key: str | None = None,
) -> int | None:
    """The picker's answer to "location empty?": "no" creates a count task (trigger zero_check)
    unless one is open for the location; returns that count task's id."""
    require(actor, Action.PICK)
    if empty:
        return None
    key = _check_key(key)
    factory = _outbound(uow_factory)

    def work() -> int | None:
        with factory() as uow:
            stored = uow.idempotency.get(key)
            if stored is not None:
                found: int | None = json.loads(stored)["count_task_id"]
                return found
            uow.catalog.location(location_id)
            count_id, _created = open_count_task(uow.counting, location_id,
                                                 CountTrigger.ZERO_CHECK,
                                                 requested_by=actor.user_id)
            # Stored in PostResult's shape too, so a resumed flow sees it as posted.
            uow.idempotency.put(key, actor.user_id, "zero_check", json.dumps({
                "confirmation": key, "movement_ids": [], "message": "zero check",
                "count_task_id": count_id}))
            uow.commit()
            return count_id

    return stock.with_retry(work)


# Replenishment.


def confirm_replenishment(
    uow_factory: Callable[[], UnitOfWork],
    actor: Actor,
    task_id: int,
    quantity: int,
    *,
    key: str | None = None,
) -> ReplenishResult:
    """Move a replenishment from reserve to its pick face out of its reservation, exactly once.

    Less than the task quantity finishes the task all the same and frees the rest (the face
    may hold no more); more is refused.
    """
    key = _check_key(key)
    require(actor, Action.MOVE)
    if quantity <= 0:
        raise InvalidQuantity(N_("move a quantity above 0"))
    factory = _outbound(uow_factory)
    return stock.with_retry(lambda: _replenish_once(factory(), actor, task_id, quantity, key))


def _replenish_once(
    uow: OutboundUnitOfWork, actor: Actor, task_id: int, quantity: int, key: str
) -> ReplenishResult:
    with uow:
        stored = uow.idempotency.get(key)
        if stored is not None:
            data = json.loads(stored)
            data.pop("message", None)
            return ReplenishResult(**{**data, "replayed": True})
        task = _open_task(uow, actor, task_id, TaskKind.REPLENISH)
        if quantity > task.remaining:
            raise InvalidQuantity(N_("Only {n} {uom} asked"), n=task.remaining,
                                  uom=task.base_uom)
        face = task.to_location
        if face is None:
            raise BadInput(f"replenishment task {task.id} has no pick face")
        # Freed first in this same transaction, so the move can take the reserved units.
        uow.stock.release(task.key, task.remaining, task.reservation)
        movement_ids = stock.apply_in(uow, actor, stock.Move(
            task.item_id, quantity, task.location.id, face.id, task.reservation,
            lot_id=task.lot_id, from_lpn_id=task.lpn_id,
        ), key)
        if not uow.outbound.add_done(task.id, quantity):
            raise TransientConflict("task changed during the replenishment")
        uow.outbound.set_task_status(task.id, TaskStatus.DONE)
        result = ReplenishResult(key, movement_ids, task.id, task.sku, quantity, task.base_uom,
                                 task.location.code, face.code)
        _remember(uow, actor, "replenish", result, f"replenish {task.reservation}")
        uow.commit()
        return result


def _remember(
    uow: OutboundUnitOfWork, actor: Actor, operation: str,
    result: PickResult | ShortResult | ReplenishResult, message: str,
) -> None:
    """Store a confirmation's result; it has PostResult's keys, so a resumed flow finds it."""
    data = asdict(result)
    data["message"] = message
    uow.idempotency.put(result.confirmation, actor.user_id, operation, json.dumps(data))


def _replayed_pick(stored: str) -> PickResult:
    data = json.loads(stored)
    data.pop("message", None)
    data.update(task_status=TaskStatus(data["task_status"]),
                order_status=OutboundStatus(data["order_status"]), replayed=True)
    return PickResult(**data)


def _replayed_short(stored: str) -> ShortResult:
    data = json.loads(stored)
    data.pop("message", None)
    data.update(order_status=OutboundStatus(data["order_status"]), replayed=True)
    return ShortResult(**data)


# Services for the RF pick and replenish flows.


class OutboundServicesMixin:
    """The pick and replenish flows' services (flows.pick.PickServices and
    flows.replenish.ReplenishServices) over WarehouseServices' unit-of-work factories."""

    uow_factory: Callable[[], UnitOfWork]
    read_factory: Callable[[], UnitOfWork]

    def pick_scope(self, raw: str) -> PickScope | None:
        return find_scope(self.read_factory, raw)

    def next_pick_task(self, actor: Actor, scope: PickScope | None = None) -> TaskRef | None:
        return next_task(self.uow_factory, actor, TaskKind.PICK, scope)

    def pick_task(self, task_id: int) -> TaskRef:
        with _outbound(self.read_factory)() as uow:
            return uow.outbound.task(task_id)

    def substitute_lot(self, task_id: int, lot: str, quantity: int) -> LotChoice:
        return check_substitute(self.read_factory, task_id, lot, quantity, self.today())

    def confirm_pick(
        self, actor: Actor, task_id: int, quantity: int, *, to_location_id: int,
        lot_id: int | None, key: str,
    ) -> PickResult:
        return confirm_pick(self.uow_factory, actor, task_id, quantity,
                            to_location_id=to_location_id, lot_id=lot_id, key=key,
                            today=self.today())

    def short_pick(
        self, actor: Actor, task_id: int, picked: int, reason_code: str, *,
        to_location_id: int | None, lot_id: int | None, key: str,
    ) -> ShortResult:
        return short_pick(self.uow_factory, actor, task_id, picked, reason_code,
                          to_location_id=to_location_id, lot_id=lot_id, key=key,
                          today=self.today())

    def answer_zero_check(
        self, actor: Actor, location_id: int, empty: bool, key: str
    ) -> int | None:
        return answer_zero_check(self.uow_factory, actor, location_id, empty, key)

    def short_reasons(self) -> list[str]:
        with _outbound(self.read_factory)() as uow:
            return uow.outbound.short_reasons()

    def order_tote(self, order_id: int) -> LocationRef | None:
        return order_tote(self.read_factory, order_id)

    def next_replenishment(self, actor: Actor) -> TaskRef | None:
        return next_task(self.uow_factory, actor, TaskKind.REPLENISH)

    def confirm_replenishment(
        self, actor: Actor, task_id: int, quantity: int, key: str
    ) -> ReplenishResult:
        return confirm_replenishment(self.uow_factory, actor, task_id, quantity, key=key)

    def today(self) -> date:
        """The warehouse's date, which expiry dates are checked against."""
        return date.today()
