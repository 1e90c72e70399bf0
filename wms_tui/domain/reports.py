"""KPIs computed from plain ledger and count rows: accuracy, turnover, dead stock, productivity,
dock-to-stock and low stock. Pure functions, so every figure can be checked by hand.

Days are the site's days: each function that groups by day takes the site's zone (default UTC),
while the ledger's times stay UTC.

On hand is what the ledger says: a movement adds its quantity where it goes (to_location) and
takes it where it comes from (from_location), so moves and status changes net to zero and a pick
to a staging lane stays on hand until it leaves the building.
"""

from __future__ import annotations

import enum
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Protocol

from wms_tui.domain.model import LocationType, MovementKind
from wms_tui.domain.periods import day_end, site_day
from wms_tui.domain.work_flows import Flow, flow_of

# A gap longer than this between two confirmations of one operator is a break, not work.
DEFAULT_IDLE_MINUTES = 30
DEFAULT_DEAD_DAYS = 90


class Period(enum.StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class LedgerEntry:
    """One movement with the codes and location types the reports group by."""

    id: int
    at: datetime
    kind: MovementKind
    sku: str
    quantity: int
    user: str
    from_location: str | None = None
    to_location: str | None = None
    from_type: LocationType | None = None
    to_type: LocationType | None = None
    lot: str | None = None
    from_lpn: str | None = None
    to_lpn: str | None = None
    confirmation: str | None = None
    reason: str | None = None
    reference: str = ""

    @property
    def flow(self) -> Flow:
        """The flow that posted this movement (putaway, replenish and count told apart)."""
        return flow_of(self.kind, self.reference, self.reason)

    @property
    def on_hand_delta(self) -> int:
        """What this movement does to the warehouse's total on hand of the item."""
        return ((self.quantity if self.to_location is not None else 0)
                - (self.quantity if self.from_location is not None else 0))


@dataclass(frozen=True)
class CountEntry:
    """One count line: what was counted beside the book quantity when it was keyed."""

    task_id: int
    attempt: int
    sku: str
    counted: int
    expected: int
    at: datetime
    # The item's cost per base unit, None when the item has no cost set up.
    unit_cost: Decimal | None = None
    # Who keyed it ("" where the reader does not say).
    user: str = ""


@dataclass(frozen=True)
class PickFaceStock:
    """An item's stock at one pick face, beside the item's minimum."""

    sku: str
    location: str
    quantity: int
    min_qty: int


@dataclass(frozen=True)
class AgedStock:
    """One balance on hand and its newest arrival: the last movement into its item, lot,
    location and LPN other than a status change (None: none in the ledger)."""

    sku: str
    quantity: int
    arrived: datetime | None


def period_of(moment: datetime | date, period: Period, zone: tzinfo = UTC) -> str:
    day = site_day(moment, zone) if isinstance(moment, datetime) else moment
    if period == Period.DAY:
        return day.isoformat()
    if period == Period.WEEK:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year}-{day.month:02d}"


def _ratio(top: float, bottom: float) -> float | None:
    return None if bottom == 0 else top / bottom


# Inventory record accuracy.


@dataclass(frozen=True)
class AccuracyFigure:
    """First-attempt count lines of one period: hits are lines whose count matched the book."""

    period: str
    lines: int
    hits: int
    units_expected: int
    units_variance: int
    # Σ max(counted, expected): the denominator that keeps unit accuracy within 0..1.
    units_basis: int
    # The same by value, over the lines whose item has a cost; the rest are left out.
    costed_lines: int = 0
    value_variance: Decimal = Decimal(0)
    value_basis: Decimal = Decimal(0)

    @property
    def line_accuracy(self) -> float | None:
        return _ratio(self.hits, self.lines)

    @property
    def unit_accuracy(self) -> float | None:
        share = _ratio(self.units_variance, self.units_basis)
        if share is None:
            return None if self.lines == 0 else 1.0
        return 1.0 - share

    @property
    def value_accuracy(self) -> float | None:
        if self.costed_lines == 0:
            return None
        if self.value_basis == 0:
            return 1.0
        return 1.0 - float(self.value_variance / self.value_basis)


@dataclass(frozen=True)
class AccuracyReport:
    overall: AccuracyFigure
    periods: tuple[AccuracyFigure, ...]


