"""The count variance rules on plain values: recount, tolerance by quantity and %, approval."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from wms_tui.domain.counting import (
    CountPolicy,
    CountStatus,
    CountTaskRef,
    CountTrigger,
    Decision,
    Outcome,
    evaluate,
    is_due,
    may_count,
    split_adjustment,
    task_status,
    within_tolerance,
)
from wms_tui.domain.errors import BadInput
from wms_tui.domain.model import Actor, BalanceKey, BalanceRow, Role, StockStatus

POLICY = CountPolicy(tolerance_qty=2, tolerance_pct=5.0)


class TestFirstCount:
    def test_equal_to_the_book_is_a_match(self) -> None:
        assert evaluate(10, None, 10, POLICY) == Decision(Outcome.MATCH, 0)

    @pytest.mark.parametrize(("counted", "book"), [(9, 10), (11, 10), (0, 10), (3, 0)])
    def test_any_variance_asks_for_a_recount_even_a_tiny_one(self, counted: int,
                                                             book: int) -> None:
        decision = evaluate(counted, None, book, POLICY)
        assert decision.outcome == Outcome.RECOUNT
        assert decision.variance == counted - book


class TestRecount:
    def test_recount_agreeing_with_the_book_clears_the_first_count(self) -> None:
        assert evaluate(7, 10, 10, POLICY) == Decision(Outcome.MATCH, 0, confirmed=False)

    def test_confirmed_variance_within_tolerance_adjusts(self) -> None:
        assert evaluate(38, 38, 40, POLICY) == Decision(Outcome.ADJUST, -2, confirmed=True)

    def test_variance_still_differing_from_the_book_stands_even_unconfirmed(self) -> None:
        # The recount decides: 39 against a book of 40, whatever the first count said.
        assert evaluate(37, 39, 40, POLICY) == Decision(Outcome.ADJUST, -1, confirmed=False)

    def test_beyond_tolerance_waits_for_approval(self) -> None:
        assert evaluate(4, 4, 10, POLICY) == Decision(Outcome.APPROVAL, -6, confirmed=True)

    def test_movement_during_the_recount_never_adjusts_on_its_own(self) -> None:
        assert evaluate(39, 39, 40, POLICY, disturbed=True).outcome == Outcome.APPROVAL
        # A match stays a match: nothing would be posted anyway.
        assert evaluate(39, 40, 40, POLICY, disturbed=True).outcome == Outcome.MATCH


class TestTolerance:
    """Within tolerance means within the quantity AND within the percentage of the book."""

    @pytest.mark.parametrize(("variance", "book", "within"), [
        (0, 0, True),
        (2, 40, True),      # 2 units, 5.0%: on both limits
        (-2, 40, True),
        (3, 1000, False),   # 0.3%, but 3 units
        (1, 10, False),     # 1 unit, but 10%
        (2, 39, False),     # 5.1%
        (1, 0, False),      # found stock where the book has none: never within
        (-1, 0, False),
    ])
    def test_both_limits_must_hold(self, variance: int, book: int, within: bool) -> None:
        assert within_tolerance(variance, book, POLICY) is within

    def test_zero_tolerance_sends_every_standing_variance_to_a_supervisor(self) -> None:
        strict = CountPolicy(tolerance_qty=0, tolerance_pct=0)
        assert evaluate(99, 99, 100, strict).outcome == Outcome.APPROVAL

    def test_wide_tolerance_by_percentage_alone_is_not_enough(self) -> None:
        loose_pct = CountPolicy(tolerance_qty=1, tolerance_pct=50)
        assert evaluate(7, 7, 10, loose_pct).outcome == Outcome.APPROVAL
        assert evaluate(9, 9, 10, loose_pct).outcome == Outcome.ADJUST

    def test_negative_limits_are_refused(self) -> None:
        with pytest.raises(BadInput):
            CountPolicy(tolerance_qty=-1)
        with pytest.raises(BadInput):
            CountPolicy(frequencies={"A": 0})


class TestTaskStatus:
    def test_all_matching_is_done(self) -> None:
        assert task_status([Outcome.MATCH, Outcome.MATCH]) == CountStatus.DONE
        assert task_status([]) == CountStatus.DONE

    def test_one_recount_holds_the_whole_location(self) -> None:
        assert task_status([Outcome.MATCH, Outcome.RECOUNT]) == CountStatus.RECOUNT

    def test_one_approval_holds_the_adjustments_too(self) -> None:
        outcome = task_status([Outcome.ADJUST, Outcome.APPROVAL, Outcome.MATCH])
        assert outcome == CountStatus.PENDING_APPROVAL

    def test_adjustments_only_are_done(self) -> None:
        assert task_status([Outcome.ADJUST, Outcome.MATCH]) == CountStatus.DONE


def row(id_: int, qty: int, reserved: int = 0, lpn: int | None = None,
        status: StockStatus = StockStatus.AVAILABLE, lot: int | None = None) -> BalanceRow:
    return BalanceRow(id_, BalanceKey(1, 5, lot, lpn, status), qty, reserved)


class TestSplitAdjustment:
    def test_a_gain_goes_onto_loose_available_stock(self) -> None:
        assert split_adjustment(1, 5, 7, [], 3) == [(BalanceKey(1, 5, 7), 3)]

    def test_a_loss_takes_loose_then_lpn_then_held_stock(self) -> None:
        rows = [row(1, 4, status=StockStatus.DAMAGED), row(2, 2, lpn=9), row(3, 1)]
        plan = split_adjustment(1, 5, None, rows, -6)
        assert plan == [(rows[2].key, -1), (rows[1].key, -2), (rows[0].key, -3)]

    def test_reserved_units_are_never_adjusted_away(self) -> None:
        assert split_adjustment(1, 5, None, [row(1, 10, reserved=8)], -2) == [
            (row(1, 10).key, -2)]
        assert split_adjustment(1, 5, None, [row(1, 10, reserved=9)], -2) is None

    def test_other_lots_are_left_alone(self) -> None:
        assert split_adjustment(1, 5, 2, [row(1, 10, lot=3)], -1) is None


class TestSchedule:
    def test_due_by_class_frequency(self) -> None:
        today = date(2026, 6, 30)
        assert is_due(None, "A", today, POLICY)
        assert not is_due(date(2026, 6, 1), "A", today, POLICY)
        assert is_due(date(2026, 5, 31), "A", today, POLICY)
        assert not is_due(date(2026, 4, 2), "B", today, POLICY)
        assert is_due(date(2026, 4, 1), "B", today, POLICY)

    def test_unknown_class_counts_as_least_frequent(self) -> None:
        assert CountPolicy().frequency("Z") == 365
        assert CountPolicy(frequencies={"A": 7, "B": 14}).frequency("C") == 14


class TestWhoMayCount:
    task = CountTaskRef(1, 5, "A-01", 10, CountStatus.RECOUNT, CountTrigger.ABC, 1)
    op1 = Actor(1, "OP1", Role.OPERATOR)

    def test_recount_by_another_operator(self) -> None:
        assert not may_count(self.task, self.op1, {1}, CountPolicy())
        assert may_count(self.task, self.op1, {2}, CountPolicy())

    def test_same_operator_when_the_policy_allows(self) -> None:
        assert may_count(self.task, self.op1, {1}, CountPolicy(recount_by_other_operator=False))

    def test_waiting_for_approval_is_nobody_s_to_count(self) -> None:
        pending = replace(self.task, status=CountStatus.PENDING_APPROVAL)
        assert not may_count(pending, self.op1, set(), CountPolicy())
