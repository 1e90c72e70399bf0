"""One live inbound order per pallet SSCC, held by the database (a partial unique index), not
only by the import's check: on SQLite and PostgreSQL, against a raw insert, two imports racing
on PostgreSQL, and a database migrated with duplicates the old check-then-insert let through."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from tests.conftest import fresh_pg_engine
from tests.db.test_migrations import schema_diff
from tests.factories import Warehouse, build_warehouse
from wms_tui.db.inbound import SqlInbound
from wms_tui.db.migrate import current_revision, downgrade, head_revision, upgrade
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.importing import ImportReport
from wms_tui.domain.inbound import import_inbound_orders
from wms_tui.domain.inbound.cancels import cancel_inbound_order

Uow = Callable[[], SqlUnitOfWork]
PALLET = "095011015300000010"


def _row(reference: str, sscc: str = PALLET) -> dict[str, str]:
    return {"reference": reference, "supplier": "ACME", "line_no": "1", "sku": "WIDGET",
            "quantity": "5", "uom": "EA", "order_sscc": sscc}


def _insert(engine: Engine, reference: str, status: str = "open") -> None:
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO inbound_order (reference, supplier, status, sscc, created_at) "
            "VALUES (:r, 'ACME', :s, :c, CURRENT_TIMESTAMP)"),
            {"r": reference, "s": status, "c": PALLET})


def _ssccs(engine: Engine) -> dict[str, str | None]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT reference, sscc FROM inbound_order"))
        return {reference: sscc for reference, sscc in rows}


def test_the_database_refuses_a_second_live_order_for_a_pallet(
        engine: Engine, wh: Warehouse) -> None:
    uow: Uow = lambda: SqlUnitOfWork(engine)  # noqa: E731
    assert import_inbound_orders(uow, [_row("ASN-1")]).ok
    # A writer that skips the import's check (another tool, an older build) is refused too.
    with pytest.raises(IntegrityError, match=r"(?i)unique|duplicate key"):
        _insert(engine, "ASN-2")
    cancel_inbound_order(uow, wh.supervisor, "ASN-1")
    _insert(engine, "ASN-2")
    # A cancelled order may share the pallet with another cancelled one and with a live one.
    _insert(engine, "ASN-3", status="cancelled")
    assert _ssccs(engine) == {"ASN-1": PALLET, "ASN-2": PALLET, "ASN-3": PALLET}


def test_migrating_keeps_the_oldest_live_orders_sscc_and_says_what_it_dropped(
        engine: Engine, wh: Warehouse) -> None:
    downgrade(engine, "0024")
    for reference, status in (("ASN-1", "cancelled"), ("ASN-2", "open"), ("ASN-3", "receiving"),
                              ("ASN-4", "closed")):
        _insert(engine, reference, status)
    upgrade(engine)
    assert current_revision(engine) == head_revision() and schema_diff(engine) == []
    assert _ssccs(engine) == {"ASN-1": PALLET, "ASN-2": PALLET, "ASN-3": None, "ASN-4": None}
    with engine.connect() as conn:
        details = conn.execute(text("SELECT detail FROM audit_event WHERE event = 'migration' "
                                    "ORDER BY detail")).scalars().all()
    assert details == [f"inbound order {ref}: SSCC {PALLET} dropped, an older order has it"
                       for ref in ("ASN-3", "ASN-4")]


@pytest.mark.postgres
@pytest.mark.slow
def test_two_imports_racing_for_one_pallet_on_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both imports pass the check before either writes: the index refuses the second insert,
    the unit of work retries a unique violation, and the retry sees the first order and refuses
    the row by name; one order holds the pallet."""
    engine = fresh_pg_engine()
    build_warehouse(engine)
    both_checked = threading.Barrier(2)
    checked_once: set[int] = set()
    real_check = SqlInbound.orders_by_sscc

    def check_then_wait(self: SqlInbound, sscc: str) -> Any:
        found = real_check(self, sscc)
        if threading.get_ident() not in checked_once:
            checked_once.add(threading.get_ident())
            both_checked.wait(timeout=30)
        return found

    monkeypatch.setattr(SqlInbound, "orders_by_sscc", check_then_wait)
    reports: dict[str, ImportReport] = {}

    def import_(reference: str) -> None:
        reports[reference] = import_inbound_orders(lambda: SqlUnitOfWork(engine),
                                                   [_row(reference)])

    threads = [threading.Thread(target=import_, args=(ref,)) for ref in ("ASN-A", "ASN-B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(reports) == ["ASN-A", "ASN-B"]
    winners = [ref for ref, report in reports.items() if report.ok]
    assert len(winners) == 1, {ref: r.errors for ref, r in reports.items()}
    loser = "ASN-B" if winners == ["ASN-A"] else "ASN-A"
    assert reports[loser].errors == [
        f"row 2: sscc: SSCC {PALLET} is already announced on order {winners[0]}"]
    assert _ssccs(engine) == {winners[0]: PALLET}
    engine.dispose()
