"""Allocation: a pure rule over plain values (docs/picking.md), and the rules beside it that
say which other lot may be picked and how much a pick face needs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from wms_tui.domain.model import LocationType, StockStatus
from wms_tui.domain.outbound.model import OutboundLineRef, StockSlot

# Only stock on these is ever promised to an order: never dock, QC or staging (already picked).
PICKABLE_TYPES = frozenset({LocationType.PICK, LocationType.RESERVE})
REPLENISH_FROM = frozenset({LocationType.RESERVE})

Age = tuple[bool, datetime, int]


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


def _age(slot: StockSlot) -> Age:
    # Loose stock without a lot or LPN has no receipt date: its balance row's age stands in.
    return (slot.received_at is None, slot.received_at or datetime.min, slot.balance_id)


def _face_last(slot: StockSlot) -> int:
    return 0 if slot.location_type == LocationType.PICK else 1


def fefo_key(slot: StockSlot) -> tuple[date, int, Age, int, str]:
    """Earliest expiry first; among equal dates pick faces first, then oldest, then walk order."""
    return (slot.expiry or date.max, _face_last(slot), _age(slot), slot.walk_seq,
            slot.location_code)


def fifo_key(slot: StockSlot) -> tuple[int, Age, int, str]:
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
    if expiry_tracked:
        usable.sort(key=fefo_key)
    else:
        usable.sort(key=fifo_key)
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


def unallocated_reason(line: OutboundLineRef, slots: Sequence[StockSlot]) -> str:
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


def case_factor(units: Mapping[str, int]) -> int:
    """The smallest pack above one each (the case), 1 when the item has none."""
    return min((f for f in units.values() if f > 1), default=1)


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
