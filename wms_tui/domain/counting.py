"""Cycle counting: which locations are due, blind counts with a recount, and the variance rules.

The rules (docs/counting.md explains them for supervisors):

- Scheduling by ABC class: an item at a location is due when its last completed count there is
  older than its class's frequency (A 30 days, B 90, C 365 by default, `CountPolicy`), or when it
  was never counted. A location with anything due gets one whole-location task. A location never
  has more than one open task (open, recount or pending approval), whatever triggered it.
- A count is blind: the book quantity is stored beside each count, never shown to the counter.
  Book stock of a location that was not counted counts as 0 once the location is done; stock
  found that the book does not have counts too.
- First count: equal to the book everywhere, the task is done; any variance asks for a recount
  (by another operator when the policy says so) and posts nothing.
- The recount decides, line by line: where it equals the book the first count was wrong and
  nothing is posted; where it still differs, the variance (recount - book) stands. A variance
  is within tolerance when it is at most `tolerance_qty` units AND at most `tolerance_pct` of the
  book: both, so neither many units on a big balance nor a few units on a tiny one pass
  unseen; stock found where the book has none is never within tolerance. When every standing
  variance is within tolerance they are posted at once (reason COUNT) in the count's own
  transaction; when any is beyond it, the whole location waits for a supervisor.
- Stock moving during a count (snapshot plus movements since): each count line stores the book
  quantity and the last ledger id when it was keyed. An approval posts the variance measured
  then (counted - expected) onto today's balance, never "set the balance to the count", and
  the supervisor sees the movements since. An item that moved while its location was being
  recounted never adjusts automatically. An adjustment that would take a balance below zero is
  refused and the location is recounted.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import Any, Protocol, cast

from wms_tui.domain import stock
from wms_tui.domain.count_tasks import CountTrigger, open_count_task
from wms_tui.domain.errors import (
    N_,
    BadInput,
    InsufficientStock,
    InvalidQuantity,
    NotFound,
    PermissionDenied,
    WmsError,
)
from wms_tui.domain.model import (
    Actor,
    BalanceKey,
    BalanceRow,
    MovementRecord,
    Role,
    StockStatus,
)
from wms_tui.domain.permissions import Action, require
from wms_tui.domain.ports import UnitOfWork

COUNT_REASON = "COUNT"
LEFT_SINCE = N_("{sku} left the location since the count: recount")
# Approving is a right apart from counting: whoever keyed any attempt of a task never decides it.
OWN_COUNT = N_("You counted task {id}: another supervisor must approve or reject it")
# Requesting counts is supervisor work; APPROVE is the supervisor-level action it rides on.
REQUEST_COUNT = Action.APPROVE
DEFAULT_FREQUENCIES: Mapping[str, int] = {"A": 30, "B": 90, "C": 365}
MAX_COUNT_QUANTITY = 10_000_000


class CountStatus(enum.StrEnum):
    OPEN = "open"
    RECOUNT = "recount"
    PENDING_APPROVAL = "pending_approval"
    DONE = "done"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


# A task in one of these holds its location: no second task is created there.
OPEN_STATUSES = frozenset({CountStatus.OPEN, CountStatus.RECOUNT, CountStatus.PENDING_APPROVAL})
# What an operator can count now.
COUNTABLE_STATUSES = frozenset({CountStatus.OPEN, CountStatus.RECOUNT})


class CountTaskChanged(WmsError):
    """Someone else counted (or a supervisor closed) the task while this count was keyed."""


# The variance rules: pure functions on plain values.


@dataclass(frozen=True)
class CountPolicy:
    """How strict counting is; the defaults are the shipped policy."""

    recount_by_other_operator: bool = True
    tolerance_qty: int = 2
    tolerance_pct: float = 5.0
    frequencies: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_FREQUENCIES))

    def __post_init__(self) -> None:
        if self.tolerance_qty < 0 or self.tolerance_pct < 0:
            raise BadInput("count tolerances cannot be negative")
        if any(days <= 0 for days in self.frequencies.values()):
            raise BadInput("count frequencies must be at least 1 day")

    def frequency(self, abc_class: str) -> int:
        """Days between counts for a class; an unknown class counts as the least frequent."""
        return self.frequencies.get(abc_class.upper(), max(self.frequencies.values(), default=365))


class Outcome(enum.StrEnum):
    MATCH = "match"
    RECOUNT = "recount"
    ADJUST = "adjust"
    APPROVAL = "approval"


@dataclass(frozen=True)
class Decision:
    """What one counted line means; variance is the count that decides minus the book."""

    outcome: Outcome
    variance: int
    # The recount agreed with the first count (None on a first count).
    confirmed: bool | None = None


def within_tolerance(variance: int, book: int, policy: CountPolicy) -> bool:
    """At most tolerance_qty units AND at most tolerance_pct of the book; book 0 never is."""
    if variance == 0:
        return True
    if abs(variance) > policy.tolerance_qty or book <= 0:
        return False
    return abs(variance) * 100 <= policy.tolerance_pct * book


def evaluate(
    first_count: int,
    recount: int | None,
    book: int,
    policy: CountPolicy,
    *,
    disturbed: bool = False,
) -> Decision:
    """The rule for one item/lot: recount None means this is the first count.

    disturbed: the item moved in or out of the location while it was being recounted, so the
    recount cannot be trusted to post on its own.
    """
    if recount is None:
        variance = first_count - book
        return Decision(Outcome.MATCH if variance == 0 else Outcome.RECOUNT, variance)
    variance = recount - book
    confirmed = recount == first_count
    if variance == 0:
        return Decision(Outcome.MATCH, 0, confirmed)
    if not disturbed and within_tolerance(variance, book, policy):
        return Decision(Outcome.ADJUST, variance, confirmed)
    return Decision(Outcome.APPROVAL, variance, confirmed)


def task_status(outcomes: Iterable[Outcome]) -> CountStatus:
    """A location moves as a whole: any recount or any approval holds every line."""
    seen = set(outcomes)
    if Outcome.RECOUNT in seen:
        return CountStatus.RECOUNT
    if Outcome.APPROVAL in seen:
        return CountStatus.PENDING_APPROVAL
    return CountStatus.DONE


_STATUS_ORDER = {StockStatus.AVAILABLE: 0, StockStatus.QC_HOLD: 1, StockStatus.BLOCKED: 2,
                 StockStatus.DAMAGED: 3}


def split_adjustment(
    item_id: int, location_id: int, lot_id: int | None, rows: Sequence[BalanceRow], delta: int
) -> list[tuple[BalanceKey, int]] | None:
    """Which balances an item/lot's variance is posted to; None if reservations block it.

    A gain goes onto loose available stock. A loss comes out of unreserved stock: loose
    available first, then available on LPNs, then held statuses, so reserved units (promised to
    picks) are never adjusted away behind a picker's back.
    """
    if delta == 0:
        return []
    if delta > 0:
        return [(BalanceKey(item_id, location_id, lot_id), delta)]
    mine = [r for r in rows if (r.key.item_id, r.key.location_id, r.key.lot_id)
            == (item_id, location_id, lot_id) and r.available > 0]
    mine.sort(key=lambda r: (_STATUS_ORDER[r.key.status], r.key.lpn_id is not None, r.id))
    need = -delta
    plan: list[tuple[BalanceKey, int]] = []
    for row in mine:
        take = min(row.available, need)
        plan.append((row.key, -take))
        need -= take
        if need == 0:
            return plan
    return None


def is_due(last_counted: date | None, abc_class: str, today: date, policy: CountPolicy) -> bool:
    return last_counted is None or (today - last_counted).days >= policy.frequency(abc_class)


# Values the repository and services pass around.


@dataclass(frozen=True)
class CountTaskRef:
    """A count task as operators and supervisors see it; it never carries a book quantity."""

    id: int
    location_id: int
    location: str
    walk_seq: int
    status: CountStatus
    trigger: CountTrigger
    attempt: int
    item_id: int | None = None
    sku: str | None = None
    requested_by: int | None = None
    approved_by: int | None = None
    due: date | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class CountLineRecord:
    """One item/lot of one attempt: the count beside the book and ledger position then."""

    task_id: int
    attempt: int
    item_id: int
    lot_id: int | None
    counted: int
    expected: int
    ledger_position: int
    counted_by: int
    counted_at: datetime | None = None
    id: int | None = None

    @property
    def variance(self) -> int:
        return self.counted - self.expected


@dataclass(frozen=True)
class CountCandidate:
    """An item on hand at a countable location, with when it was last counted there."""

    location_id: int
    location: str
    walk_seq: int
    item_id: int
    abc_class: str
    last_counted: date | None = None


@dataclass(frozen=True)
class CountResult:
    """What a submitted count did, without numbers: the counter stays blind."""

    confirmation: str
    task_id: int
    status: CountStatus
    attempt: int
    movement_ids: list[int] = field(default_factory=list)
    # The same operator may do the recount now.
    may_recount: bool = False
    replayed: bool = False


@dataclass(frozen=True)
class ApprovalResult:
    """What a supervisor's decision did; status recount when stock left since the count."""

    confirmation: str
    task_id: int
    status: CountStatus
    movement_ids: list[int] = field(default_factory=list)
    new_task_id: int | None = None
    # Why a recount was needed instead (English; LEFT_SINCE with sku for the screens).
    reason: str = ""
    sku: str | None = None
    replayed: bool = False


