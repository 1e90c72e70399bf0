"""Migration 0024 on SQLite and PostgreSQL: inbound_order.status takes 'cancelled', orders an
older `wms order cancel` left closed become cancelled by their audit row, and the way back maps
them to closed and refuses 'cancelled' again."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from tests.db.test_migrations import schema_diff
from tests.factories import Warehouse
from wms_tui.db.migrate import current_revision, downgrade, head_revision, upgrade
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.inbound import ReceiveLine, import_inbound_orders, receive_line
from wms_tui.domain.inbound.cancels import cancel_inbound_order

Uow = Callable[[], SqlUnitOfWork]
REFS = ("PO-1", "PO-10", "PO-2", "PO-3", "PO-4")


def statuses(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT reference, status FROM inbound_order"))
        return {ref: status for ref, status in rows}


def five_orders(uow: Uow, wh: Warehouse) -> None:
    """PO-1 cancelled, PO-10 received in full, PO-2 to be cancelled the old way, PO-3 and PO-4
    left open."""
    report = import_inbound_orders(uow, [
        {"reference": ref, "line_no": "1", "sku": "WIDGET", "quantity": "2", "uom": "EA"}
        for ref in REFS])
    assert report.ok, report.errors
    cancel_inbound_order(uow, wh.supervisor, "PO-1")
    with uow() as u:
        full = u.inbound.order_by_reference("PO-10")
        assert full is not None
    receive_line(uow, wh.operator, ReceiveLine(wh.widget, 2, order_id=full.id), "K1")


def cancel_the_old_way(engine: Engine) -> None:
    """What `wms order cancel` did before 0024 to PO-2: closed, with a "closed" audit row. PO-4
    is closed too, but its row is an outbound order's of the same reference."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE inbound_order SET status = 'closed' "
                          "WHERE reference IN ('PO-2', 'PO-4')"))
        for detail in ("inbound order PO-2: closed; reason: dup",
                       "order PO-4: 0 task(s) cancelled"):
            conn.execute(text(
                "INSERT INTO audit_event (at, event, login, terminal, detail) "
                "VALUES (CURRENT_TIMESTAMP, 'cancel', 'SUP1', '', :d)"), {"d": detail})


def test_down_and_up_again_turns_every_cancelled_order_cancelled(
        engine: Engine, wh: Warehouse) -> None:
    uow: Uow = lambda: SqlUnitOfWork(engine)  # noqa: E731
    five_orders(uow, wh)
    assert statuses(engine) == {"PO-1": "cancelled", "PO-10": "closed", "PO-2": "open",
                                "PO-3": "open", "PO-4": "open"}
    downgrade(engine, "0023")
    assert statuses(engine)["PO-1"] == "closed"
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("UPDATE inbound_order SET status = 'cancelled'"))
    cancel_the_old_way(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    # Only orders with an inbound cancel's audit row are recognised: PO-10 (a prefix of whose
    # reference is PO-1) was received in full, and PO-4's row is an outbound order's.
    assert statuses(engine) == {"PO-1": "cancelled", "PO-10": "closed", "PO-2": "cancelled",
                                "PO-3": "open", "PO-4": "closed"}
    assert schema_diff(engine) == []
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("UPDATE inbound_order SET status = 'void'"))
    with engine.begin() as conn:
        conn.execute(text("UPDATE inbound_order SET status = 'cancelled' "
                          "WHERE reference = 'PO-3'"))
    assert statuses(engine)["PO-3"] == "cancelled"
