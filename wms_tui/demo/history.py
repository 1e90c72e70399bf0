"""Weeks of back-dated warehouse work in the practice warehouse, so the reports have figures.

The history is planned backwards from the stock each item must hold when it ends: every piece
of work is undone from those balances, newest first, so what is left is the opening stock, and
posting the work forwards from it lands exactly on those balances. The open work the exercises
use (ASNs, the wave, count tasks) is made afterwards on the very stock it always had. Everything
goes through the real services, in units of work whose clock is set to the working hour.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from wms_tui.db.uow import SqlUnitOfWork, uow_factory
from wms_tui.demo.history_plan import (
    DEAD_AGE,
    OPENING_REFERENCE,
    WEEKS,
    Delivery,
    Planner,
    Posting,
    Slot,
    at_hour,
    working_days,
)
from wms_tui.domain import counting, inbound, stock
from wms_tui.domain.model import Actor

__all__ = ["DEAD_AGE", "OPENING_REFERENCE", "WEEKS", "HistoryReport", "Slot", "post_history",
           "working_days"]


@dataclass(frozen=True)
class HistoryReport:
    first_day: date
    last_day: date
    receipts: int
    putaways: int
    replenishments: int
    picks: int
    adjustments: int
    counts: int


class _Poster:
    """Posts the plan in time order; stock commands share one unit of work until a service
    that opens its own transaction comes next."""

    def __init__(self, engine: Engine, actors: dict[str, Actor], slots: Sequence[Slot],
                 seed: int) -> None:
        self.engine = engine
        self.actors = actors
        self.slots = slots
        self.prefix = f"demo-history-{seed}"
        self.now = datetime.now(UTC)
        self.factory = uow_factory(engine, clock=self.clock)
        self.batch: SqlUnitOfWork | None = None
        self.lots: dict[int, int | None] = {}
        self.orders: dict[str, tuple[int, dict[int, int]]] = {}
        self.sequence = 0

    def clock(self) -> datetime:
        return self.now

    def key(self) -> str:
        self.sequence += 1
        return f"{self.prefix}-{self.sequence}"

    @contextmanager
    def open(self) -> Iterator[None]:
        try:
            yield
            self.flush()
        finally:
            if self.batch is not None:
                self.batch.__exit__(None, None, None)
                self.batch = None

    def flush(self) -> None:
        if self.batch is not None:
            self.batch.commit()
            self.batch.__exit__(None, None, None)
            self.batch = None

    def apply(self, posting: Posting, command: stock.Command) -> None:
        if self.batch is None:
            self.batch = SqlUnitOfWork(self.engine, clock=self.clock).__enter__()
        stock.apply_in(self.batch, self.actors[posting.user], command, self.key())

    def lot_id(self, slot: Slot) -> int | None:
        if slot.lot is None:
            return None
        if slot.item_id not in self.lots:
            # The open batch may hold the receipt that made the lot, so it is asked first.
            if self.batch is not None:
                found = self.batch.stock.lot_id(slot.item_id, slot.lot, None, create=False)
            else:
                with SqlUnitOfWork(self.engine, readonly=True) as uow:
                    found = uow.stock.lot_id(slot.item_id, slot.lot, None, create=False)
            assert found is not None, f"lot {slot.lot} is used before it was received"
            self.lots[slot.item_id] = found
        return self.lots[slot.item_id]

    def post(self, posting: Posting) -> None:
        self.now = posting.at
        s = self.slots[posting.slot] if posting.slot >= 0 else None
        actor = self.actors[posting.user]
        match posting.kind:
            case "opening":
                assert s is not None and posting.location_id is not None
                self.apply(posting, stock.Receive(
                    s.item_id, posting.quantity, posting.location_id, OPENING_REFERENCE,
                    lot=s.lot, expiry=s.expiry))
            case "putaway" | "replenish":
                assert s is not None and s.rack_id is not None
                source = posting.location_id if posting.kind == "putaway" else s.rack_id
                target = s.rack_id if posting.kind == "putaway" else s.face_id
                reference = (posting.data["delivery"].reference if posting.kind == "putaway"
                             else f"REPL-{s.face_code}")
                self.apply(posting, stock.Move(s.item_id, posting.quantity, source or 0, target,
                                               reference, lot_id=self.lot_id(s)))
            case "pick":
                assert s is not None
                self.apply(posting, stock.Pick(s.item_id, posting.quantity, s.face_id,
                                               posting.reference, lot_id=self.lot_id(s)))
            case "adjust":
                assert s is not None and posting.location_id is not None
                self.apply(posting, stock.Adjust(
                    s.item_id, posting.quantity, posting.location_id, posting.reference,
                    f"ADJ-{posting.at:%Y%m%d}", lot_id=self.lot_id(s),
                    approved_by=actor.user_id))
            case "announce":
                self.flush()
                report = inbound.import_inbound_orders(self.factory, posting.data["rows"])
                if not report.ok:
                    raise RuntimeError("demo history: " + "; ".join(report.errors[:5]))
            case "receive":
                assert s is not None
                self.flush()
                self.receive(posting, s, actor)
            case _:
                assert s is not None
                self.flush()
                self.count(posting, s, actor)

    def receive(self, posting: Posting, s: Slot, actor: Actor) -> None:
        delivery: Delivery = posting.data["delivery"]
        if delivery.reference not in self.orders:
            with SqlUnitOfWork(self.engine, readonly=True) as uow:
                order = uow.inbound.order_by_reference(delivery.reference)
                assert order is not None
                self.orders[delivery.reference] = (order.id, {
                    ln.item_id: ln.id for ln in uow.inbound.lines(order.id)})
        order_id, lines = self.orders[delivery.reference]
        inbound.receive_line(self.factory, actor, inbound.ReceiveLine(
            s.item_id, posting.quantity, order_id=order_id, line_id=lines[s.item_id],
            location_id=posting.location_id, lot=s.lot, expiry=s.expiry),
            self.key(), today=posting.at.date())

    def count(self, posting: Posting, s: Slot, actor: Actor) -> None:
        plan = posting.data
        if posting.kind == "count_request":
            made = counting.request_count(self.factory, actor, location=s.face_code,
                                          due=posting.at.date())
            plan["task"] = made.created[0].id
            return
        if posting.kind == "count":
            status = counting.submit_count(
                self.factory, actor, plan["task"],
                [(s.item_id, self.lot_id(s), posting.quantity)], self.key()).status
        else:
            status = counting.approve_count(self.factory, actor, plan["task"], True,
                                            self.key()).status
        if posting.expect and status != posting.expect:
            raise RuntimeError(f"demo history: count task {plan['task']} is {status}, "
                               f"not {posting.expect}")


def _announcements(deliveries: list[Delivery], slots: Sequence[Slot]) -> list[Posting]:
    """Number the deliveries in time order; each week's are announced on its Monday morning."""
    weeks: dict[date, list[dict[str, object]]] = {}
    used = [d for d in deliveries if d.lines]
    for n, delivery in enumerate(sorted(used, key=lambda d: d.receive_times[0]), start=1):
        delivery.reference = f"ASN-{800 + n:04d}"
        day = delivery.receive_times[0].date()
        monday = day - timedelta(days=day.weekday())
        for line_no, (i, quantity) in enumerate(delivery.lines, start=1):
            s = slots[i]
            weeks.setdefault(monday, []).append({
                "reference": delivery.reference, "supplier": f"Supplier {1 + n % 3}",
                "expected_date": day.isoformat(), "line_no": line_no, "sku": s.sku,
                "quantity": quantity, "uom": "EA", "lot": s.lot or ""})
    return [Posting(at_hour(monday, 6, 0), "ADM1", "announce", data={"rows": rows})
            for monday, rows in sorted(weeks.items())]


def post_history(engine: Engine, actors: dict[str, Actor], slots: Sequence[Slot],
                 docks: Sequence[int], today: date, seed: int,
                 weeks: int = WEEKS) -> HistoryReport:
    """Post the opening stock and the weeks of work before today; slots' closing stock holds."""
    planner = Planner(slots, docks, today, weeks, random.Random(f"demo-history-{seed}"))
    # Planned newest first; reversed, work at the same second keeps its real order.
    work = planner.plan()[::-1]
    first_day = planner.days[0] if planner.days else today
    everything = (planner.opening(first_day) + _announcements(planner.deliveries, slots)
                  + work)
    order = {"opening": 0, "announce": 1}
    everything.sort(key=lambda p: (p.at, order.get(p.kind, 2)))
    poster = _Poster(engine, actors, slots, seed)
    with poster.open():
        for posting in everything:
            poster.post(posting)

    def count(kind: str) -> int:
        return sum(1 for p in work if p.kind == kind)

    return HistoryReport(first_day, planner.days[-1] if planner.days else first_day,
                         count("receive"), count("putaway"),
                         count("replenish"), count("pick"), count("adjust"),
                         count("count_request"))
