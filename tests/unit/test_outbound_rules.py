"""Outbound's small rules on plain values and fakes: wave settlement, why a line went
unallocated, the one replenishment a pick face gets, and the stored zero-check shape."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from itertools import count

import pytest

from wms_tui.domain.model import BalanceKey, BalanceRow, ItemRef, LocationRef, LocationType
from wms_tui.domain.model import StockStatus as St
from wms_tui.domain.once import encode
from wms_tui.domain.outbound import (
    OPEN_TASK_STATUSES,
    OutboundLineRef,
    StockSlot,
    TaskKind,
    TaskSpec,
    WaveStatus,
    ZeroCheckResult,
    quantity_text,
    replenish_face,
    task_reference,
    unallocated_reason,
    wave_status,
)

TODAY = date(2026, 1, 5)
FACE = LocationRef(9, "P-01", "P-01", "00", LocationType.PICK, 1)
_ids = count(1)


def slot(loc: int, qty: int, *, kind: LocationType = LocationType.RESERVE, reserved: int = 0,
         status: St = St.AVAILABLE) -> StockSlot:
    return StockSlot(balance_id=next(_ids), item_id=1, location_id=loc,
                     location_code=f"A-{loc:02d}", location_type=kind, walk_seq=loc * 10,
                     quantity=qty, reserved=reserved, status=status)


LINE = OutboundLineRef(id=1, order_id=1, line_no=1, item_id=1, sku="W", base_uom="EA",
                       quantity=24, uom="CS", factor=12)


def test_a_wave_is_done_once_no_pick_task_is_open() -> None:
    assert wave_status(True) is WaveStatus.PICKING
    assert wave_status(False) is WaveStatus.DONE


@pytest.mark.parametrize(("slots", "reason"), [
    ([], "no stock on pick or reserve locations"),
    ([slot(1, 50, kind=LocationType.DOCK)], "no stock on pick or reserve locations"),
    ([slot(1, 50, status=St.QC_HOLD)], "stock is on hold, damaged or blocked only"),
    ([slot(1, 50, reserved=50)], "all stock is reserved for other tasks"),
    ([slot(1, 11), slot(2, 13)], "not enough in whole CS per location, or lots expire too soon"),
    ([slot(1, 5)], "only 5 EA free"),
])
def test_why_a_line_went_unallocated(slots: list[StockSlot], reason: str) -> None:
    assert unallocated_reason(LINE, slots) == reason


def test_task_reference_and_quantity_text() -> None:
    assert task_reference(42) == "TASK-42"
    assert quantity_text(24, "CS", 12, "EA") == "2 CS"
    assert quantity_text(25, "CS", 12, "EA") == "25 EA"


# One replenishment per pick face, on fakes of the ports it uses.


@dataclass
class Outbound:
    slots: list[StockSlot]
    open_face: bool = False
    refuse: bool = False
    added: list[TaskSpec] = field(default_factory=list)
    reservations: dict[int, str] = field(default_factory=dict)

    def open_replenishment(self, to_location_id: int, item_id: int) -> bool:
        return self.open_face

    def replenishment_levels(self, item_id: int) -> tuple[int | None, int | None]:
        return 10, 40

    def stock_slots(self, item_id: int) -> list[StockSlot]:
        return self.slots

    def add_replenishment(self, spec: TaskSpec) -> int | None:
        if self.refuse:
            return None
        self.added.append(spec)
        return 100 + len(self.added)

    def set_task_reservation(self, task_id: int, reference: str) -> None:
        self.reservations[task_id] = reference


@dataclass
class Stock:
    on_face: int
    reserved: list[tuple[BalanceKey, int, str]] = field(default_factory=list)

    def balances(self, *, item_id: int, location_id: int) -> list[BalanceRow]:
        return [BalanceRow(1, BalanceKey(item_id, location_id), self.on_face, 0)]

    def reserve(self, key: BalanceKey, quantity: int, reference: str) -> bool:
        self.reserved.append((key, quantity, reference))
        return True


class Catalog:
    def units(self, item_id: int) -> dict[str, int]:
        return {"EA": 1}

    def item(self, item_id: int) -> ItemRef:
        return ItemRef(item_id, "W", "Widget", "EA", False, False, False)


@dataclass
class Uow:
    outbound: Outbound
    stock: Stock
    catalog: Catalog = field(default_factory=Catalog)


def face_after_pick(on_face: int, slots: list[StockSlot], *, open_face: bool = False,
                    refuse: bool = False) -> Uow:
    return Uow(Outbound(slots, open_face=open_face, refuse=refuse), Stock(on_face))


def test_a_face_below_its_minimum_gets_one_task_even_when_reserve_is_split() -> None:
    # 4 on the face: fill to 40 = 36, which no single reserve slot holds.
    uow = face_after_pick(4, [slot(1, 20), slot(2, 30)])
    assert replenish_face(uow, 1, FACE, TODAY) == [101]
    [spec] = uow.outbound.added
    assert (spec.kind, spec.location_id, spec.to_location_id, spec.quantity) == (
        TaskKind.REPLENISH, 1, FACE.id, 20)
    assert uow.stock.reserved == [(BalanceKey(1, 1), 20, "TASK-101")]
    assert uow.outbound.reservations == {101: "TASK-101"}


@pytest.mark.parametrize(("open_face", "refuse"), [(True, False), (False, True)])
def test_no_task_when_the_face_has_one_open_or_the_index_refuses(
        open_face: bool, refuse: bool) -> None:
    uow = face_after_pick(4, [slot(1, 50)], open_face=open_face, refuse=refuse)
    assert replenish_face(uow, 1, FACE, TODAY) == []
    assert uow.stock.reserved == []


def test_no_task_above_the_minimum_or_off_a_pick_face() -> None:
    assert replenish_face(face_after_pick(12, [slot(1, 50)]), 1, FACE, TODAY) == []
    reserve = LocationRef(1, "A-01", "A-01", "00", LocationType.RESERVE, 10)
    assert replenish_face(face_after_pick(0, [slot(1, 50)]), 1, reserve, TODAY) == []


def test_the_replenishment_index_predicate_names_the_open_task_statuses() -> None:
    """The partial unique index and the domain must agree on what an open replenishment is."""
    from wms_tui.db.tables import OPEN_REPLENISH_WHERE

    statuses = ", ".join(f"'{s.value}'" for s in OPEN_TASK_STATUSES)
    assert f"kind = '{TaskKind.REPLENISH.value}' AND status IN ({statuses})" == (
        OPEN_REPLENISH_WHERE)


def test_a_zero_check_is_stored_in_the_shape_a_resumed_flow_reads() -> None:
    stored = json.loads(encode(ZeroCheckResult("K1", 7), "zero check"))
    assert stored == {"confirmation": "K1", "movement_ids": [], "count_task_id": 7,
                      "message": "zero check"}