@dataclass
class ScheduleReport:
    """Tasks made, and why others were not."""

    created: list[CountTaskRef] = field(default_factory=list)
    due_items: int = 0
    already_open: list[str] = field(default_factory=list)


class CountingRepository(Protocol):
    """Count tasks and lines, and the ledger reads counting needs; it never commits."""

    def task(self, task_id: int) -> CountTaskRef:
        """Raises NotFound."""
        ...

    def tasks(
        self, *, statuses: Collection[CountStatus] | None = None, location_id: int | None = None
    ) -> list[CountTaskRef]:
        """By due date (none last), walk sequence, id."""
        ...

    def open_task_id(self, location_id: int) -> int | None: ...

    def add_open_task(
        self, location_id: int, *, item_id: int | None, trigger: CountTrigger,
        requested_by: int | None, due: date | None,
    ) -> int | None: ...

    def advance(
        self, task_id: int, *, from_attempt: int, from_statuses: Collection[CountStatus],
        status: CountStatus, attempt: int, approved_by: int | None = None,
    ) -> bool:
        """Move a task on only if it is still at that attempt and status; False otherwise."""
        ...

    def add_line(self, line: CountLineRecord) -> None: ...

    def lines(self, task_id: int, attempt: int | None = None) -> list[CountLineRecord]: ...

    def ledger_position(self) -> int:
        """The id of the newest movement (0 for an empty ledger)."""
        ...

    def movements_after(self, location_id: int, after_id: int) -> list[MovementRecord]:
        """Movements in or out of the location with an id above after_id, oldest first."""
        ...

    def candidates(self) -> list[CountCandidate]:
        """Every item on hand at an active reserve or pick location, with its last count."""
        ...

    def location_ids(self, *, zone: str | None = None, item_id: int | None = None) -> list[int]:
        """Active reserve and pick locations of a zone, or locations holding an item; walk order."""
        ...


