"""The practice warehouse: deterministic, exact ledger, every barcode resolves, marked as demo."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from tests.conftest import fresh_sqlite_engine
from wms_tui.db import tables
from wms_tui.db.engine import make_engine
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.demo.history import WEEKS
from wms_tui.demo.seed import fingerprint, is_demo_database, seed_boundary, seed_demo
from wms_tui.domain import reports as kpi
from wms_tui.domain.checkdigits import is_valid_gtin, is_valid_sscc
from wms_tui.domain.model import MovementKind
from wms_tui.domain.scan import normalize_scan, resolve_scan
from wms_tui.domain.stock import ledger_mismatches
from wms_tui.domain.work_flows import Flow

TODAY = date(2026, 3, 2)
MIDNIGHT = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC)
# at, kind, sku, quantity, user, from, to, lot, reference, reason, confirmation
LedgerRow = tuple[datetime, MovementKind, str, int, str, str | None, str | None, str | None, str,
                  str | None, str | None]


def seeded(path: Path, seed: int = 1, today: date = TODAY, **options: Any) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    seed_demo(engine, seed, today, **options)
    return engine


def ledger(engine: Engine) -> list[LedgerRow]:
    """Every movement by codes and time, so two databases compare row for row."""
    with SqlUnitOfWork(engine, readonly=True) as uow:
        return [(e.at, e.kind, e.sku, e.quantity, e.user, e.from_location, e.to_location,
                 e.lot, e.reference, e.reason, e.confirmation) for e in uow.reports.ledger()]


def count_lines(engine: Engine) -> list[tuple[object, ...]]:
    with Session(engine) as s:
        return [(ln.count_task_id, ln.attempt, ln.item_id, ln.counted, ln.expected,
                 ln.counted_by, ln.counted_at)
                for ln in s.exec(select(tables.CountLine).order_by(col(tables.CountLine.id)))]


def open_work(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """What the exercises start from: stock, lots, open ASNs, the wave's tasks, due counts."""
    with Session(engine) as s:
        loc = {x.id: x.code for x in s.exec(select(tables.Location))}
        sku = {x.id: x.sku for x in s.exec(select(tables.Item))}
        lot = {x.id: (x.code, x.expiry) for x in s.exec(select(tables.Lot))}
        return {
            "stock": sorted((sku[b.item_id], loc[b.location_id], lot.get(b.lot_id), b.quantity,
                             b.reserved, b.status)
                            for b in s.exec(select(tables.Balance)) if b.quantity),
            "lots": sorted(lot.values()),
            "asns": sorted((o.reference, o.status, o.sscc) for o in s.exec(
                select(tables.InboundOrder)) if o.status != "closed"),
            "tasks": sorted((t.kind, t.status, sku[t.item_id], loc[t.from_location_id],
                             t.quantity, t.seq) for t in s.exec(select(tables.Task))),
            "counts": sorted((loc[c.location_id], c.status, c.due) for c in s.exec(
                select(tables.CountTask)) if c.status != "done"),
            "orders": sorted((o.reference, o.status) for o in s.exec(
                select(tables.OutboundOrder))),
        }


def test_same_seed_same_warehouse_other_seed_other(tmp_path: Path) -> None:
    one, two, other = (seeded(tmp_path / "a.db"), seeded(tmp_path / "b.db"),
                       seeded(tmp_path / "c.db", seed=2))
    assert fingerprint(one) == fingerprint(two)
    assert fingerprint(one) != fingerprint(other)
    # The back-dated history too, to the second; only the seed's own open work is stamped now.
    history = [row for row in ledger(one) if row[0] < MIDNIGHT]
    assert len(history) > 500
    assert history == [row for row in ledger(two) if row[0] < MIDNIGHT]
    assert history != [row for row in ledger(other) if row[0] < MIDNIGHT]
    assert count_lines(one) == count_lines(two)
    for engine in (one, two, other):
        with SqlUnitOfWork(engine) as uow:
            assert ledger_mismatches(uow) == []


