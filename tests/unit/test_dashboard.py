"""The supervisor dashboard's figures over a small back-dated history, worked out by hand
(tests/dashboard_history.py: the clock at 2026-11-14 12:00 UTC, the days 1 to 14 November)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Engine

from tests.dashboard_history import NOW, at, post_history
from tests.factories import build_warehouse
from wms_tui.db.uow import SqlUnitOfWork, uow_factory
from wms_tui.domain.dashboard import Dashboard, PickDay, dashboard, pick_days
from wms_tui.domain.model import LocationType, MovementKind
from wms_tui.domain.reports import LedgerEntry
from wms_tui.domain.rf_services import RfBackend
from wms_tui.domain.supervisor import ExceptionKind


@pytest.fixture
def board(engine: Engine) -> Dashboard:
    post_history(engine, build_warehouse(engine))
    with SqlUnitOfWork(engine, readonly=True) as uow:
        return dashboard(uow, NOW)


def test_the_series_cover_today_and_the_13_days_before(board: Dashboard) -> None:
    assert board.days == tuple(date(2026, 11, d) for d in range(1, 15))
    assert board.as_of == NOW


def test_picks_per_hour_by_day(board: Dashboard) -> None:
    # 13 Nov: 2 timed lines in 12 minutes. 14 Nov: 3 timed lines in 12 minutes (09:00 from
    # the 08:56 putaway); 10:00 after a break and SUP1's single pick are counted, not timed.
    assert board.picks[-2:] == (PickDay(date(2026, 11, 13), 3, 2, 720.0),
                                PickDay(date(2026, 11, 14), 5, 3, 720.0))
    # 13 Nov's 2 timed lines are too few for a rate (MIN_TIMED_LINES).
    assert board.picks_per_hour == (None,) * 13 + (15.0,)
    assert (board.today.lines, board.today.per_hour) == (5, 15.0)
    # The whole window: 5 timed lines in 24 minutes.
    assert board.pace == 12.5


def test_count_accuracy_by_day_from_first_counts(board: Dashboard) -> None:
    by_day = dict(zip(board.days, board.accuracy_by_day, strict=True))
    assert {d.day: v for d, v in by_day.items() if v is not None} == {10: 0.5, 12: 1.0, 14: 1.0}
    # The 12 Nov recount, the 31 Oct miss and the 12:05 line after the clock do not count.
    assert (board.accuracy.lines, board.accuracy.hits, board.accuracy.line_accuracy) == (
        4, 3, 0.75)


def test_tiles(board: Dashboard) -> None:
    assert board.open_pick_tasks == 2
    assert (board.open_counts, board.approvals) == (2, 1)
    assert [(e.kind, e.reference) for e in board.exceptions] == [
        (ExceptionKind.OVERRIDE, "PUT-4"), (ExceptionKind.APPROVAL, "COUNT-2")]
    figure = board.dock_to_stock
    assert (figure.receipts, figure.stocked, figure.median_hours, board.on_dock) == (
        3, 2, 1.75, 1)
    # WIDGET's face: 20 put away, 5 picked = 15 of 20; BOLT has no face at all.
    assert [(ln.sku, ln.location, ln.quantity, ln.missing) for ln in board.low_stock] == [
        ("BOLT", "", 0, 5), ("WIDGET", "P-01-01-1", 15, 5)]


def test_the_backend_reads_it_at_its_clock(sqlite_engine: Engine) -> None:
    post_history(sqlite_engine, build_warehouse(sqlite_engine))
    backend = RfBackend(uow_factory(sqlite_engine), uow_factory(sqlite_engine, readonly=True))
    backend.now = lambda: NOW  # type: ignore[method-assign]
    board = backend.dashboard()
    assert board.as_of == NOW and board.today.lines == 5
    assert backend.dashboard(NOW - timedelta(days=1), days=2).picks == (
        PickDay(date(2026, 11, 12), 0, 0, 0.0), PickDay(date(2026, 11, 13), 3, 2, 720.0))


def pick(id: int, when: datetime, user: str = "ANN") -> LedgerEntry:
    return LedgerEntry(id=id, at=when, kind=MovementKind.PICK, sku="X", quantity=1, user=user,
                       from_location="A1", from_type=LocationType.RESERVE,
                       confirmation=f"c{id}")


def test_a_day_starts_untimed_at_midnight_utc() -> None:
    late, early = at(3, 23, 58), at(4, 0, 2)
    found = pick_days([pick(1, late - timedelta(minutes=4)), pick(2, late), pick(3, early),
                       pick(4, early + timedelta(minutes=6))], [date(2026, 11, d)
                                                                for d in (2, 3, 4)])
    assert found == (PickDay(date(2026, 11, 2), 0, 0, 0.0),
                     PickDay(date(2026, 11, 3), 2, 1, 240.0),
                     PickDay(date(2026, 11, 4), 2, 1, 360.0))
    # One timed line a day is no rate at all.
    assert [d.per_hour for d in found] == [None, None, None]
    assert PickDay(date(2026, 11, 4), 3, 3, 360.0).per_hour == 30.0


def test_a_dashboard_needs_a_day() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        dashboard(None, NOW, days=0)  # type: ignore[arg-type]