class CountingUnitOfWork(UnitOfWork, Protocol):
    counting: CountingRepository


CountingUowFactory = Callable[[], CountingUnitOfWork]
LineKey = tuple[int, int | None]


# Creating tasks.


def create_count_task(
    uow: CountingUnitOfWork, location_id: int, trigger: CountTrigger, *,
    requested_by: int | None = None, item_id: int | None = None, due: date | None = None,
) -> int | None:
    """Add a task inside the caller's transaction; None if the location already has one open."""
    task_id, created = open_count_task(uow.counting, location_id, trigger,
                                       requested_by=requested_by, item_id=item_id, due=due)
    return task_id if created else None


def schedule_counts(
    uow_factory: CountingUowFactory, actor: Actor | None, today: date,
    policy: CountPolicy | None = None,
) -> ScheduleReport:
    """Create the ABC count tasks due today (see the module docstring); one transaction."""
    policy = policy or CountPolicy()

    def work() -> ScheduleReport:
        report = ScheduleReport()
        with uow_factory() as uow:
            due: dict[int, CountCandidate] = {}
            for c in uow.counting.candidates():
                if is_due(c.last_counted, c.abc_class, today, policy):
                    report.due_items += 1
                    due.setdefault(c.location_id, c)
            for c in sorted(due.values(), key=lambda c: (c.walk_seq, c.location)):
                task_id = create_count_task(
                    uow, c.location_id, CountTrigger.ABC,
                    requested_by=actor.user_id if actor else None, due=today)
                if task_id is None:
                    report.already_open.append(c.location)
                else:
                    report.created.append(uow.counting.task(task_id))
            uow.commit()
        return report

    return stock.with_retry(work)