def test_history_changes_none_of_the_open_work(tmp_path: Path) -> None:
    """With or without weeks of history, the exercises start from the very same warehouse."""
    plain = seeded(tmp_path / "plain.db", history_weeks=0)
    with Session(plain) as s:
        assert s.exec(select(tables.Movement).where(col(tables.Movement.kind) == "pick")
                      ).first() is None
    lived = seeded(tmp_path / "lived.db")
    assert open_work(lived) == open_work(plain)
    with SqlUnitOfWork(lived) as uow:
        assert ledger_mismatches(uow) == []


def test_history_is_weeks_of_working_days_by_the_demo_users(tmp_path: Path) -> None:
    engine = seeded(tmp_path / "demo.db")
    rows = [row for row in ledger(engine) if row[0] < MIDNIGHT and row[8] != "DEMO-OPENING"]
    days = sorted({at.date() for at, *_ in rows})
    assert days[-1] == TODAY - timedelta(days=3), "the Friday before a Monday"
    assert (days[-1] - days[0]).days >= (WEEKS - 1) * 7 + 4
    assert all(day.weekday() < 5 for day in days)
    assert all(6 <= at.hour < 18 for at, *_ in rows), "working hours"
    kinds = Counter((row[1], row[4]) for row in rows)
    assert kinds[(MovementKind.RECEIVE, "OP1")] >= 20
    assert kinds[(MovementKind.MOVE, "OP1")] >= 40
    assert kinds[(MovementKind.PICK, "OP1")] >= 80
    assert kinds[(MovementKind.PICK, "SUP1")] >= 5
    assert kinds[(MovementKind.ADJUST, "SUP1")] >= 1
    with Session(engine) as s:
        tasks = s.exec(select(tables.CountTask).where(col(tables.CountTask.due) < TODAY)).all()
        assert len(tasks) >= 10 and {t.status for t in tasks} == {"done"}
        assert any(t.approved_by is not None for t in tasks), "a variance was approved"
        lines = s.exec(select(tables.CountLine)).all()
        assert any(ln.attempt == 2 for ln in lines), "some counts were recounted"
        assert any(ln.counted != ln.expected for ln in lines)
        # The history's ASNs are all received and closed; only the exercise ASNs are open.
        open_asns = s.exec(select(tables.InboundOrder.reference)
                           .where(tables.InboundOrder.status != "closed")).all()
        assert sorted(open_asns) == ["ASN-1001", "ASN-1002", "ASN-1003", "ASN-1004"]
    # Trainees' work is whatever comes after the seed's last movement and count line.
    with Session(engine) as s:
        last_movement = max(m.id or 0 for m in s.exec(select(tables.Movement)))
        last_line = max(ln.id or 0 for ln in s.exec(select(tables.CountLine)))
    assert seed_boundary(engine) == (last_movement, last_line)


def test_every_report_has_figures_on_a_fresh_demo(tmp_path: Path) -> None:
    """The reports' own default windows (last 30 days, 90-day dead stock) as of today."""
    today = datetime.now(UTC).date()
    engine = seeded(tmp_path / "demo.db", today=today)
    now = datetime.now(UTC)
    with SqlUnitOfWork(engine, readonly=True) as uow:
        entries = uow.reports.ledger()
        accuracy = kpi.record_accuracy(uow.reports.count_lines(None, None))
        on_hand = uow.reports.on_hand()
    assert accuracy.overall.lines >= 10
    assert accuracy.overall.line_accuracy is not None
    assert 0.5 <= accuracy.overall.line_accuracy < 1, "some first counts missed"
    assert 0.9 <= (accuracy.overall.unit_accuracy or 0) < 1
    turnover = kpi.turnover(entries, today - timedelta(days=29), today)
    assert turnover.overall.shipped > 500
    assert 0.01 < (turnover.overall.turnover or 0) < 1
    dead = kpi.dead_stock(entries, on_hand, now)
    assert len(dead.items) >= 10 and all(line.last_outbound is None for line in dead.items)
    assert 0.05 < (dead.share or 0) < 0.5
    # Most of it has not moved at all for months, not only not sold.
    recent = {e.sku for e in entries if e.at > now - timedelta(days=90)}
    assert len({line.sku for line in dead.items} - recent) >= 10
    pace = {(p.user, p.flow): p for p in kpi.productivity(entries)}
    for user, flow in (("OP1", Flow.RECEIVE), ("OP1", Flow.MOVE), ("OP1", Flow.PICK),
                       ("SUP1", Flow.PICK)):
        assert 5 <= (pace[user, flow].lines_per_hour or 0) <= 120, (user, flow)
    docked = kpi.dock_to_stock(entries)
    assert docked.overall.stocked >= 20
    assert 0.5 <= (docked.overall.median_hours or 0) <= 30
    assert docked.overall.receipts - docked.overall.stocked == 2, "today's dock is still full"