def _accuracy_figure(label: str, lines: Sequence[CountEntry]) -> AccuracyFigure:
    costed = [(ln, ln.unit_cost) for ln in lines if ln.unit_cost is not None]
    return AccuracyFigure(
        period=label,
        lines=len(lines),
        hits=sum(1 for ln in lines if ln.counted == ln.expected),
        units_expected=sum(ln.expected for ln in lines),
        units_variance=sum(abs(ln.counted - ln.expected) for ln in lines),
        units_basis=sum(max(ln.counted, ln.expected) for ln in lines),
        costed_lines=len(costed),
        value_variance=sum((abs(ln.counted - ln.expected) * cost for ln, cost in costed),
                           Decimal(0)),
        value_basis=sum((max(ln.counted, ln.expected) * cost for ln, cost in costed),
                        Decimal(0)),
    )


def record_accuracy(lines: Iterable[CountEntry], period: Period = Period.MONTH,
                    zone: tzinfo = UTC) -> AccuracyReport:
    """Inventory record accuracy from first counts: a recount proves the book, not the record."""
    first = [ln for ln in lines if ln.attempt == 1]
    grouped: dict[str, list[CountEntry]] = defaultdict(list)
    for ln in first:
        grouped[period_of(ln.at, period, zone)].append(ln)
    return AccuracyReport(
        overall=_accuracy_figure("all", first),
        periods=tuple(_accuracy_figure(label, grouped[label]) for label in sorted(grouped)),
    )


# Turnover.


def daily_closing(entries: Iterable[LedgerEntry], first: date, last: date,
                  zone: tzinfo = UTC) -> dict[str, list[int]]:
    """Each item's on hand at the end of every site day from first to last, from the ledger."""
    ordered = sorted(entries, key=lambda e: (e.at, e.id))
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    closing: dict[str, list[int]] = {}
    running: dict[str, int] = defaultdict(int)
    i = 0
    for n, day in enumerate(days):
        end = day_end(day, zone)
        while i < len(ordered) and ordered[i].at < end:
            entry = ordered[i]
            running[entry.sku] += entry.on_hand_delta
            closing.setdefault(entry.sku, [0] * len(days))
            i += 1
        for sku, qty in running.items():
            closing.setdefault(sku, [0] * len(days))[n] = qty
    return closing


@dataclass(frozen=True)
class TurnoverLine:
    sku: str
    shipped: int
    average_on_hand: float

    @property
    def turnover(self) -> float | None:
        return _ratio(self.shipped, self.average_on_hand)


@dataclass(frozen=True)
class TurnoverReport:
    first: date
    last: date
    items: tuple[TurnoverLine, ...]
    overall: TurnoverLine

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def turnover(entries: Sequence[LedgerEntry], first: date, last: date,
             zone: tzinfo = UTC) -> TurnoverReport:
    """Units picked in site days [first, last] over the average daily closing on hand."""
    if last < first:
        raise ValueError("the period ends before it starts")
    closing = daily_closing(entries, first, last, zone)
    start, end = day_end(first - timedelta(days=1), zone), day_end(last, zone)
    shipped: dict[str, int] = defaultdict(int)
    for e in entries:
        if e.kind == MovementKind.PICK and start <= e.at < end:
            shipped[e.sku] += e.quantity
    skus = sorted(set(closing) | set(shipped))
    days = (last - first).days + 1
    items = tuple(
        TurnoverLine(sku, shipped.get(sku, 0), sum(closing.get(sku, [0])) / days)
        for sku in skus
        if shipped.get(sku, 0) or any(closing.get(sku, []))
    )
    overall = TurnoverLine("all", sum(i.shipped for i in items),
                           sum(i.average_on_hand for i in items))
    return TurnoverReport(first, last, items, overall)


# Dead stock.


@dataclass(frozen=True)
class DeadStockLine:
    """An item's dead units: on hand since before the window, the item not picked within it."""

    sku: str
    on_hand: int
    last_outbound: datetime | None
    share: float | None
    # The newest arrival among the dead units (None: older than the ledger knows).
    arrived: datetime | None = None


@dataclass(frozen=True)
class DeadStockReport:
    days: int
    as_of: datetime
    items: tuple[DeadStockLine, ...]
    dead_units: int
    on_hand_units: int

    @property
    def share(self) -> float | None:
        return _ratio(self.dead_units, self.on_hand_units)


def _aged(stock: Iterable[AgedStock] | Mapping[str, int]) -> list[AgedStock]:
    """A plain on-hand per SKU says nothing of age: its units count as there all along."""
    if isinstance(stock, Mapping):
        return [AgedStock(sku, qty, None) for sku, qty in stock.items()]
    return list(stock)