def request_count(
    uow_factory: CountingUowFactory, actor: Actor, *, location: str | None = None,
    item: str | None = None, zone: str | None = None, due: date | None = None,
) -> ScheduleReport:
    """A supervisor's count: one location, every location holding an item, or a whole zone.

    An item request counts only that item at each of its locations.
    """
    require(actor, REQUEST_COUNT)
    if sum(x is not None for x in (location, item, zone)) != 1:
        raise BadInput("name exactly one of a location, an item or a zone")

    def work() -> ScheduleReport:
        report = ScheduleReport()
        with uow_factory() as uow:
            item_id = None
            if location is not None:
                found = uow.catalog.location_by_code(location.strip())
                if found is None:
                    raise NotFound(N_("no location {code}"), code=location)
                location_ids = [found.id]
            elif item is not None:
                ref = uow.catalog.item_by_code(item.strip())
                if ref is None:
                    raise NotFound(N_("no item {code}"), code=item)
                item_id = ref.id
                location_ids = uow.counting.location_ids(item_id=ref.id)
            else:
                code = (zone or "").strip().upper()
                if code not in uow.masterdata.zone_codes():
                    raise NotFound(N_("no zone {code}"), code=code)
                location_ids = uow.counting.location_ids(zone=code)
            for location_id in location_ids:
                task_id = create_count_task(
                    uow, location_id, CountTrigger.SUPERVISOR, requested_by=actor.user_id,
                    item_id=item_id, due=due)
                if task_id is None:
                    report.already_open.append(uow.catalog.location(location_id).code)
                else:
                    report.created.append(uow.counting.task(task_id))
            uow.commit()
        return report

    return stock.with_retry(work)


# Which task an operator counts next.


def counters(uow: CountingUnitOfWork, task: CountTaskRef) -> set[int]:
    """Who keyed the task's last attempt."""
    if task.attempt == 0:
        return set()
    return {line.counted_by for line in uow.counting.lines(task.id, task.attempt)}


def may_count(task: CountTaskRef, actor: Actor, last_counters: Collection[int],
              policy: CountPolicy) -> bool:
    if task.status not in COUNTABLE_STATUSES:
        return False
    return not (task.status == CountStatus.RECOUNT and policy.recount_by_other_operator
                and actor.user_id in last_counters)


def tasks_for(uow: CountingUnitOfWork, actor: Actor, policy: CountPolicy,
              location_id: int | None = None) -> list[CountTaskRef]:
    """Tasks this operator may count now: the oldest due first, then in walk order."""
    tasks = uow.counting.tasks(statuses=COUNTABLE_STATUSES, location_id=location_id)
    mine = [t for t in tasks
            if may_count(t, actor, counters(uow, t) if _needs_other(t, policy) else (), policy)]
    return sorted(mine, key=lambda t: (_due_day(t), t.walk_seq, t.location, t.id))


def _needs_other(task: CountTaskRef, policy: CountPolicy) -> bool:
    return task.status == CountStatus.RECOUNT and policy.recount_by_other_operator


def _due_day(task: CountTaskRef) -> date:
    """A task without a due date is due from the day it was made."""
    if task.due is not None:
        return task.due
    return task.created_at.date() if task.created_at is not None else date.min


# Submitting a count.


def submit_count(
    uow_factory: CountingUowFactory,
    actor: Actor,
    task_id: int,
    lines: Sequence[tuple[int, int | None, int]],
    key: str,
    *,
    attempt: int | None = None,
    started_at: int | None = None,
    policy: CountPolicy | None = None,
) -> CountResult:
    """Record one attempt of a count and act on it, exactly once per key.

    lines: (item_id, lot_id, quantity in base units) as keyed; the same item/lot twice is added
    up (two stacks). attempt: the task attempt the count started on, so a count racing another
    operator's is refused. started_at: the ledger position when the location was scanned, so
    movements during the count are seen.
    """
    require(actor, Action.COUNT)
    if len(key) > 80:
        raise BadInput("confirmation key is longer than 80 characters")
    for _item_id, _lot_id, qty in lines:
        if not isinstance(qty, int) or isinstance(qty, bool) or not 0 <= qty <= MAX_COUNT_QUANTITY:
            raise InvalidQuantity(N_("a count must be a whole number from 0, not {qty}"), qty=qty)
    chosen = policy or CountPolicy()
    return stock.with_retry(lambda: _submit_once(
        uow_factory(), actor, task_id, lines, key, attempt, started_at, chosen))