def test_seed_is_a_living_warehouse_with_an_exact_ledger(tmp_path: Path) -> None:
    engine = seeded(tmp_path / "demo.db")
    assert is_demo_database(engine)
    with SqlUnitOfWork(engine) as uow:
        assert ledger_mismatches(uow) == []
    with Session(engine) as s:
        locations = s.exec(select(tables.Location)).all()
        kinds = {loc.type for loc in locations}
        assert {"dock", "qc", "reserve", "pick"} <= kinds
        assert len(locations) >= 200
        assert len(s.exec(select(tables.Item)).all()) == 100
        uoms = s.exec(select(tables.ItemUom)).all()
        assert {"EA", "CS", "PL"} <= {u.uom for u in uoms}
        lots = s.exec(select(tables.Lot)).all()
        assert any(lot.expiry is not None and (lot.expiry - TODAY).days <= 14 for lot in lots)
        orders = s.exec(select(tables.InboundOrder)).all()
        assert any(o.sscc and is_valid_sscc(o.sscc) for o in orders)
        assert s.exec(select(tables.Task)).all(), "a released wave has pick tasks"
        assert len(s.exec(select(tables.CountTask)).all()) >= 5
        users = {u.login: u.role for u in s.exec(select(tables.User)).all()}
        assert users == {"OP1": "operator", "SUP1": "supervisor", "ADM1": "admin"}
        # Some pick faces are below their item's minimum, so replenishment has work.
        below = 0
        for bal in s.exec(select(tables.Balance)).all():
            loc, item = s.get(tables.Location, bal.location_id), s.get(tables.Item, bal.item_id)
            assert loc is not None and item is not None
            if loc.type == "pick" and item.min_qty is not None and bal.quantity < item.min_qty:
                below += 1
        assert below >= 5


def test_every_seeded_barcode_resolves(tmp_path: Path) -> None:
    engine = seeded(tmp_path / "demo.db")
    with Session(engine) as s:
        gtins = [u.gtin for u in s.exec(select(tables.ItemUom)).all() if u.gtin]
        locations = s.exec(select(tables.Location)).all()
    assert len(gtins) == 200
    assert all(is_valid_gtin(gtin) for gtin in gtins)
    with SqlUnitOfWork(engine, readonly=True) as uow:
        for gtin in gtins:
            assert resolve_scan(normalize_scan(gtin), uow.catalog).kind == "item", gtin
        for loc in locations:
            found = resolve_scan(normalize_scan(loc.barcode), uow.catalog)
            assert found.kind == "location" and found.location is not None
            assert found.location.code == loc.code
            expected = found.location
            by_digits = resolve_scan(normalize_scan(loc.check_digits), uow.catalog,
                                     expected_location=expected)
            assert by_digits.kind in ("check_digits", "location")


def test_a_production_database_has_no_marker(tmp_path: Path) -> None:
    engine = fresh_sqlite_engine(str(tmp_path / "wms.db"))
    assert not is_demo_database(engine)
