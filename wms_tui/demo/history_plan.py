"""Planning the demo's back-dated history: the work of each day, undone from the closing stock.

Every piece of work is undone from the balances the seed must end on, newest first, so what is
left is the opening stock; history.py posts the plan forwards from it.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from wms_tui.domain import counting

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


def at_hour(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


class Planner:
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
        morning = self.times(at_hour(day, 6, 40), MAX_REPLENISHMENTS, 90, 170)
        later(morning[0], lambda: self.replenish(morning))
        if rng.random() < 0.5:
            delivery = Delivery(self.times(at_hour(day, 7, 12), ASN_LINES, 90, 240), [],
                                rng.choice(self.docks))
            overnight = next_day is not None and rng.random() < 0.15
            start = at_hour(next_day, 7, 36) if overnight and next_day else at_hour(
                day, 8, 15) + self.seconds(0, 1200)
            delivery.putaway_times = self.times(start, ASN_LINES, 180, 480)
            self.deliveries.append(delivery)
            later(delivery.putaway_times[0], lambda: self.put_away(delivery))
        picker = "SUP1" if day.weekday() == 4 else "OP1"
        self.pick_session(at_hour(day, 9, 10) + self.seconds(0, 3600), "OP1", later)
        midday = self.times(at_hour(day, 12, 15), MAX_REPLENISHMENTS, 90, 170)
        later(midday[0], lambda: self.replenish(midday))
        self.pick_session(at_hour(day, 13, 0) + self.seconds(0, 3600), picker, later)
        if rng.random() < 0.15:
            moment = at_hour(day, 10, 30) + self.seconds(0, 3600)
            later(moment, lambda: self.adjust(moment))
        tasks = rng.choice((0, 1, 1, 2))
        if tasks:
            later(at_hour(day, 16, 0), lambda: self.count(day, tasks))

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
        first = self.times(at_hour(day, 16, 0), tasks, 150, 330)
        recount = self.times(at_hour(day, 16, 35), tasks, 150, 330)
        approve = self.times(at_hour(day, 16, 55), tasks, 30, 90)
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
            self.postings.append(Posting(at_hour(day, 6, 30) + timedelta(minutes=n), "SUP1",
                                         "count_request", i, data=plan))
            approval = bool(variance) and not counting.within_tolerance(
                variance, book, counting.CountPolicy())
            recounted = bool(variance or miscount)
            self.postings.append(Posting(
                first[n], "OP1", "count", i, after + miscount, data=plan,
                expect=counting.CountStatus.RECOUNT.value if recounted else done))
            if recounted:
                # Not SUP1: whoever keyed a count may not approve it, and SUP1 approves.
                self.postings.append(Posting(
                    recount[n], "ADM1", "count", i, after, data=plan,
                    expect=counting.CountStatus.PENDING_APPROVAL.value if approval else done))
            if approval:
                self.postings.append(Posting(approve[n], "SUP1", "count_approve", i, data=plan,
                                             expect=done))

    def opening(self, first_day: date) -> list[Posting]:
        """What the history starts from: a go-live stock take (long ago for dead stock)."""
        postings = []
        live = at_hour(first_day - timedelta(days=1), 9, 0)
        dead = at_hour(first_day - DEAD_AGE, 9, 0)
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