def _sort_key(key: LineKey) -> tuple[int, int]:
    return key[0], key[1] or 0


def book_of(rows: Iterable[BalanceRow]) -> dict[LineKey, int]:
    """Book quantity per item/lot: every status, loose or on an LPN, as a counter sees it."""
    book: dict[LineKey, int] = {}
    for row in rows:
        k = (row.key.item_id, row.key.lot_id)
        book[k] = book.get(k, 0) + row.quantity
    return book


def _submit_once(
    uow: CountingUnitOfWork, actor: Actor, task_id: int,
    lines: Sequence[tuple[int, int | None, int]], key: str, attempt: int | None,
    started_at: int | None, policy: CountPolicy,
) -> CountResult:
    with uow:
        stored = uow.idempotency.get(key)
        if stored is not None:
            return _count_replayed(stored)
        task = uow.counting.task(task_id)
        if task.status not in COUNTABLE_STATUSES or (attempt is not None
                                                     and attempt != task.attempt):
            raise CountTaskChanged(N_("Task {id} was counted already"), id=task.id)
        if not may_count(task, actor, counters(uow, task), policy):
            raise PermissionDenied(N_("Recount needs another operator"))
        counted = _counted_lines(uow, task, lines)
        rows = [r for r in uow.stock.balances(location_id=task.location_id)
                if task.item_id is None or r.key.item_id == task.item_id]
        book = book_of(rows)
        position = uow.counting.ledger_position()
        previous = {(ln.item_id, ln.lot_id): ln.counted
                    for ln in uow.counting.lines(task.id, task.attempt)} if task.attempt else {}
        disturbed: set[LineKey] = set()
        if started_at is not None:
            disturbed = {(m.item_id, m.lot_id)
                         for m in uow.counting.movements_after(task.location_id, started_at)}
        keys = set(counted) | {k for k, qty in book.items() if qty > 0} | set(previous)
        decisions: dict[LineKey, Decision] = {}
        for k in sorted(keys, key=_sort_key):
            if task.attempt == 0:
                decisions[k] = evaluate(counted.get(k, 0), None, book.get(k, 0), policy)
            else:
                decisions[k] = evaluate(previous.get(k, 0), counted.get(k, 0), book.get(k, 0),
                                        policy, disturbed=k in disturbed)
        status = task_status(d.outcome for d in decisions.values())
        plans: list[tuple[BalanceKey, int]] = []
        if status == CountStatus.DONE:
            for (item_id, lot_id), decision in decisions.items():
                if decision.outcome != Outcome.ADJUST:
                    continue
                plan = split_adjustment(item_id, task.location_id, lot_id, rows,
                                        decision.variance)
                if plan is None:
                    # Reserved units cannot be adjusted away here: a supervisor sorts the picks.
                    status, plans = CountStatus.PENDING_APPROVAL, []
                    break
                plans.extend(plan)
        new_attempt = task.attempt + 1
        if not uow.counting.advance(task.id, from_attempt=task.attempt,
                                    from_statuses=COUNTABLE_STATUSES, status=status,
                                    attempt=new_attempt):
            raise CountTaskChanged(N_("Task {id} was counted already"), id=task.id)
        for item_id, lot_id in sorted(keys, key=_sort_key):
            uow.counting.add_line(CountLineRecord(
                task.id, new_attempt, item_id, lot_id, counted.get((item_id, lot_id), 0),
                book.get((item_id, lot_id), 0), position, actor.user_id))
        movement_ids: list[int] = []
        # The count policy, not the counter's role, authorises a within-tolerance adjustment.
        policy_actor = replace(actor, role=Role.SUPERVISOR)
        for balance_key, delta in plans:
            movement_ids += stock.apply_in(uow, policy_actor, _adjust(task, balance_key, delta),
                                           key)
        result = CountResult(
            confirmation=key, task_id=task.id, status=status, attempt=new_attempt,
            movement_ids=movement_ids,
            may_recount=status == CountStatus.RECOUNT and not policy.recount_by_other_operator,
        )
        uow.idempotency.put(key, actor.user_id, "count", _dump(result, f"count {task.id}"))
        uow.commit()
        return result


