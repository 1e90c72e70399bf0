"""The practice warehouse: deterministic, exact ledger, every barcode resolves, marked as demo."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.conftest import fresh_sqlite_engine
from wms_tui.db import tables
from wms_tui.db.engine import make_engine
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.demo.seed import fingerprint, is_demo_database, seed_demo
from wms_tui.domain.checkdigits import is_valid_gtin, is_valid_sscc
from wms_tui.domain.scan import normalize_scan, resolve_scan
from wms_tui.domain.stock import ledger_mismatches

TODAY = date(2026, 3, 2)


def seeded(path: Path, seed: int = 1) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    seed_demo(engine, seed, TODAY)
    return engine


def test_same_seed_same_warehouse_other_seed_other(tmp_path: Path) -> None:
    one, two, other = (seeded(tmp_path / "a.db"), seeded(tmp_path / "b.db"),
                       seeded(tmp_path / "c.db", seed=2))
    assert fingerprint(one) == fingerprint(two)
    assert fingerprint(one) != fingerprint(other)


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
