"""The count rules as pure functions on plain values: due-ness, variance and tolerance, what a
location's lines make of its task, and which balances a variance is posted to."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date

from wms_tui.domain import stock
from wms_tui.domain.counting.model import (
    COUNT_REASON,
    COUNTABLE_STATUSES,
    CountPolicy,
    CountStatus,
    CountTaskRef,
    Decision,
    LineKey,
    Outcome,
)
from wms_tui.domain.model import Actor, BalanceKey, BalanceRow, StockStatus

_STATUS_ORDER = {StockStatus.AVAILABLE: 0, StockStatus.QC_HOLD: 1, StockStatus.BLOCKED: 2,
                 StockStatus.DAMAGED: 3}


def is_due(last_counted: date | None, abc_class: str, today: date, policy: CountPolicy) -> bool:
    return last_counted is None or (today - last_counted).days >= policy.frequency(abc_class)


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


def book_of(rows: Iterable[BalanceRow]) -> dict[LineKey, int]:
    """Book quantity per item/lot: every status, loose or on an LPN, as a counter sees it."""
    book: dict[LineKey, int] = {}
    for row in rows:
        k = (row.key.item_id, row.key.lot_id)
        book[k] = book.get(k, 0) + row.quantity
    return book


def line_keys(counted: Mapping[LineKey, int], book: Mapping[LineKey, int],
              previous: Mapping[LineKey, int]) -> list[LineKey]:
    """Every item/lot an attempt decides, by item then lot: keyed now, on the book, or keyed
    in the attempt before (so stock found and then not found again is still decided)."""
    keys = set(counted) | {k for k, qty in book.items() if qty > 0} | set(previous)
    return sorted(keys, key=lambda k: (k[0], k[1] or 0))


def decide(
    keys: Sequence[LineKey], counted: Mapping[LineKey, int], book: Mapping[LineKey, int],
    previous: Mapping[LineKey, int] | None, disturbed: Collection[LineKey], policy: CountPolicy,
) -> dict[LineKey, Decision]:
    """Each line's decision; previous None means this is the first count, else the counts of
    the attempt being recounted. Uncounted lines count as 0."""
    if previous is None:
        return {k: evaluate(counted.get(k, 0), None, book.get(k, 0), policy) for k in keys}
    return {k: evaluate(previous.get(k, 0), counted.get(k, 0), book.get(k, 0), policy,
                        disturbed=k in disturbed)
            for k in keys}


def settle(
    decisions: Mapping[LineKey, Decision], location_id: int, rows: Sequence[BalanceRow],
) -> tuple[CountStatus, list[tuple[BalanceKey, int]]]:
    """The task's new status and the adjustments it posts now.

    Only a done task posts (its within-tolerance variances); when reserved units block one of
    them the whole location waits for a supervisor, who sorts out the picks first.
    """
    status = task_status(d.outcome for d in decisions.values())
    if status != CountStatus.DONE:
        return status, []
    plans: list[tuple[BalanceKey, int]] = []
    for (item_id, lot_id), decision in decisions.items():
        if decision.outcome != Outcome.ADJUST:
            continue
        plan = split_adjustment(item_id, location_id, lot_id, rows, decision.variance)
        if plan is None:
            return CountStatus.PENDING_APPROVAL, []
        plans.extend(plan)
    return status, plans


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


def count_adjustment(task: CountTaskRef, key: BalanceKey, delta: int,
                     approved_by: int | None = None) -> stock.Adjust:
    """The stock adjustment posting one balance's share of a task's variance."""
    return stock.Adjust(key.item_id, delta, key.location_id, COUNT_REASON, f"COUNT-{task.id}",
                        lot_id=key.lot_id, lpn_id=key.lpn_id, status=key.status,
                        approved_by=approved_by)


def may_count(task: CountTaskRef, actor: Actor, last_counters: Collection[int],
              policy: CountPolicy) -> bool:
    if task.status not in COUNTABLE_STATUSES:
        return False
    return not (task.status == CountStatus.RECOUNT and policy.recount_by_other_operator
                and actor.user_id in last_counters)


def needs_other_counter(task: CountTaskRef, policy: CountPolicy) -> bool:
    """A recount the policy gives to someone other than the last attempt's counters."""
    return task.status == CountStatus.RECOUNT and policy.recount_by_other_operator


def due_day(task: CountTaskRef) -> date:
    """A task without a due date is due from the day it was made."""
    if task.due is not None:
        return task.due
    return task.created_at.date() if task.created_at is not None else date.min