def _counted_lines(uow: CountingUnitOfWork, task: CountTaskRef,
                   lines: Sequence[tuple[int, int | None, int]]) -> dict[LineKey, int]:
    """Keyed lines per item/lot, added up; a lot-tracked item needs its lot, others have none."""
    counted: dict[LineKey, int] = {}
    for item_id, lot_id, qty in lines:
        if task.item_id is not None and item_id != task.item_id:
            raise BadInput(N_("Count {sku} only"), sku=task.sku)
        item = uow.catalog.item(item_id)
        if item.lot_tracked and lot_id is None:
            raise BadInput(N_("{sku} needs a lot"), sku=item.sku)
        k = (item_id, lot_id if item.lot_tracked else None)
        counted[k] = counted.get(k, 0) + qty
    return counted


def _adjust(task: CountTaskRef, key: BalanceKey, delta: int,
            approved_by: int | None = None) -> stock.Adjust:
    return stock.Adjust(key.item_id, delta, key.location_id, COUNT_REASON, f"COUNT-{task.id}",
                        lot_id=key.lot_id, lpn_id=key.lpn_id, status=key.status,
                        approved_by=approved_by)


def _dump(result: CountResult | ApprovalResult, message: str) -> str:
    data = asdict(replace(result, replayed=False))
    # "message" keeps the record readable by RfServices.posted(), as stock.post's are.
    data["message"] = message
    return json.dumps(data, default=str)


def _count_replayed(stored: str) -> CountResult:
    data = json.loads(stored)
    if "attempt" not in data:
        raise BadInput("that confirmation key was used for something else")
    return CountResult(data["confirmation"], data["task_id"], CountStatus(data["status"]),
                       data["attempt"], list(data["movement_ids"]), data["may_recount"], True)


def _approval_replayed(stored: str) -> ApprovalResult:
    data = json.loads(stored)
    if "new_task_id" not in data:
        raise BadInput("that confirmation key was used for something else")
    return ApprovalResult(data["confirmation"], data["task_id"], CountStatus(data["status"]),
                          list(data["movement_ids"]), data["new_task_id"], data["reason"],
                          data["sku"], True)


# The supervisor's decision.


def approve_count(
    uow_factory: CountingUowFactory, supervisor: Actor, task_id: int, approve: bool, key: str,
) -> ApprovalResult:
    """Post a waiting location's variances (approved_by on every row) or reject them; never
    by a user who counted the task (OWN_COUNT).

    Each variance is the one measured at count time (counted - expected), applied to the
    balance as it is now. If stock left since and the adjustment would take the balance below
    zero, nothing is posted and the location goes back for a recount. A rejection closes the
    task and opens a fresh count of the same location.
    """
    require(supervisor, Action.APPROVE)
    if len(key) > 80:
        raise BadInput("confirmation key is longer than 80 characters")
    return stock.with_retry(
        lambda: _approve_once(uow_factory(), supervisor, task_id, approve, key))


def _approve_once(
    uow: CountingUnitOfWork, supervisor: Actor, task_id: int, approve: bool, key: str
) -> ApprovalResult:
    with uow:
        stored = uow.idempotency.get(key)
        if stored is not None:
            return _approval_replayed(stored)
        task = uow.counting.task(task_id)
        if task.status != CountStatus.PENDING_APPROVAL:
            raise CountTaskChanged(N_("Task {id} is not waiting for approval"), id=task.id)
        if any(ln.counted_by == supervisor.user_id for ln in uow.counting.lines(task.id)):
            raise PermissionDenied(OWN_COUNT, id=task.id)
        if approve:
            result = _post_approved(uow, supervisor, task, key)
        else:
            result = _reject(uow, supervisor, task, key)
        uow.idempotency.put(key, supervisor.user_id, "count_approval",
                            _dump(result, f"count approval {task.id}"))
        uow.commit()
        return result


