"""The export outbox: every movement yields one event, and cursor runs see each exactly once."""

from __future__ import annotations

import threading
import time
from collections.abc import Collection
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from tests.conftest import fresh_pg_engine
from tests.factories import Warehouse, build_warehouse
from wms_tui.db.engine import make_engine
from wms_tui.db.migrate import downgrade, upgrade
from wms_tui.db.uow import SqlUnitOfWork, uow_factory
from wms_tui.domain.errors import BadInput
from wms_tui.domain.exports import Cursor, EventKind, ExportBatch, ExportEvent, next_batch
from wms_tui.domain.stock import Adjust, Pick, Receive, apply_in, post


def export(engine: Engine, cursor: Cursor, limit: int = 1000,
           kinds: Collection[EventKind] = ()) -> ExportBatch:
    with SqlUnitOfWork(engine, readonly=True) as uow:
        return next_batch(uow.reports, cursor, limit, kinds)


def drain(engine: Engine, cursor: Cursor, expected: int) -> list[ExportEvent]:
    """Export until expected events arrived: on PostgreSQL the horizon is cluster-wide, so
    another test's open transaction may hold committed events back for a moment (never lose
    them)."""
    found: list[ExportEvent] = []
    for _ in range(10_000):
        if len(found) >= expected:
            break
        batch = export(engine, cursor, limit=7)
        found += batch.events
        cursor = batch.cursor
    return found


def movement_ids(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT id FROM movement ORDER BY id"))]


def test_each_movement_becomes_one_event_with_its_kind(engine: Engine, wh: Warehouse) -> None:
    uow = uow_factory(engine)
    post(uow, wh.operator, Receive(wh.widget, 10, wh.dock, "ASN-1"))
    post(uow, wh.operator, Pick(wh.widget, 3, wh.dock, "SO-1"))
    post(uow, wh.supervisor, Adjust(wh.widget, -2, wh.dock, "LOST", "ADJ-1"))
    batch = export(engine, Cursor())
    # Another test's open PostgreSQL transaction may hold committed events back for a moment.
    for _ in range(200):
        if len(batch.events) >= 3:
            break
        time.sleep(0.05)
        batch = export(engine, Cursor())
    records = [e.record() for e in batch.events]
    assert [(r["event"], r["sku"], r["quantity"], r["reference"]) for r in records] == [
        ("receipt", "WIDGET", 10, "ASN-1"), ("pick", "WIDGET", 3, "SO-1"),
        ("adjustment", "WIDGET", -2, "ADJ-1")]
    assert records[-1]["cursor"] == batch.cursor.text()
    # Nothing new: the same cursor comes back and no event is repeated.
    again = export(engine, batch.cursor)
    assert (again.events, again.cursor) == ((), batch.cursor)
    # A filtered run still moves the cursor past what it skipped.
    receipts = export(engine, Cursor(), kinds={EventKind.RECEIPT})
    assert [e.kind for e in receipts.events] == [EventKind.RECEIPT]
    assert receipts.cursor == batch.cursor


def test_cursor_runs_during_concurrent_posting_export_every_event_exactly_once(
    engine: Engine, wh: Warehouse
) -> None:
    uow = uow_factory(engine)
    per_writer, writers = 25, 3

    def write(n: int) -> None:
        for i in range(per_writer):
            post(uow, wh.operator, Receive(wh.widget, 1, wh.dock, f"ASN-{n}-{i}"))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    seen: list[int] = []
    cursor = Cursor()
    while any(t.is_alive() for t in threads):
        batch = export(engine, cursor, limit=7)
        seen += [e.movement.id for e in batch.events]
        cursor = batch.cursor
    for t in threads:
        t.join()
    seen += [e.movement.id for e in drain(engine, cursor, per_writer * writers - len(seen))]
    assert len(seen) == len(set(seen)) == per_writer * writers
    assert sorted(seen) == movement_ids(engine)


def test_movements_from_before_the_outbox_are_exported_first(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        upgrade(engine)
        wh = build_warehouse(engine)
        post(uow_factory(engine), wh.operator, Receive(wh.widget, 4, wh.dock, "ASN-OLD"))
        # Back to before the outbox (its table and trigger go), then up again, as an old site.
        downgrade(engine, "0006")
        assert "outbox_event" not in inspect(engine).get_table_names()
        upgrade(engine)
        post(uow_factory(engine), wh.operator, Receive(wh.widget, 5, wh.dock, "ASN-NEW"))
        refs = [e.movement.reference for e in export(engine, Cursor()).events]
        assert refs == ["ASN-OLD", "ASN-NEW"]
    finally:
        engine.dispose()


def test_cursor_text_round_trips_and_rejects_garbage() -> None:
    assert Cursor.parse("0") == Cursor() == Cursor.parse(None)
    assert Cursor.parse(Cursor(17, 42).text()) == Cursor(17, 42)
    for bad in ("abc", "1.", ".2", "1.2.3", "-1.2"):
        with pytest.raises(BadInput):
            Cursor.parse(bad)


@pytest.mark.postgres
def test_an_event_committed_late_with_a_smaller_id_is_not_skipped() -> None:
    engine = fresh_pg_engine()
    try:
        wh = build_warehouse(engine)
        with SqlUnitOfWork(engine) as slow:
            # The slow transaction takes its ledger id (and txid) first but commits last.
            apply_in(slow, wh.operator, Receive(wh.widget, 1, wh.dock, "ASN-SLOW"), "k-slow")
            post(uow_factory(engine), wh.operator, Receive(wh.heavy, 1, wh.a1, "ASN-FAST"))
            early = export(engine, Cursor())
            assert early.events == ()
            slow.commit()
        assert [e.movement.reference for e in drain(engine, early.cursor, 2)] == [
            "ASN-SLOW", "ASN-FAST"]
    finally:
        engine.dispose()
