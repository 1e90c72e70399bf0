"""Weeks of back-dated warehouse work in the practice warehouse, so the reports have figures.

The history is planned backwards from the stock each item must hold when it ends: every piece
of work is undone from those balances, newest first, so what is left is the opening stock, and
posting the work forwards from it lands exactly on those balances. The open work the exercises
use (ASNs, the wave, count tasks) is made afterwards on the very stock it always had. Everything
goes through the real services, in units of work whose clock is set to the working hour.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import Engine

from wms_tui.db.uow import SqlUnitOfWork, uow_factory
from wms_tui.domain import counting, inbound, stock
from wms_tui.domain.model import Actor
from wms_tui.domain.ports import UnitOfWork

WEEKS = 5
OPENING_REFERENCE = "DEMO-OPENING"
# Dead stock arrived this long ago and never moved since.
DEAD_AGE = timedelta(days=180)
PICK_WEIGHT = {"A": 6.0, "B": 2.0, "C": 0.6}
MAX_REPLENISHMENTS = 8
ASN_LINES = 4
ORDERS_PER_SESSION = (1, 2)


@dataclass(frozen=True)
class Slot:
    """One item's pick face and reserve rack, and what they must hold when the history ends."""

    item_id: int
    sku: str
    case: int
    pallet: int
    min_qty: int
    max_qty: int
    abc: str
    face_id: int
    face_code: str
    face_qty: int
    rack_id: int | None
    rack_qty: int
    lot: str | None
    expiry: date | None
    dead: bool


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


@dataclass
class Posting:
    """One piece of work at one moment; `kind` says which service posts it."""

    at: datetime
    user: str
    kind: str
    slot: int = -1
    quantity: int = 0
    location_id: int | None = None
    reference: str = ""
    # A count's task status after this posting, checked when it is posted.
    expect: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Delivery:
    """One historical ASN: filled in while planning backwards, numbered afterwards."""

    receive_times: list[datetime]
    putaway_times: list[datetime]
    dock_id: int
    lines: list[tuple[int, int]] = field(default_factory=list)
    reference: str = ""


def working_days(today: date, weeks: int = WEEKS) -> list[date]:
    days = (today - timedelta(days=n) for n in range(weeks * 7, 0, -1))
    return [day for day in days if day.weekday() < 5]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