def dead_stock(entries: Iterable[LedgerEntry], stock: Iterable[AgedStock] | Mapping[str, int],
               as_of: datetime, days: int = DEFAULT_DEAD_DAYS) -> DeadStockReport:
    """Units on hand since before the last N days, of items not picked within them.

    Age is per balance (its newest arrival), so goods received or moved in within the window
    are never dead, while older units of the same item still are; one pick of an item within
    the window makes all of it live. Units arriving after as_of are on hand but not dead.
    """
    last_pick: dict[str, datetime] = {}
    for e in entries:
        if e.kind == MovementKind.PICK and e.at <= as_of:
            last_pick[e.sku] = max(e.at, last_pick.get(e.sku, e.at))
    cutoff = as_of - timedelta(days=days)
    held = [s for s in _aged(stock) if s.quantity > 0]
    total = sum(s.quantity for s in held)
    dead_units: dict[str, int] = defaultdict(int)
    newest: dict[str, datetime] = {}
    for s in held:
        if s.sku in last_pick and last_pick[s.sku] >= cutoff:
            continue
        if s.arrived is not None and s.arrived >= cutoff:
            continue
        dead_units[s.sku] += s.quantity
        if s.arrived is not None:
            newest[s.sku] = max(s.arrived, newest.get(s.sku, s.arrived))
    dead = [DeadStockLine(sku, qty, last_pick.get(sku), _ratio(qty, total), newest.get(sku))
            for sku, qty in sorted(dead_units.items())]
    return DeadStockReport(days, as_of, tuple(dead), sum(d.on_hand for d in dead), total)


# Operator productivity.


@dataclass(frozen=True)
class ProductivityLine:
    user: str
    flow: Flow
    lines: int
    # Lines that had an earlier confirmation in the same work session, and the time they took.
    timed_lines: int
    seconds: float

    @property
    def hours(self) -> float:
        return self.seconds / 3600

    @property
    def lines_per_hour(self) -> float | None:
        return _ratio(self.timed_lines, self.hours)


@dataclass(frozen=True)
class _Work:
    """One line of an operator's work: a confirmation, or one count of a location."""

    at: datetime
    id: int
    user: str
    key: str
    flow: Flow


def _work(entries: Iterable[LedgerEntry], counts: Iterable[CountEntry] | None) -> list[_Work]:
    found = [_Work(e.at, e.id, e.user, e.confirmation or f"#{e.id}", e.flow) for e in entries
             if counts is None or e.flow != Flow.COUNT]
    # A count's lines are the counting work; its adjustments only follow from them.
    found += [_Work(c.at, 0, c.user, f"count {c.task_id}/{c.attempt}", Flow.COUNT)
              for c in counts or ()]
    return found


def productivity(entries: Iterable[LedgerEntry], idle_minutes: int = DEFAULT_IDLE_MINUTES,
                 counts: Iterable[CountEntry] | None = None) -> list[ProductivityLine]:
    """Lines per hour per operator and flow, timing each line from the operator's previous one.

    A line is one confirmation (a pallet move writes several movements under one key); a gap
    longer than idle_minutes starts a new session, and the first line of a session is counted
    but not timed. With counts, each count of a location (task and attempt) is a count line
    and the count adjustments in the ledger are left out, since the count was the work.
    """
    lines: dict[tuple[str, str], _Work] = {}
    for w in sorted(_work(entries, counts), key=lambda w: (w.at, w.id)):
        lines.setdefault((w.user, w.key), w)
    by_user: dict[str, list[_Work]] = defaultdict(list)
    for w in lines.values():
        by_user[w.user].append(w)
    idle = timedelta(minutes=idle_minutes)
    counted: dict[tuple[str, Flow], list[float]] = {}
    for user, done in by_user.items():
        done.sort(key=lambda w: (w.at, w.id))
        previous: datetime | None = None
        for w in done:
            bucket = counted.setdefault((user, w.flow), [0, 0, 0.0])
            bucket[0] += 1
            if previous is not None and w.at - previous <= idle:
                bucket[1] += 1
                bucket[2] += (w.at - previous).total_seconds()
            previous = w.at
    return [
        ProductivityLine(user, flow, int(c[0]), int(c[1]), c[2])
        for (user, flow), c in sorted(counted.items())
    ]


# Dock-to-stock.


@dataclass(frozen=True)
class DockReceipt:
    """One receipt onto a dock and when its last unit left the dock (None: still there)."""

    movement_id: int
    sku: str
    lpn: str | None
    quantity: int
    received_at: datetime
    stocked_at: datetime | None

    @property
    def hours(self) -> float | None:
        if self.stocked_at is None:
            return None
        return (self.stocked_at - self.received_at).total_seconds() / 3600


