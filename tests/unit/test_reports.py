"""Reports over a hand-computed ledger: every figure below was worked out on paper first."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from wms_tui.domain.model import LocationType, MovementKind
from wms_tui.domain.reports import (
    CountEntry,
    LedgerEntry,
    Period,
    PickFaceStock,
    daily_closing,
    dead_stock,
    dock_to_stock,
    low_stock,
    period_of,
    productivity,
    record_accuracy,
    turnover,
)
from wms_tui.domain.work_flows import Flow

DOCK, RESERVE, STAGE = LocationType.DOCK, LocationType.RESERVE, LocationType.STAGING
RECEIVE, MOVE, PICK = MovementKind.RECEIVE, MovementKind.MOVE, MovementKind.PICK
ADJUST, STATUS = MovementKind.ADJUST, MovementKind.STATUS


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def entry(id: int, when: datetime, kind: MovementKind, sku: str, qty: int, user: str,
          conf: str, frm: tuple[str, LocationType] | None = None,
          to: tuple[str, LocationType] | None = None, **extra: object) -> LedgerEntry:
    return LedgerEntry(
        id=id, at=when, kind=kind, sku=sku, quantity=qty, user=user, confirmation=conf,
        from_location=frm[0] if frm else None, from_type=frm[1] if frm else None,
        to_location=to[0] if to else None, to_type=to[1] if to else None, **extra,  # type: ignore[arg-type]
    )


D1, A1, A2, ST = ("DOCK-1", DOCK), ("A1", RESERVE), ("A2", RESERVE), ("STAGE", STAGE)

LEDGER = [
    entry(1, at(2, 8), RECEIVE, "WIDGET", 100, "ANN", "c1", to=D1),
    entry(2, at(2, 8, 10), RECEIVE, "GADGET", 50, "ANN", "c2", to=D1, to_lpn="P1"),
    entry(3, at(2, 8, 15), RECEIVE, "BOLT", 20, "ANN", "c2b", to=D1, to_lpn="P1"),
    entry(4, at(2, 9), MOVE, "WIDGET", 60, "BOB", "c3", frm=D1, to=A1),
    entry(5, at(2, 9, 20), MOVE, "WIDGET", 40, "BOB", "c4", frm=D1, to=A2),
    # A pallet move: two movements, one confirmation, one line of work.
    entry(6, at(2, 11, 10), MOVE, "GADGET", 50, "BOB", "c5", frm=D1, to=A2, from_lpn="P1",
          to_lpn="P1"),
    entry(7, at(2, 11, 10), MOVE, "BOLT", 20, "BOB", "c5", frm=D1, to=A2, from_lpn="P1",
          to_lpn="P1"),
    # A pick to a staging lane stays on hand; the others leave it.
    entry(8, at(3, 10), PICK, "WIDGET", 30, "CAT", "c6", frm=A1, to=ST),
    entry(9, at(3, 10, 6), PICK, "WIDGET", 10, "CAT", "c7", frm=A1),
    entry(10, at(3, 10, 18), PICK, "GADGET", 5, "CAT", "c8", frm=A2),
    entry(11, at(3, 11, 30), PICK, "WIDGET", 10, "CAT", "c9", frm=A2),
    entry(12, at(4, 9), ADJUST, "WIDGET", 5, "DAN", "c10", frm=A2, reason="LOST"),
    entry(13, at(4, 9, 5), STATUS, "GADGET", 5, "DAN", "c10b", frm=A2, to=A2),
    entry(14, at(4, 14), RECEIVE, "WIDGET", 15, "ANN", "c11", to=D1),
]


def test_on_hand_is_rebuilt_day_by_day_from_the_ledger() -> None:
    closing = daily_closing(LEDGER, date(2026, 11, 1), date(2026, 11, 4))
    assert closing == {
        "WIDGET": [0, 100, 80, 90],
        "GADGET": [0, 50, 45, 45],
        "BOLT": [0, 20, 20, 20],
    }


def test_turnover_is_units_picked_over_average_daily_on_hand() -> None:
    report = turnover(LEDGER, date(2026, 11, 2), date(2026, 11, 4))
    lines = {ln.sku: ln for ln in report.items}
    assert report.days == 3
    assert (lines["WIDGET"].shipped, lines["WIDGET"].average_on_hand) == (50, 90)
    assert lines["WIDGET"].turnover == pytest.approx(50 / 90)
    assert lines["GADGET"].shipped == 5
    assert lines["GADGET"].average_on_hand == pytest.approx(140 / 3)
    assert lines["GADGET"].turnover == pytest.approx(5 / (140 / 3))
    assert (lines["BOLT"].shipped, lines["BOLT"].turnover) == (0, 0)
    assert report.overall.shipped == 55
    assert report.overall.average_on_hand == pytest.approx(90 + 140 / 3 + 20)
    assert report.overall.turnover == pytest.approx(55 / (470 / 3))


def test_turnover_counts_only_picks_inside_the_period() -> None:
    report = turnover(LEDGER, date(2026, 11, 4), date(2026, 11, 4))
    lines = {ln.sku: ln for ln in report.items}
    assert lines["WIDGET"].shipped == 0
    assert lines["WIDGET"].average_on_hand == 90
    assert report.overall.shipped == 0


def test_dead_stock_is_on_hand_with_no_pick_in_n_days() -> None:
    report = dead_stock(LEDGER, {"WIDGET": 90, "GADGET": 45, "BOLT": 20}, at(4, 11), days=1)
    assert [(d.sku, d.on_hand, d.last_outbound) for d in report.items] == [
        ("BOLT", 20, None), ("GADGET", 45, at(3, 10, 18))]
    assert (report.dead_units, report.on_hand_units) == (65, 155)
    assert report.share == pytest.approx(65 / 155)
    assert report.items[0].share == pytest.approx(20 / 155)


def test_productivity_times_each_line_from_the_previous_one_in_a_session() -> None:
    rows = {(p.user, p.flow): p for p in productivity(LEDGER, idle_minutes=30)}
    ann = rows[("ANN", Flow.RECEIVE)]
    # 08:00 starts a session; 08:10 and 08:15 are timed; 14:00 on the 4th starts another.
    assert (ann.lines, ann.timed_lines, ann.seconds) == (4, 2, 900)
    assert ann.lines_per_hour == pytest.approx(8)
    bob = rows[("BOB", Flow.MOVE)]
    # The pallet move is one line; 11:10 comes 110 minutes after 09:20: a new session.
    assert (bob.lines, bob.timed_lines, bob.seconds) == (3, 1, 1200)
    assert bob.lines_per_hour == pytest.approx(3)
    cat = rows[("CAT", Flow.PICK)]
    assert (cat.lines, cat.timed_lines, cat.seconds) == (4, 2, 1080)
    assert cat.lines_per_hour == pytest.approx(2 / 0.3)
    dan = rows[("DAN", Flow.ADJUST)]
    assert (dan.lines, dan.timed_lines, dan.lines_per_hour) == (1, 0, None)
    # DAN's status change 5 minutes after the adjustment is timed in its own flow.
    assert rows[("DAN", Flow.STATUS)].seconds == 300


def test_dock_to_stock_runs_from_receipt_to_the_last_unit_leaving_the_dock() -> None:
    report = dock_to_stock(LEDGER)
    hours = {r.movement_id: r.hours for r in report.receipts}
    assert hours[1] == pytest.approx(80 / 60)
    assert hours[2] == pytest.approx(3.0)
    assert hours[3] == pytest.approx(175 / 60)
    assert hours[14] is None
    items = {f.sku: f for f in report.items}
    assert (items["WIDGET"].receipts, items["WIDGET"].stocked) == (2, 1)
    assert items["WIDGET"].median_hours == pytest.approx(80 / 60)
    overall = report.overall
    assert (overall.receipts, overall.stocked) == (4, 3)
    assert overall.median_hours == pytest.approx(175 / 60)
    assert overall.average_hours == pytest.approx((80 + 180 + 175) / 60 / 3)
    assert overall.max_hours == pytest.approx(3.0)


COUNTS = [
    CountEntry(1, 1, "WIDGET", 60, 60, datetime(2026, 10, 30, 9, tzinfo=UTC)),
    CountEntry(1, 1, "BOLT", 18, 20, datetime(2026, 10, 30, 9, tzinfo=UTC)),
    CountEntry(2, 1, "GADGET", 45, 45, at(3, 9)),
    CountEntry(2, 2, "GADGET", 44, 45, at(4, 9)),
    CountEntry(3, 1, "WIDGET", 12, 10, at(4, 9)),
]


def test_accuracy_uses_first_attempts_by_line_and_by_units() -> None:
    report = record_accuracy(COUNTS, Period.MONTH)
    overall = report.overall
    assert (overall.lines, overall.hits, overall.units_variance, overall.units_basis) == (
        4, 2, 4, 137)
    assert overall.line_accuracy == 0.5
    assert overall.unit_accuracy == pytest.approx(1 - 4 / 137)
    october, november = report.periods
    assert (october.period, october.lines, october.hits) == ("2026-10", 2, 1)
    assert october.unit_accuracy == pytest.approx(1 - 2 / 80)
    assert (november.period, november.lines, november.hits) == ("2026-11", 2, 1)
    assert november.unit_accuracy == pytest.approx(1 - 2 / 57)


def test_accuracy_by_value_weighs_lines_by_cost_and_leaves_uncosted_items_out() -> None:
    costs = {"WIDGET": Decimal("2.50"), "BOLT": Decimal("0.10")}
    costed = [replace(ln, unit_cost=costs.get(ln.sku)) for ln in COUNTS]
    overall = record_accuracy(costed, Period.MONTH).overall
    # WIDGET 60/60 and 12/10 at 2.50, BOLT 18/20 at 0.10; GADGET has no cost.
    assert overall.costed_lines == 3
    assert overall.value_variance == Decimal("0.20") + Decimal("5.00")
    assert overall.value_basis == Decimal("150.00") + Decimal("2.00") + Decimal("30.00")
    assert overall.value_accuracy == pytest.approx(1 - 5.2 / 182)
    # A cheap line's miss weighs less by value than by units.
    assert overall.value_accuracy > overall.unit_accuracy  # type: ignore[operator]


def test_accuracy_of_nothing_counted_is_unknown() -> None:
    report = record_accuracy([])
    assert report.overall.line_accuracy is None
    assert report.overall.unit_accuracy is None
    assert report.overall.value_accuracy is None
    assert record_accuracy(COUNTS).overall.value_accuracy is None
    assert report.periods == ()


def test_periods_are_labelled_by_day_iso_week_and_month() -> None:
    moment = at(2, 8)
    assert period_of(moment, Period.DAY) == "2026-11-02"
    assert period_of(moment, Period.WEEK) == "2026-W45"
    assert period_of(moment, Period.MONTH) == "2026-11"


def test_low_stock_lists_pick_faces_under_the_minimum_emptiest_first() -> None:
    faces = [PickFaceStock("WIDGET", "P-1", 5, 10), PickFaceStock("GADGET", "P-2", 0, 4),
             PickFaceStock("BOLT", "P-3", 8, 8)]
    assert [(ln.sku, ln.location, ln.missing) for ln in low_stock(faces)] == [
        ("WIDGET", "P-1", 5), ("GADGET", "P-2", 4)]