class _Planner:
    """Builds the history backwards from the closing balances (see the module docstring)."""

    def __init__(self, slots: Sequence[Slot], docks: Sequence[int], today: date, weeks: int,
                 rng: random.Random) -> None:
        self.slots = list(slots)
        self.docks = list(docks)
        self.rng = rng
        self.days = working_days(today, weeks)
        self.face = [s.face_qty for s in slots]
        self.rack = [s.rack_qty for s in slots]
        self.postings: list[Posting] = []
        self.deliveries: list[Delivery] = []
        self.last_delivery: set[int] = set()
        self.showcase = ["approval", "miscount"]
        weights = [0.0 if s.dead else PICK_WEIGHT.get(s.abc, 0.6) for s in slots]
        # Items without a reserve rack are never refilled, so they sell slowly.
        self.weights = [min(w, 1.0) if s.rack_id is None else w
                        for w, s in zip(weights, slots, strict=True)]
        self.orders = 0
        # Every slow mover sells now and then: each order takes one from this round in turn.
        self.slow = [i for i, s in enumerate(slots)
                     if not s.dead and (s.abc != "A" or s.rack_id is None)]
        rng.shuffle(self.slow)

    def seconds(self, low: int, high: int) -> timedelta:
        return timedelta(seconds=self.rng.randint(low, high))

    def times(self, start: datetime, count: int, low: int, high: int) -> list[datetime]:
        moments = []
        for _ in range(count):
            start += self.seconds(low, high)
            moments.append(start)
        return moments

    # The skeleton: what happens when, made forwards in time.

    def plan(self) -> list[Posting]:
        undo: list[tuple[datetime, int, Callable[[], None]]] = []

        def later(moment: datetime, action: Callable[[], None]) -> None:
            undo.append((moment, len(undo), action))

        for n, day in enumerate(self.days):
            self.skeleton_day(day, self.days[n + 1] if n + 1 < len(self.days) else None, later)
        for _moment, _seq, action in sorted(undo, reverse=True):
            action()
        return self.postings

    def skeleton_day(self, day: date, next_day: date | None,
                     later: Callable[[datetime, Callable[[], None]], None]) -> None:
        rng = self.rng
        morning = self.times(_at(day, 6, 40), MAX_REPLENISHMENTS, 90, 170)
        later(morning[0], lambda: self.replenish(morning))
        if rng.random() < 0.5:
            delivery = Delivery(self.times(_at(day, 7, 12), ASN_LINES, 90, 240), [],
                                rng.choice(self.docks))
            overnight = next_day is not None and rng.random() < 0.15
            start = _at(next_day, 7, 36) if overnight and next_day else _at(
                day, 8, 15) + self.seconds(0, 1200)
            delivery.putaway_times = self.times(start, ASN_LINES, 180, 480)
            self.deliveries.append(delivery)
            later(delivery.putaway_times[0], lambda: self.put_away(delivery))
        picker = "SUP1" if day.weekday() == 4 else "OP1"
        self.pick_session(_at(day, 9, 10) + self.seconds(0, 3600), "OP1", later)
        midday = self.times(_at(day, 12, 15), MAX_REPLENISHMENTS, 90, 170)
        later(midday[0], lambda: self.replenish(midday))
        self.pick_session(_at(day, 13, 0) + self.seconds(0, 3600), picker, later)
        if rng.random() < 0.15:
            moment = _at(day, 10, 30) + self.seconds(0, 3600)
            later(moment, lambda: self.adjust(moment))
        tasks = rng.choice((0, 1, 1, 2))
        if tasks:
            later(_at(day, 16, 0), lambda: self.count(day, tasks))

    def pick_session(self, start: datetime, user: str,
                     later: Callable[[datetime, Callable[[], None]], None]) -> None:
        """A few orders picked one after the other: a small shop's morning or afternoon."""
        moment = start
        candidates = range(len(self.slots))
        for _order in range(self.rng.randint(*ORDERS_PER_SESSION)):
            self.orders += 1
            reference = f"SO-{1000 + self.orders}"
            lines = self.rng.choice((1, 1, 2, 2, 3, 4))
            chosen = {self.slow[self.orders % len(self.slow)]} if self.slow else set()
            chosen |= set(self.rng.choices(candidates, self.weights, k=lines - 1))
            for i in sorted(chosen, key=lambda i: self.slots[i].face_code):
                quantity = self.pick_quantity(self.slots[i])
                posting = Posting(moment, user, "pick", i, quantity, reference=reference)
                later(moment, functools.partial(self.pick, posting))
                moment += self.seconds(50, 200)
            moment += self.seconds(60, 420)

    def pick_quantity(self, slot: Slot) -> int:
        roll = self.rng.random()
        if roll < 0.4:
            return self.rng.randint(1, slot.case)
        return slot.case * (self.rng.randint(1, 2) if roll < 0.8 else self.rng.randint(2, 4))

    # Undoing, newest first: each step decides its quantities from the balances after it.

    def pick(self, posting: Posting) -> None:
        self.face[posting.slot] += posting.quantity
        self.postings.append(posting)

    def replenish(self, moments: list[datetime]) -> None:
        """Faces refilled from reserve: each was below its minimum before, as it is now after."""
        forced, optional = [], []
        for i, s in enumerate(self.slots):
            if s.dead or s.rack_id is None or self.face[i] < s.min_qty:
                continue
            if self.face[i] > s.max_qty - s.case:
                forced.append(i)
            elif self.rng.random() < 0.05:
                optional.append(i)
        chosen = (forced + optional)[:len(moments)]
        ordered = sorted(chosen, key=lambda i: self.slots[i].face_code)
        for moment, i in zip(moments, ordered, strict=False):
            s = self.slots[i]
            left = self.rng.randrange(0, max(1, s.min_qty - s.case))
            quantity = (self.face[i] - left) // s.case * s.case
            if quantity < s.case:
                continue
            self.face[i] -= quantity
            self.rack[i] += quantity
            self.postings.append(Posting(moment, "OP1", "replenish", i, quantity))

    def put_away(self, delivery: Delivery) -> None:
        """The delivery brings what the racks hold beyond their closing stock, in whole cases."""
        excess = []
        for i, s in enumerate(self.slots):
            spare = (self.rack[i] - s.rack_qty) // s.case
            if s.rack_id is not None and not s.dead and spare >= 2 and i not in self.last_delivery:
                excess.append((spare * self.rng.uniform(0.5, 1.5), i))
        chosen = [i for _score, i in sorted(excess, reverse=True)[:ASN_LINES]]
        self.last_delivery = set(chosen)
        for i in chosen:
            s = self.slots[i]
            cases = min((self.rack[i] - s.rack_qty) // s.case, s.pallet // s.case)
            delivery.lines.append((i, cases * s.case))
            self.rack[i] -= cases * s.case
        ordered = sorted(delivery.lines, key=lambda line: self.slots[line[0]].rack_id or 0)
        for moment, (i, quantity) in zip(delivery.putaway_times, ordered, strict=False):
            self.postings.append(Posting(moment, "OP1", "putaway", i, quantity,
                                         location_id=delivery.dock_id,
                                         data={"delivery": delivery}))
        for moment, (i, quantity) in zip(delivery.receive_times, delivery.lines, strict=False):
            self.postings.append(Posting(moment, "OP1", "receive", i, quantity,
                                         location_id=delivery.dock_id,
                                         data={"delivery": delivery}))

    def adjust(self, moment: datetime) -> None:
        """A supervisor writes off a few damaged or missing units."""
        live = [i for i, s in enumerate(self.slots) if not s.dead and s.rack_id is not None]
        i = self.rng.choice(live)
        on_rack = self.rng.random() < 0.5
        units = self.rng.randint(1, 3)
        if on_rack:
            self.rack[i] += units
        else:
            self.face[i] += units
        slot = self.slots[i]
        self.postings.append(Posting(
            moment, "SUP1", "adjust", i, -units,
            location_id=slot.rack_id if on_rack else slot.face_id,
            reference=self.rng.choice(("DAMAGED", "LOST"))))

    def count(self, day: date, tasks: int) -> None:
        """Faces counted after picking: most match, some were miscounted, some really differ."""
        first = self.times(_at(day, 16, 0), tasks, 150, 330)
        recount = self.times(_at(day, 16, 35), tasks, 150, 330)
        approve = self.times(_at(day, 16, 55), tasks, 30, 90)
        for n, i in enumerate(self.rng.sample(range(len(self.slots)), tasks)):
            s = self.slots[i]
            after = self.face[i]
            roll = self.rng.random()
            outcome = "variance" if roll > 0.94 else "miscount" if roll > 0.88 else "match"
            # The latest counts always show a variance for approval and a miscount.
            if self.showcase and (self.showcase[0] == "miscount" or not s.dead):
                outcome = self.showcase.pop(0)
            variance = miscount = 0
            if outcome == "approval":
                variance = -s.case
            elif outcome == "variance" and not s.dead:
                variance = self.rng.choice((-1, -2, 1, -s.case))
                if after - variance < 1:
                    variance = 0
            elif outcome == "miscount":
                miscount = self.rng.choice((-1, 1, s.case)) if after else 1
            book = after - variance
            done = counting.CountStatus.DONE.value
            self.face[i] = book
            plan: dict[str, Any] = {"task": None}
            self.postings.append(Posting(_at(day, 6, 30) + timedelta(minutes=n), "SUP1",
                                         "count_request", i, data=plan))
            approval = bool(variance) and not counting.within_tolerance(
                variance, book, counting.CountPolicy())
            recounted = bool(variance or miscount)
            self.postings.append(Posting(
                first[n], "OP1", "count", i, after + miscount, data=plan,
                expect=counting.CountStatus.RECOUNT.value if recounted else done))
            if recounted:
                self.postings.append(Posting(
                    recount[n], "SUP1", "count", i, after, data=plan,
                    expect=counting.CountStatus.PENDING_APPROVAL.value if approval else done))
            if approval:
                self.postings.append(Posting(approve[n], "SUP1", "count_approve", i, data=plan,
                                             expect=done))

    def opening(self, first_day: date) -> list[Posting]:
        """What the history starts from: a go-live stock take (long ago for dead stock)."""
        postings = []
        live = _at(first_day - timedelta(days=1), 9, 0)
        dead = _at(first_day - DEAD_AGE, 9, 0)
        for i, s in enumerate(self.slots):
            for quantity, location_id in ((self.face[i], s.face_id), (self.rack[i], s.rack_id)):
                if quantity <= 0 or location_id is None:
                    continue
                if s.dead:
                    dead += self.seconds(20, 45)
                else:
                    live += self.seconds(20, 45)
                postings.append(Posting(dead if s.dead else live, "ADM1", "opening", i,
                                        quantity, location_id=location_id))
        return postings


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
        stock.apply_in(cast(UnitOfWork, self.batch), self.actors[posting.user], command,
                       self.key())

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
    return [Posting(_at(monday, 6, 0), "ADM1", "announce", data={"rows": rows})
            for monday, rows in sorted(weeks.items())]


def post_history(engine: Engine, actors: dict[str, Actor], slots: Sequence[Slot],
                 docks: Sequence[int], today: date, seed: int,
                 weeks: int = WEEKS) -> HistoryReport:
    """Post the opening stock and the weeks of work before today; slots' closing stock holds."""
    planner = _Planner(slots, docks, today, weeks, random.Random(f"demo-history-{seed}"))
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
