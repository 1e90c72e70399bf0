"""Allocation, substitution and replenishment rules on plain values: no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from wms_tui.domain.model import LocationType, StockStatus
from wms_tui.domain.outbound import (
    OutboundLineRef,
    OutboundStatus,
    StockSlot,
    allocate,
    case_factor,
    may_substitute,
    order_status,
    replenishment_quantity,
)

PICK, RESERVE = LocationType.PICK, LocationType.RESERVE
_ids = iter(range(1, 10_000))


def slot(loc: int, qty: int, *, kind: LocationType = RESERVE, reserved: int = 0,
         lot: str | None = None, expiry: date | None = None, received: int | None = None,
         status: StockStatus = StockStatus.AVAILABLE, seq: int | None = None) -> StockSlot:
    """A balance of item 1 at location `loc`; received is a day of January 2026."""
    return StockSlot(
        balance_id=next(_ids), item_id=1, location_id=loc, location_code=f"L{loc:02d}",
        location_type=kind, walk_seq=loc * 10 if seq is None else seq, quantity=qty,
        reserved=reserved, status=status, lot_id=None if lot is None else loc, lot=lot,
        expiry=expiry,
        received_at=None if received is None else datetime(2026, 1, received, tzinfo=UTC),
    )


def taken(result: object) -> list[tuple[int, int]]:
    return [(a.slot.location_id, a.quantity) for a in result.allocations]  # type: ignore[attr-defined]


def test_fefo_takes_the_earliest_expiry_first_wherever_it_is() -> None:
    slots = [
        slot(1, 10, kind=PICK, lot="L3", expiry=date(2027, 3, 1)),
        slot(2, 10, lot="L1", expiry=date(2027, 1, 1)),
        slot(3, 10, lot="L2", expiry=date(2027, 2, 1)),
    ]
    result = allocate(15, slots, expiry_tracked=True)
    assert taken(result) == [(2, 10), (3, 5)]
    assert result.missing == 0 and result.allocated == 15


def test_fefo_prefers_the_pick_face_among_equal_dates() -> None:
    slots = [slot(1, 10, lot="A", expiry=date(2027, 1, 1)),
             slot(2, 10, kind=PICK, lot="B", expiry=date(2027, 1, 1))]
    assert taken(allocate(4, slots, expiry_tracked=True)) == [(2, 4)]


def test_fefo_never_allocates_a_lot_expiring_before_the_ship_date() -> None:
    slots = [slot(1, 10, lot="OLD", expiry=date(2026, 6, 1)),
             slot(2, 10, lot="NEW", expiry=date(2026, 9, 1))]
    result = allocate(15, slots, expiry_tracked=True, earliest_expiry=date(2026, 7, 1))
    assert taken(result) == [(2, 10)] and result.missing == 5


def test_fifo_takes_pick_faces_first_then_the_oldest_reserve() -> None:
    slots = [
        slot(1, 10, received=20),
        slot(2, 10, received=5),
        slot(3, 4, kind=PICK, received=25),
        slot(4, 10, received=None),
    ]
    result = allocate(20, slots, expiry_tracked=False)
    # The face first although its stock is newest; then reserve oldest first.
    assert taken(result) == [(3, 4), (2, 10), (1, 6)]


def test_fifo_of_loose_stock_without_receipt_dates_goes_by_balance_age_after_dated() -> None:
    slots = [slot(5, 3), slot(4, 3), slot(6, 3, received=9)]
    # Balance ids grow in creation order: location 5's row is older than location 4's.
    assert taken(allocate(9, slots, expiry_tracked=False)) == [(6, 3), (5, 3), (4, 3)]


def test_reserved_stock_is_never_allocated_again() -> None:
    slots = [slot(1, 10, kind=PICK, reserved=8), slot(2, 10, reserved=10)]
    result = allocate(5, slots, expiry_tracked=False)
    assert taken(result) == [(1, 2)] and result.missing == 3


@pytest.mark.parametrize("status", [StockStatus.QC_HOLD, StockStatus.DAMAGED,
                                    StockStatus.BLOCKED])
def test_only_available_stock_is_allocated(status: StockStatus) -> None:
    result = allocate(5, [slot(1, 10, status=status)], expiry_tracked=False)
    assert result.allocations == () and result.missing == 5


@pytest.mark.parametrize("kind", [LocationType.DOCK, LocationType.QC, LocationType.STAGING])
def test_stock_on_dock_qc_or_staging_is_never_allocated(kind: LocationType) -> None:
    result = allocate(5, [slot(1, 10, kind=kind)], expiry_tracked=False)
    assert result.allocations == () and result.missing == 5


def test_whole_cases_of_the_ordered_unit() -> None:
    # 2 CS of 12 = 24 EA: the face's 18 free EA hold one whole case, the reserve the other.
    slots = [slot(1, 18, kind=PICK), slot(2, 100)]
    result = allocate(24, slots, expiry_tracked=False, unit=12)
    assert taken(result) == [(1, 12), (2, 12)]


def test_what_no_whole_unit_covers_is_reported_missing() -> None:
    slots = [slot(1, 11, kind=PICK), slot(2, 20)]
    result = allocate(36, slots, expiry_tracked=False, unit=12)
    assert taken(result) == [(2, 12)] and result.missing == 24


def test_a_quantity_that_is_not_whole_units_is_allocated_in_base_units() -> None:
    result = allocate(13, [slot(1, 20)], expiry_tracked=False, unit=12)
    assert taken(result) == [(1, 13)]


def test_excluded_locations_are_skipped() -> None:
    slots = [slot(1, 10, kind=PICK), slot(2, 10)]
    result = allocate(5, slots, expiry_tracked=False, exclude_locations=frozenset({1}))
    assert taken(result) == [(2, 5)]


def test_nothing_asked_allocates_nothing() -> None:
    assert allocate(0, [slot(1, 10)], expiry_tracked=False).allocations == ()


def test_substitute_lot_rule_same_or_earlier_expiry_with_enough_free() -> None:
    allocated = date(2027, 5, 1)
    today = date(2026, 1, 1)
    assert may_substitute(allocated, date(2027, 5, 1), free=5, quantity=5, earliest_expiry=today)
    assert may_substitute(allocated, date(2027, 1, 1), free=5, quantity=5, earliest_expiry=today)
    # Later expiry would leave the earlier lot behind: FEFO forbids it.
    assert not may_substitute(allocated, date(2027, 6, 1), free=5, quantity=5,
                              earliest_expiry=today)
    assert not may_substitute(allocated, date(2027, 1, 1), free=4, quantity=5,
                              earliest_expiry=today)
    assert not may_substitute(allocated, date(2025, 12, 1), free=5, quantity=5,
                              earliest_expiry=today)
    assert not may_substitute(allocated, None, free=5, quantity=5, earliest_expiry=today)
    # Lots without dates: any lot with the quantity free.
    assert may_substitute(None, None, free=5, quantity=5, earliest_expiry=today)


@pytest.mark.parametrize(("on_hand", "min_qty", "max_qty", "case", "need"), [
    (10, 5, 50, 12, 0),     # above its minimum
    (4, 5, 50, 12, 36),     # below: up to max in whole cases (46 -> 36)
    (4, 5, 50, 1, 46),      # no case unit: exactly to max
    (0, 0, 20, 12, 12),     # emptied although minimum 0
    (0, None, None, 12, 0),  # no levels: not a managed pick face
    (3, 5, None, 12, 2),    # no max: up to min, less than a case in eaches
    (0, 5, 5, 12, 5),
])
def test_replenishment_quantity(on_hand: int, min_qty: int | None, max_qty: int | None,
                                case: int, need: int) -> None:
    assert replenishment_quantity(on_hand, min_qty=min_qty, max_qty=max_qty, case=case) == need


def test_case_factor_is_the_smallest_pack_above_one() -> None:
    assert case_factor({"EA": 1, "CS": 12, "PL": 480}) == 12
    assert case_factor({"EA": 1}) == 1


def test_order_status_from_its_lines() -> None:
    line = OutboundLineRef(1, 1, 1, 1, "W", "EA", 10, "EA", allocated=10)
    released = OutboundStatus.RELEASED
    assert order_status([line], released) is released
    assert order_status([replace(line, picked=4)], released) is OutboundStatus.PICKING
    assert order_status([replace(line, picked=10)], released) is OutboundStatus.PICKED
    assert order_status([replace(line, picked=7, short=3)], released) is OutboundStatus.SHORT
    assert line.unallocated == 0 and replace(line, allocated=6).unallocated == 4
