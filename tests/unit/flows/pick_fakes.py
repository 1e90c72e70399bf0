"""An in-memory wave for the pick and replenish flows, built on tests/flow_fakes.py."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from tests.flow_fakes import A1, A2, MILK, WIDGET, FakeCatalog, FakeServices
from tests.unit.flows.putaway_fakes import MILK_GTIN, P1, STAGE
from wms_tui.domain.errors import BadInput, InvalidQuantity, ScanRejected
from wms_tui.domain.flows.context import NEXT_PICKS, PickProgress
from wms_tui.domain.model import Actor, LocationRef, LocationType, PostResult
from wms_tui.domain.outbound import (
    LotChoice,
    OutboundLineRef,
    OutboundStatus,
    PickResult,
    PickScope,
    ReplenishResult,
    ShortResult,
    TaskKind,
    TaskRef,
    TaskStatus,
    may_substitute,
)
from wms_tui.domain.totes import ToteBinding, ToteDecision, tote_decision

TOTE1 = LocationRef(20, "TOTE-1", "TOTE-1", "61", LocationType.STAGING, 900)
TOTE2 = LocationRef(21, "TOTE-2", "TOTE-2", "62", LocationType.STAGING, 901)
P2 = LocationRef(22, "P-01-02-1", "P-01-02-1", "93", LocationType.PICK, 41, "RES", 50)
WAVE = PickScope("wave", 1, "W0001")
TODAY = date(2026, 1, 5)
CS_GTIN = "19501101530000"
EA_GTIN = "09501101530003"


def milk_label(lot: str, expiry: str = "991231") -> str:
    """A GS1-128 case label: GTIN, expiry, then the lot (variable length, last: no GS)."""
    return f"]C101{MILK_GTIN}17{expiry}10{lot}"


def task(task_id: int, order: str, location: LocationRef, quantity: int, *,
         item: str = "WIDGET", uom: str = "EA", factor: int = 1, lot: str | None = None,
         lot_id: int | None = None, expiry: date | None = None, seq: int = 0,
         kind: TaskKind = TaskKind.PICK, to: LocationRef | None = None) -> TaskRef:
    ref = {"WIDGET": WIDGET, "MILK": MILK}[item]
    return TaskRef(
        id=task_id, kind=kind, status=TaskStatus.OPEN, item_id=ref.id, sku=ref.sku,
        base_uom=ref.base_uom, quantity=quantity, location=location, seq=seq or task_id,
        reservation=f"TASK-{task_id}", lot_tracked=ref.lot_tracked, uom=uom, factor=factor,
        wave_id=WAVE.id, wave_code=WAVE.code, order_ref=order if kind == TaskKind.PICK else None,
        order_id=int(order.rsplit("-", 1)[-1]) if kind == TaskKind.PICK else None,
        lot=lot, lot_id=lot_id, expiry=expiry, to_location=to, description=ref.description,
    )


@dataclass
class Lot:
    lot_id: int
    location_id: int
    expiry: date | None
    free: int


@dataclass
class PickFakeServices(FakeServices):
    """Tasks in walk order; each confirmation is recorded once per key, as the real one is."""

    tasks: list[TaskRef] = field(default_factory=list)
    on_hand: dict[int, int] = field(default_factory=dict)
    lots: dict[str, Lot] = field(default_factory=dict)
    calls: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=lambda: ["SHORT", "DAMAGED"])
    # Units another location can give a short pick's remainder.
    elsewhere: int = 0
    # Tote id -> its order and what it holds, as the database keeps them across trips.
    totes: dict[int, ToteBinding] = field(default_factory=dict)
    in_totes: dict[int, int] = field(default_factory=dict)

    @classmethod
    def wave(cls, tasks: list[TaskRef], on_hand: dict[int, int] | None = None
             ) -> PickFakeServices:
        catalog = FakeCatalog(
            items={"WIDGET": WIDGET, "MILK": MILK},
            gtins={EA_GTIN: WIDGET, CS_GTIN: replace(WIDGET, uom="CS", factor=12),
                   MILK_GTIN: MILK},
            locations={loc.code: loc for loc in (A1, A2, P1, P2, STAGE, TOTE1, TOTE2)},
        )
        stock = on_hand if on_hand is not None else {t.location.id: 100 for t in tasks}
        return cls(catalog, [], tasks=list(tasks), on_hand=stock)

    # What the flow may ask.

    def pick_scope(self, raw: str) -> PickScope | None:
        text = raw.strip().upper()
        if text == WAVE.code:
            return WAVE
        orders = {t.order_ref for t in self.tasks}
        return PickScope("order", 7, text) if text in orders else None

    def next_pick_task(self, actor: Actor, scope: PickScope | None = None) -> TaskRef | None:
        return self._next(TaskKind.PICK, scope)

    def _next(self, kind: TaskKind, scope: PickScope | None) -> TaskRef | None:
        open_tasks = [t for t in self.tasks if t.kind == kind and t.remaining > 0
                      and t.status in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)
                      and (scope is None or scope.kind == "wave"
                           or t.order_ref == scope.code)]
        return min(open_tasks, key=lambda t: t.seq, default=None)

    def _task(self, task_id: int) -> TaskRef:
        return next(t for t in self.tasks if t.id == task_id)

    def _update(self, task_id: int, **changes: Any) -> None:
        self.tasks = [replace(t, **changes) if t.id == task_id else t for t in self.tasks]

    def substitute_lot(self, task_id: int, lot: str, quantity: int) -> LotChoice:
        current = self._task(task_id)
        found = self.lots.get(lot)
        if found is None:
            raise ScanRejected("Unknown lot {lot}: scan the lot on the goods", lot=lot)
        if found.location_id != current.location.id or not may_substitute(
                current.expiry, found.expiry, free=found.free, quantity=quantity,
                earliest_expiry=TODAY):
            raise ScanRejected("Lot not allowed: take {lot}", lot=current.lot or "-")
        return LotChoice(found.lot_id, lot, found.expiry)

    def short_reasons(self) -> list[str]:
        return list(self.reasons)

    def pick_progress(self, task_id: int, user_id: int, *, order_only: bool = False,
                      upcoming: int = NEXT_PICKS) -> PickProgress:
        current = self._task(task_id)
        tasks = sorted((t for t in self.tasks if t.kind == TaskKind.PICK and t.remaining > 0
                        and t.status in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)
                        and (not order_only or t.order_id == current.order_id)),
                       key=lambda t: (t.seq, t.id))
        takeable = [t for t in tasks if t.id != task_id and t.assigned_to in (None, user_id)]
        return PickProgress(len(tasks), sum(t.remaining for t in tasks), takeable[:upcoming])

    def outbound_lines(self, order_id: int) -> list[OutboundLineRef]:
        """One line per task of the order: what it asked, and what of it was picked."""
        return [OutboundLineRef(t.id, order_id, n, t.item_id, t.sku, t.base_uom, t.quantity,
                                t.uom or t.base_uom, t.factor, t.quantity, t.done_quantity)
                for n, t in enumerate((t for t in self.tasks if t.order_id == order_id
                                       and t.kind == TaskKind.PICK), start=1)]

    def order_tote(self, order_id: int) -> LocationRef | None:
        mine = [tote_id for tote_id, b in self.totes.items() if b.order_id == order_id]
        return self._location(mine[-1]) if mine else None

    def _location(self, location_id: int) -> LocationRef:
        return next(loc for loc in self.catalog.locations.values() if loc.id == location_id)

    def _take_tote(self, current: TaskRef, tote_id: int, quantity: int) -> None:
        """The binding rule of domain.totes, then the units land in the tote."""
        assert current.order_id is not None
        decision = tote_decision(self.totes.get(tote_id), current.order_id,
                                 tote=self._location(tote_id).code,
                                 holds_stock=self.in_totes.get(tote_id, 0) > 0)
        if decision is not ToteDecision.KEEP:
            self.totes[tote_id] = ToteBinding(tote_id, current.order_id, current.order_ref or "")
        self.in_totes[tote_id] = self.in_totes.get(tote_id, 0) + quantity

    def posted(self, key: str) -> PostResult | None:
        return PostResult(key, [], "ok", True) if key in self.calls else None

    # Confirmations.

    def _take_from_face(self, location_id: int, qty: int) -> bool:
        self.on_hand[location_id] = self.on_hand.get(location_id, 0) - qty
        return self.on_hand[location_id] <= 0

    def confirm_pick(self, actor: Actor, task_id: int, quantity: int, *, to_location_id: int,
                     lot_id: int | None, key: str, serials: tuple[str, ...] = ()) -> PickResult:
        current = self._task(task_id)
        if key not in self.calls:
            if quantity > current.remaining:
                raise InvalidQuantity("too many")
            self._take_tote(current, to_location_id, quantity)
            self.calls[key] = ("pick", dict(task=task_id, qty=quantity, to=to_location_id,
                                            lot_id=lot_id))
            self._update(task_id, done_quantity=current.done_quantity + quantity,
                         status=TaskStatus.DONE)
            self.calls[key][1]["empty"] = self._take_from_face(current.location.id, quantity)
        return PickResult(key, [1], task_id, current.sku, quantity, current.base_uom,
                          current.location.code, "", current.order_ref or "", TaskStatus.DONE,
                          OutboundStatus.PICKING, self.calls[key][1]["empty"])

    def short_pick(self, actor: Actor, task_id: int, picked: int, reason_code: str, *,
                   to_location_id: int | None, lot_id: int | None, key: str,
                   serials: tuple[str, ...] = ()) -> ShortResult:
        current = self._task(task_id)
        if reason_code not in self.reasons:
            raise BadInput("unknown reason code {code!r}", code=reason_code)
        if key not in self.calls:
            if picked > 0 and to_location_id is not None:
                self._take_tote(current, to_location_id, picked)
            rest = current.remaining - picked
            again = min(rest, self.elsewhere)
            self.elsewhere -= again
            self.calls[key] = ("short", dict(task=task_id, picked=picked, reason=reason_code,
                                             to=to_location_id, lot_id=lot_id,
                                             reallocated=again, short=rest - again))
            self._update(task_id, done_quantity=current.done_quantity + picked,
                         status=TaskStatus.SHORT)
            self.calls[key][1]["empty"] = self._take_from_face(current.location.id, picked)
            if again:
                new_id = max(t.id for t in self.tasks) + 1
                self.tasks.append(replace(current, id=new_id, location=A2, quantity=again,
                                          done_quantity=0, status=TaskStatus.OPEN,
                                          seq=current.seq + 100))
        data = self.calls[key][1]
        return ShortResult(key, [], task_id, picked, data["reallocated"], data["short"], [],
                           99, OutboundStatus.PICKING, data["empty"])

    def answer_zero_check(self, actor: Actor, location_id: int, empty: bool,
                          key: str) -> int | None:
        if empty:
            return None
        self.calls.setdefault(key, ("zero", dict(location=location_id)))
        return 5

    def next_replenishment(self, actor: Actor) -> TaskRef | None:
        return self._next(TaskKind.REPLENISH, None)

    def confirm_replenishment(self, actor: Actor, task_id: int, quantity: int,
                              key: str) -> ReplenishResult:
        current = self._task(task_id)
        if key not in self.calls:
            self.calls[key] = ("replenish", dict(task=task_id, qty=quantity))
            self._update(task_id, done_quantity=current.done_quantity + quantity,
                         status=TaskStatus.DONE)
        assert current.to_location is not None
        return ReplenishResult(key, [1], task_id, current.sku, quantity, current.base_uom,
                               current.location.code, current.to_location.code)

    def recorded(self, kind: str | None = None) -> list[dict[str, Any]]:
        return [data for what, data in self.calls.values() if kind is None or what == kind]
