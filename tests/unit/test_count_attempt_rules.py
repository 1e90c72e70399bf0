"""What one count attempt decides, on plain values: which lines, their decisions, the task's
status and the adjustments it posts, and whose turn a recount is."""

from __future__ import annotations

from datetime import date, datetime

from wms_tui.domain.counting import (
    CountPolicy,
    CountStatus,
    CountTaskRef,
    CountTrigger,
    Decision,
    LineKey,
    Outcome,
    count_adjustment,
    decide,
    due_day,
    line_keys,
    needs_other_counter,
    settle,
)
from wms_tui.domain.model import BalanceKey, BalanceRow, StockStatus
from wms_tui.domain.stock import Adjust

POLICY = CountPolicy(tolerance_qty=2, tolerance_pct=5.0)
LOC = 5


def task(status: CountStatus = CountStatus.OPEN, attempt: int = 0, *, due: date | None = None,
         created_at: datetime | None = None) -> CountTaskRef:
    return CountTaskRef(7, LOC, "A-01", 10, status, CountTrigger.ABC, attempt, due=due,
                        created_at=created_at)


def row(id_: int, item: int, qty: int, reserved: int = 0, *, lot: int | None = None,
        lpn: int | None = None) -> BalanceRow:
    return BalanceRow(id_, BalanceKey(item, LOC, lot, lpn), qty, reserved)


class TestLineKeys:
    def test_counted_on_the_book_or_counted_before_in_item_then_lot_order(self) -> None:
        keys = line_keys(counted={(3, None): 1, (1, 9): 2}, book={(1, 2): 4, (2, None): 0},
                         previous={(4, None): 1})
        assert keys == [(1, 2), (1, 9), (3, None), (4, None)]

    def test_a_book_line_at_zero_is_not_asked_about(self) -> None:
        assert line_keys({}, {(2, None): 0}, {}) == []


class TestDecide:
    def test_a_first_count_compares_with_the_book_and_misses_count_as_zero(self) -> None:
        keys = [(1, None), (2, None)]
        decisions = decide(keys, {(1, None): 10}, {(1, None): 10, (2, None): 4}, None, set(),
                           POLICY)
        assert decisions == {(1, None): Decision(Outcome.MATCH, 0),
                             (2, None): Decision(Outcome.RECOUNT, -4)}

    def test_a_recount_decides_against_the_book_beside_the_first_count(self) -> None:
        keys = [(1, None)]
        decisions = decide(keys, {(1, None): 99}, {(1, None): 100}, {(1, None): 99}, set(),
                           POLICY)
        assert decisions == {(1, None): Decision(Outcome.ADJUST, -1, True)}

    def test_a_line_that_moved_during_the_recount_waits_for_a_supervisor(self) -> None:
        decisions = decide([(1, None)], {(1, None): 99}, {(1, None): 100}, {(1, None): 98},
                           {(1, None)}, POLICY)
        assert decisions[(1, None)] == Decision(Outcome.APPROVAL, -1, False)


class TestSettle:
    def test_a_recount_or_an_approval_anywhere_posts_nothing(self) -> None:
        decisions: dict[LineKey, Decision] = {
            (1, None): Decision(Outcome.ADJUST, -1, True),
            (2, None): Decision(Outcome.APPROVAL, 9, True)}
        assert settle(decisions, LOC, [row(1, 1, 10)]) == (CountStatus.PENDING_APPROVAL, [])

    def test_a_done_task_posts_its_within_tolerance_variances(self) -> None:
        decisions: dict[LineKey, Decision] = {
            (1, None): Decision(Outcome.ADJUST, -1, True),
            (2, None): Decision(Outcome.ADJUST, 2, True),
            (3, None): Decision(Outcome.MATCH, 0, False)}
        status, plans = settle(decisions, LOC, [row(1, 1, 40)])
        assert status == CountStatus.DONE
        assert plans == [(BalanceKey(1, LOC), -1), (BalanceKey(2, LOC), 2)]

    def test_a_loss_only_reserved_units_could_cover_goes_to_a_supervisor(self) -> None:
        decisions: dict[LineKey, Decision] = {(1, None): Decision(Outcome.ADJUST, -2, True)}
        assert settle(decisions, LOC, [row(1, 1, 40, reserved=39)]) == (
            CountStatus.PENDING_APPROVAL, [])


def test_a_count_adjustment_names_the_task_and_the_balance() -> None:
    key = BalanceKey(1, LOC, 3, 4, StockStatus.QC_HOLD)
    assert count_adjustment(task(), key, -2, approved_by=9) == Adjust(
        1, -2, LOC, "COUNT", "COUNT-7", lot_id=3, lpn_id=4, status=StockStatus.QC_HOLD,
        approved_by=9)


def test_only_a_recount_under_the_strict_policy_needs_another_counter() -> None:
    assert needs_other_counter(task(CountStatus.RECOUNT, 1), POLICY)
    assert not needs_other_counter(task(CountStatus.OPEN), POLICY)
    lenient = CountPolicy(recount_by_other_operator=False)
    assert not needs_other_counter(task(CountStatus.RECOUNT, 1), lenient)


def test_a_task_is_due_on_its_due_date_else_from_the_day_it_was_made() -> None:
    assert due_day(task(due=date(2026, 3, 1))) == date(2026, 3, 1)
    assert due_day(task(created_at=datetime(2026, 2, 1, 8, 30))) == date(2026, 2, 1)
    assert due_day(task()) == date.min