def _move_task(uow: CountingUnitOfWork, task: CountTaskRef, status: CountStatus,
               approved_by: int | None = None) -> None:
    if not uow.counting.advance(task.id, from_attempt=task.attempt,
                                from_statuses={CountStatus.PENDING_APPROVAL}, status=status,
                                attempt=task.attempt, approved_by=approved_by):
        raise CountTaskChanged(N_("Task {id} is not waiting for approval"), id=task.id)


def _reject(uow: CountingUnitOfWork, supervisor: Actor, task: CountTaskRef,
            key: str) -> ApprovalResult:
    _move_task(uow, task, CountStatus.REJECTED, supervisor.user_id)
    new_id, _created = open_count_task(uow.counting, task.location_id, CountTrigger.SUPERVISOR,
                                       item_id=task.item_id, requested_by=supervisor.user_id)
    return ApprovalResult(key, task.id, CountStatus.REJECTED, new_task_id=new_id)


def _post_approved(uow: CountingUnitOfWork, supervisor: Actor, task: CountTaskRef,
                   key: str) -> ApprovalResult:
    rows = uow.stock.balances(location_id=task.location_id)
    now = book_of(rows)
    plans: list[tuple[BalanceKey, int]] = []
    for line in uow.counting.lines(task.id, task.attempt):
        delta = line.variance
        if delta == 0:
            continue
        if now.get((line.item_id, line.lot_id), 0) + delta < 0:
            _move_task(uow, task, CountStatus.RECOUNT)
            sku = uow.catalog.item(line.item_id).sku
            return ApprovalResult(key, task.id, CountStatus.RECOUNT,
                                  reason=LEFT_SINCE.format(sku=sku), sku=sku)
        plan = split_adjustment(line.item_id, task.location_id, line.lot_id, rows, delta)
        if plan is None:
            sku = uow.catalog.item(line.item_id).sku
            location = uow.catalog.location(task.location_id).code
            raise InsufficientStock(
                N_("{sku} at {loc} is reserved for picking: settle those picks first"),
                sku=sku, loc=location)
        plans.extend(plan)
    _move_task(uow, task, CountStatus.DONE, supervisor.user_id)
    movement_ids: list[int] = []
    for balance_key, delta in plans:
        movement_ids += stock.apply_in(
            uow, supervisor, _adjust(task, balance_key, delta, supervisor.user_id), key)
    return ApprovalResult(key, task.id, CountStatus.DONE, movement_ids)


# Reads for the CLI and the RF services.


def list_tasks(uow_factory: CountingUowFactory,
               statuses: Collection[CountStatus] | None = None) -> list[CountTaskRef]:
    with uow_factory() as uow:
        return uow.counting.tasks(statuses=statuses)


class CountingServicesMixin:
    """The count flow's services (flows.count.CountServices) over WarehouseServices."""

    uow_factory: Callable[[], UnitOfWork]
    read_factory: Callable[[], UnitOfWork]
    count_policy: CountPolicy = CountPolicy()

    def _counting(self, factory: Callable[[], UnitOfWork]) -> CountingUnitOfWork:
        # The SQL unit of work carries .counting; ports.UnitOfWork does not name it.
        return cast(CountingUnitOfWork, factory())

    def count_tasks(self, actor: Actor, location_id: int | None = None) -> list[CountTaskRef]:
        with self._counting(self.read_factory) as uow:
            return tasks_for(uow, actor, self.count_policy, location_id)

    def ledger_position(self) -> int:
        with self._counting(self.read_factory) as uow:
            return uow.counting.ledger_position()

    def submit_count(
        self, actor: Actor, task_id: int, lines: Sequence[tuple[int, int | None, int]], key: str,
        *, attempt: int | None = None, started_at: int | None = None,
    ) -> CountResult:
        return submit_count(lambda: self._counting(self.uow_factory), actor, task_id, lines, key,
                            attempt=attempt, started_at=started_at, policy=self.count_policy)


def task_json(task: CountTaskRef) -> dict[str, Any]:
    """A task as JSON-safe values, for `wms count list --json` and saved flow state."""
    data = asdict(task)
    data["status"] = task.status.value
    data["trigger"] = task.trigger.value
    data["due"] = task.due.isoformat() if task.due else None
    data["created_at"] = task.created_at.isoformat() if task.created_at else None
    return data
