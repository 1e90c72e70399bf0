"""The pick flow's saved state: the trip (scope and totes) and the line being picked, all
JSON-safe so a dropped terminal resumes exactly there."""

from __future__ import annotations

from typing import NotRequired, Protocol, TypedDict

from wms_tui.domain.flows.base import FlowState
from wms_tui.domain.flows.context import PickContextServices
from wms_tui.domain.flows.putaway import LocationState, location_state
from wms_tui.domain.flows.services import RfServices
from wms_tui.domain.model import Actor, LocationRef
from wms_tui.domain.outbound import (
    LotChoice,
    PickResult,
    PickScope,
    ShortResult,
    TaskRef,
)


class PickTaskState(TypedDict):
    """A task as JSON-safe state; quantities are in base units, shown in unit (factor)."""

    id: int
    wave: str | None
    # The order's reference (the reservation's when it has none): the key of its tote.
    order: str
    # States saved before totes were bound to orders do not have it.
    order_id: NotRequired[int | None]
    item_id: int
    sku: str
    # States saved before descriptions were shown do not have it.
    desc: NotRequired[str]
    base_uom: str
    lot: str | None
    lot_id: int | None
    lot_tracked: bool
    expiry: str | None
    loc: LocationState
    remaining: int
    unit: str
    factor: int


class ScopeState(TypedDict):
    kind: str
    id: int
    code: str


class ToteState(TypedDict):
    id: int
    code: str


class EmptiedLocationState(TypedDict):
    """The location a pick emptied, which the picker is asked about."""

    id: int
    code: str


# "from" is a keyword, so this TypedDict is spelt as a call. from: the step F5 or a short
# quantity came from; asked: the quantity picked is asked after the reason.
ShortState = TypedDict("ShortState", {
    "from": str, "reasons": list[str], "asked": bool, "reason": NotRequired[str],
})


class PickState(FlowState, total=False):
    """The trip (scope and totes) and the line being picked."""

    scope: ScopeState
    # Order reference -> the tote its lines go into on this trip.
    totes: dict[str, ToteState]
    task: PickTaskState
    lot: str | None
    lot_id: int | None
    # ISO date: the expiry of a lot picked instead of the allocated one.
    lot_expiry: str | None
    qty: int
    short: ShortState
    zero: EmptiedLocationState
    # The tote the database binds to the task's order, when this trip has none for it.
    bound: ToteState
    # The scanned item is serial-tracked: one serial per base unit picked (flows.serial_step).
    serial_tracked: bool
    serials: list[str]
    # The task's lot is the only lot of the item at the location: Enter at the lot step takes it.
    lot_offer: str


def task_state(task: TaskRef) -> PickTaskState:
    """A task as JSON-safe state, so a resumed flow shows exactly the same line."""
    unit, factor = task.uom or task.base_uom, task.factor
    if factor <= 1 or task.remaining % factor:
        unit, factor = task.base_uom, 1
    return {
        "id": task.id, "wave": task.wave_code, "order": task.order_ref or task.reservation,
        "order_id": task.order_id,
        "item_id": task.item_id, "sku": task.sku, "desc": task.description,
        "base_uom": task.base_uom,
        "lot": task.lot, "lot_id": task.lot_id, "lot_tracked": task.lot_tracked,
        "expiry": task.expiry.isoformat() if task.expiry else None,
        "loc": location_state(task.location), "remaining": task.remaining,
        "unit": unit, "factor": factor,
    }


def scope_state(scope: PickScope) -> ScopeState:
    return {"kind": scope.kind, "id": scope.id, "code": scope.code}


def scope_from_state(data: ScopeState | None) -> PickScope | None:
    return None if data is None else PickScope(data["kind"], data["id"], data["code"])


class PickServices(RfServices, PickContextServices, Protocol):
    """RfServices plus what the pick flow asks the warehouse."""

    def pick_scope(self, raw: str) -> PickScope | None: ...
    def next_pick_task(self, actor: Actor, scope: PickScope | None = None) -> TaskRef | None: ...
    def substitute_lot(self, task_id: int, lot: str, quantity: int) -> LotChoice: ...
    def confirm_pick(
        self, actor: Actor, task_id: int, quantity: int, *, to_location_id: int,
        lot_id: int | None, key: str, serials: tuple[str, ...] = (),
    ) -> PickResult: ...
    def short_pick(
        self, actor: Actor, task_id: int, picked: int, reason_code: str, *,
        to_location_id: int | None, lot_id: int | None, key: str,
        serials: tuple[str, ...] = (),
    ) -> ShortResult: ...
    def answer_zero_check(
        self, actor: Actor, location_id: int, empty: bool, key: str
    ) -> int | None: ...
    def short_reasons(self) -> list[str]: ...
    def order_tote(self, order_id: int) -> LocationRef | None: ...