@dataclass(frozen=True)
class DockToStockFigure:
    sku: str
    receipts: int
    stocked: int
    median_hours: float | None
    average_hours: float | None
    max_hours: float | None


@dataclass(frozen=True)
class DockToStockReport:
    receipts: tuple[DockReceipt, ...]
    items: tuple[DockToStockFigure, ...]
    overall: DockToStockFigure


def _dock_figure(sku: str, receipts: Sequence[DockReceipt]) -> DockToStockFigure:
    hours = [h for r in receipts if (h := r.hours) is not None]
    return DockToStockFigure(
        sku, len(receipts), len(hours),
        statistics.median(hours) if hours else None,
        statistics.fmean(hours) if hours else None,
        max(hours) if hours else None,
    )


@dataclass
class _Waiting:
    """Units of one receipt still on the dock."""

    movement_id: int
    left: int


def dock_to_stock(entries: Iterable[LedgerEntry]) -> DockToStockReport:
    """Receipt onto a dock to the moment its last unit moved off it, first in first out.

    Stock is matched by item, lot, LPN and dock location; a status change on the dock is not
    a move off it.
    """
    queues: dict[tuple[str, str | None, str | None, str], list[_Waiting]] = defaultdict(list)
    done: dict[int, datetime] = {}
    receipts: list[LedgerEntry] = []
    for e in sorted(entries, key=lambda e: (e.at, e.id)):
        if (e.kind == MovementKind.RECEIVE and e.to_type == LocationType.DOCK
                and e.to_location is not None):
            receipts.append(e)
            queues[(e.sku, e.lot, e.to_lpn, e.to_location)].append(_Waiting(e.id, e.quantity))
            continue
        if e.from_location is None or e.from_type != LocationType.DOCK:
            continue
        if e.to_location == e.from_location and e.to_lpn == e.from_lpn:
            continue
        queue = queues.get((e.sku, e.lot, e.from_lpn, e.from_location), [])
        left = e.quantity
        while left > 0 and queue:
            head = queue[0]
            taken = min(left, head.left)
            head.left -= taken
            left -= taken
            if head.left == 0:
                done[head.movement_id] = e.at
                queue.pop(0)
    shown = tuple(
        DockReceipt(r.id, r.sku, r.to_lpn, r.quantity, r.at, done.get(r.id)) for r in receipts
    )
    by_sku: dict[str, list[DockReceipt]] = defaultdict(list)
    for r in shown:
        by_sku[r.sku].append(r)
    return DockToStockReport(
        shown, tuple(_dock_figure(sku, by_sku[sku]) for sku in sorted(by_sku)),
        _dock_figure("all", shown),
    )


# Low stock.


@dataclass(frozen=True)
class LowStockLine:
    sku: str
    location: str
    quantity: int
    min_qty: int

    @property
    def missing(self) -> int:
        return self.min_qty - self.quantity


def low_stock(faces: Iterable[PickFaceStock]) -> list[LowStockLine]:
    """Pick faces holding less than the item's minimum, emptiest first."""
    low = [LowStockLine(f.sku, f.location, f.quantity, f.min_qty)
           for f in faces if f.quantity < f.min_qty]
    return sorted(low, key=lambda ln: (-ln.missing, ln.sku, ln.location))


# What the SQL side provides.


@dataclass(frozen=True)
class AuditEntry:
    """A log-in, failed log-in, connect or disconnect from the audit log."""

    at: datetime
    event: str
    login: str | None
    peer: str | None
    terminal: str | None
    detail: str


@dataclass(frozen=True)
class LedgerFilter:
    since: datetime | None = None
    until: datetime | None = None
    user: str | None = None
    sku: str | None = None
    location: str | None = None
    kinds: frozenset[MovementKind] = field(default_factory=frozenset)


class ReportReads(Protocol):
    """Read-only queries behind the reports; they never write."""

    def ledger(self, where: LedgerFilter | None = None) -> list[LedgerEntry]:
        """Movements oldest first, with codes and location types."""
        ...

    def count_lines(self, since: datetime | None, until: datetime | None) -> list[CountEntry]: ...

    def on_hand(self) -> dict[str, int]:
        """Units on hand per SKU, every status and location."""
        ...

    def stock_ages(self) -> list[AgedStock]:
        """Every balance on hand with its newest arrival (see AgedStock)."""
        ...

    def pick_faces(self) -> list[PickFaceStock]:
        """Stock at pick faces of items with a minimum (an item without a face shows as 0)."""
        ...

    def audit_events(self, since: datetime | None, until: datetime | None,
                     login: str | None) -> list[AuditEntry]: ...
