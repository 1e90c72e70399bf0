"""Site days and dead stock by age on SQLite and PostgreSQL: the dashboard's days are the
site's, and stock that just arrived (received, moved or re-palletised in) is never dead.

The clock stands at 2026-03-01 23:30 UTC: 07:30 on 2 March in Shanghai, 15:30 on 1 March in
Los Angeles (UTC-08:00 until daylight saving on 8 March).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from tests.cli.test_cli_reports import post_at
from tests.factories import Warehouse, build_warehouse
from wms_tui.db.uow import SqlUnitOfWork, uow_factory
from wms_tui.domain.dashboard import dashboard
from wms_tui.domain.model import StockStatus
from wms_tui.domain.reports import LedgerFilter, dead_stock
from wms_tui.domain.rf_services import RfBackend
from wms_tui.domain.stock import ChangeStatus, Move, MoveLpn, Pick, Receive

NOW = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def picked(engine: Engine) -> Engine:
    """Three picks: 07:00 UTC on 1 March, then 17:00 and 17:06 UTC (01:00 on 2 March in
    Shanghai, 09:00 on 1 March in Los Angeles)."""
    wh = build_warehouse(engine)
    post_at(engine, utc(1, 6), wh.operator, Receive(wh.widget, 10, wh.a1, "ASN-1"))
    for when in (utc(1, 7), utc(1, 17), utc(1, 17, 6)):
        post_at(engine, when, wh.operator, Pick(wh.widget, 1, wh.a1, "SO-1"))
    return engine


def test_the_dashboard_day_is_the_shanghai_day(picked: Engine) -> None:
    backend = RfBackend(uow_factory(picked), uow_factory(picked, readonly=True))
    backend.zone = ZoneInfo("Asia/Shanghai")
    board = backend.dashboard(NOW, days=2)
    assert board.days == (date(2026, 3, 1), date(2026, 3, 2))
    assert [(p.lines, p.timed_lines, p.seconds) for p in board.picks] == [
        (1, 0, 0.0), (2, 1, 360.0)]
    # One timed line is too few for a rate (dashboard.MIN_TIMED_LINES).
    assert board.today.per_hour is None
    assert board.zone == ZoneInfo("Asia/Shanghai")


def test_the_dashboard_day_at_utc_minus_eight(picked: Engine) -> None:
    with SqlUnitOfWork(picked, readonly=True) as uow:
        board = dashboard(uow, NOW, days=2, zone=ZoneInfo("America/Los_Angeles"))
    # 07:00 UTC was 23:00 on 28 February there; today, 1 March, holds the other two.
    assert board.days == (date(2026, 2, 28), date(2026, 3, 1))
    assert [p.lines for p in board.picks] == [1, 2]


def stocked(engine: Engine) -> Warehouse:
    """WIDGET: 30 received 120 days ago, 10 of them moved on 3 days ago, 5 of the rest put on
    QC hold yesterday. BOLT: a pallet received 100 days ago, moved in an hour ago."""
    wh = build_warehouse(engine)
    long_ago = NOW - timedelta(days=120)
    post_at(engine, long_ago, wh.operator, Receive(wh.widget, 30, wh.a1, "ASN-1"))
    post_at(engine, NOW - timedelta(days=3), wh.operator,
            Move(wh.widget, 10, wh.a1, wh.a2, "MOVE-A1"))
    post_at(engine, NOW - timedelta(days=1), wh.supervisor,
            ChangeStatus(wh.widget, 5, wh.a1, StockStatus.AVAILABLE, StockStatus.QC_HOLD,
                         "QC-1"))
    post_at(engine, NOW - timedelta(days=100), wh.operator,
            Receive(wh.heavy, 20, wh.dock, "ASN-2", lpn="PAL-1"))
    with SqlUnitOfWork(engine, readonly=True) as uow:
        pallet = uow.catalog.lpn_by_code("PAL-1")
    assert pallet is not None
    post_at(engine, NOW - timedelta(hours=1), wh.operator, MoveLpn(pallet.id, wh.a2, "MOVE-P"))
    return wh


def test_each_balance_is_aged_by_its_newest_arrival(engine: Engine) -> None:
    stocked(engine)
    with SqlUnitOfWork(engine, readonly=True) as uow:
        ages = sorted((a.sku, a.quantity, a.arrived) for a in uow.reports.stock_ages())
    # The QC hold is no arrival: those 5 have been at A1 since the receipt.
    assert ages == [("BOLT", 20, NOW - timedelta(hours=1)),
                    ("WIDGET", 5, NOW - timedelta(days=120)),
                    ("WIDGET", 10, NOW - timedelta(days=3)),
                    ("WIDGET", 15, NOW - timedelta(days=120))]


def test_dead_stock_leaves_out_what_just_arrived(engine: Engine) -> None:
    stocked(engine)
    with SqlUnitOfWork(engine, readonly=True) as uow:
        picks = uow.reports.ledger(LedgerFilter())
        report = dead_stock(picks, uow.reports.stock_ages(), NOW, days=90)
    assert [(d.sku, d.on_hand, d.arrived) for d in report.items] == [
        ("WIDGET", 20, NOW - timedelta(days=120))]
    assert (report.dead_units, report.on_hand_units) == (20, 50)
    # With a one-day window the move of 3 days ago is old too; the pallet of an hour ago is not.
    with SqlUnitOfWork(engine, readonly=True) as uow:
        report = dead_stock(picks, uow.reports.stock_ages(), NOW, days=1)
    assert [(d.sku, d.on_hand, d.arrived) for d in report.items] == [
        ("WIDGET", 30, NOW - timedelta(days=3))]
