"""A cancelled inbound order says cancelled, on SQLite and PostgreSQL: in the database, to a
second cancel, and to everything that would receive against it (the receipt service, RF
receive, a pallet SSCC, the practice scanner, a re-import); an order received in full stays
closed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine, text

from tests.factories import Warehouse
from wms_tui.db.uow import SqlUnitOfWork, uow_factory
from wms_tui.demo.scanner import DemoCatalog
from wms_tui.domain.errors import BadInput
from wms_tui.domain.flows.base import Tone
from wms_tui.domain.flows.receive import ReceiveFlow
from wms_tui.domain.inbound import (
    InboundStatus,
    ReceiveLine,
    find_order,
    import_inbound_orders,
    receive_line,
)
from wms_tui.domain.inbound.cancels import cancel_inbound_order
from wms_tui.domain.rf_services import RfBackend
from wms_tui.domain.stock import ledger_mismatches

Uow = Callable[[], SqlUnitOfWork]
SSCC_CANCELLED = "095011015300000010"
SSCC_LIVE = "095011015300000027"
ASN_1 = [{"reference": "ASN-1", "supplier": "ACME", "line_no": "1", "sku": "WIDGET",
          "quantity": "5", "uom": "EA", "order_sscc": SSCC_CANCELLED}]


def imported(uow: Uow, rows: list[dict[str, str]]) -> None:
    report = import_inbound_orders(uow, rows)
    assert report.ok, report.errors


def order_id(uow: Uow, ref: str) -> int:
    with uow() as u:
        order = u.inbound.order_by_reference(ref)
        assert order is not None
        return order.id


def stored_status(engine: Engine, ref: str) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT status FROM inbound_order WHERE reference = :r"),
                                {"r": ref}).scalar_one())


@pytest.fixture
def cancelled(uow: Uow, wh: Warehouse) -> int:
    """ASN-1 (pallet SSCC_CANCELLED) cancelled; ASN-2 (pallet SSCC_LIVE) open."""
    imported(uow, [*ASN_1, {"reference": "ASN-2", "supplier": "ACME", "line_no": "1",
                            "sku": "WIDGET", "quantity": "5", "uom": "EA",
                            "order_sscc": SSCC_LIVE}])
    cancel_inbound_order(uow, wh.supervisor, "ASN-1", reason="sent twice")
    return order_id(uow, "ASN-1")


def test_a_cancelled_order_is_cancelled_and_a_second_cancel_says_so(
        uow: Uow, wh: Warehouse, engine: Engine, cancelled: int) -> None:
    assert stored_status(engine, "ASN-1") == "cancelled"
    with uow() as u:
        assert u.inbound.order(cancelled).status is InboundStatus.CANCELLED
    with pytest.raises(BadInput, match="order ASN-1 is cancelled: nothing to cancel"):
        cancel_inbound_order(uow, wh.supervisor, "ASN-1", key="second")
    with engine.connect() as conn:
        details = conn.execute(text("SELECT detail FROM audit_event WHERE event = 'cancel'"))
        assert details.scalars().all() == ["inbound order ASN-1: cancelled; reason: sent twice"]


def test_the_receipt_service_and_rf_receive_refuse_a_cancelled_order(
        uow: Uow, wh: Warehouse, engine: Engine, cancelled: int) -> None:
    with pytest.raises(BadInput, match=r"^order ASN-1 is cancelled$"):
        receive_line(uow, wh.operator, ReceiveLine(wh.widget, 1, order_id=cancelled), "K1")
    flow = ReceiveFlow(wh.operator, RfBackend(uow_factory(engine)))
    for scan in ("ASN-1", f"]C100{SSCC_CANCELLED}"):
        step = flow.submit(scan)
        assert (step.name, step.tone, step.message) == (
            "order", Tone.ERROR, "Order ASN-1 cancelled: scan another"), scan
    with uow() as u:
        assert [ln.received for ln in u.inbound.lines(cancelled)] == [0]
        assert ledger_mismatches(u) == []


def test_a_terminal_already_on_the_order_is_refused_once_it_is_cancelled(
        uow: Uow, wh: Warehouse, engine: Engine) -> None:
    imported(uow, ASN_1)
    flow = ReceiveFlow(wh.operator, RfBackend(uow_factory(engine)))
    assert flow.submit("ASN-1").name == "item"
    cancel_inbound_order(uow, wh.supervisor, "ASN-1")
    flow.submit("WIDGET")
    step = flow.submit("1")
    assert (step.tone, step.message) == (Tone.ERROR, "order ASN-1 is cancelled")
    with uow() as u:
        assert [ln.received for ln in u.inbound.lines(order_id(uow, "ASN-1"))] == [0]


def test_a_cancelled_orders_pallet_sscc_does_not_match_over_a_live_order(
        uow: Uow, engine: Engine, cancelled: int) -> None:
    live = order_id(uow, "ASN-2")
    # The import refuses one pallet on two orders; older data may still hold such a pair.
    with engine.begin() as conn:
        conn.execute(text("UPDATE inbound_line SET sscc = :s WHERE order_id = :o"),
                     {"s": SSCC_CANCELLED, "o": live})
    with uow() as u:
        match = find_order(u, f"]C100{SSCC_CANCELLED}")
        assert match is not None and match.order.reference == "ASN-2"


def test_a_pallet_the_cancelled_order_announced_is_received_on_another_order(
        wh: Warehouse, engine: Engine, cancelled: int) -> None:
    flow = ReceiveFlow(wh.operator, RfBackend(uow_factory(engine)))
    assert flow.submit(f"]C100{SSCC_LIVE}").name == "item"
    step = flow.submit(f"]C100{SSCC_CANCELLED}")
    assert (step.tone, step.message) == (Tone.SUCCESS, f"Pallet {SSCC_CANCELLED}")
    flow.submit("WIDGET")
    assert flow.submit("5").message == "Rcvd 5 EA WIDGET Order done"
    assert (stored_status(engine, "ASN-2"), stored_status(engine, "ASN-1")) == (
        "closed", "cancelled")


def test_the_practice_scanner_does_not_offer_a_cancelled_order(
        engine: Engine, cancelled: int) -> None:
    offered = [code for _label, code in DemoCatalog(engine).open_inbound()]
    assert offered == ["ASN-2", SSCC_LIVE]


def test_re_importing_a_cancelled_order_does_not_reopen_it(
        uow: Uow, engine: Engine, cancelled: int) -> None:
    again = import_inbound_orders(uow, ASN_1)
    assert again.ok and again.unchanged == 1
    changed = import_inbound_orders(uow, [{**ASN_1[0], "quantity": "6"}])
    assert changed.errors == ["row 2: reference: order ASN-1 is cancelled: it cannot change"]
    assert stored_status(engine, "ASN-1") == "cancelled"
    with uow() as u:
        assert [ln.quantity for ln in u.inbound.lines(cancelled)] == [5]


def test_a_cancelled_orders_pallet_sscc_may_come_again_on_a_new_order(
        uow: Uow, wh: Warehouse, engine: Engine, cancelled: int) -> None:
    resent = [{**ASN_1[0], "reference": "ASN-3"}]
    imported(uow, resent)
    with uow() as u:
        match = find_order(u, f"]C100{SSCC_CANCELLED}")
        assert match is not None and match.order.reference == "ASN-3"
    flow = ReceiveFlow(wh.operator, RfBackend(uow_factory(engine)))
    assert flow.submit(f"]C100{SSCC_CANCELLED}").name == "item"
    flow.submit("WIDGET")
    assert flow.submit("5").message == "Rcvd 5 EA WIDGET Order done"
    assert (stored_status(engine, "ASN-3"), stored_status(engine, "ASN-1")) == (
        "closed", "cancelled")
    # Received on ASN-3, the pallet is taken again: neither a fourth order nor a line takes it.
    for row in ({**ASN_1[0], "reference": "ASN-4"},
                {**ASN_1[0], "reference": "ASN-4", "order_sscc": "", "sscc": SSCC_CANCELLED}):
        refused = import_inbound_orders(uow, [row])
        assert refused.errors == [
            f"row 2: sscc: SSCC {SSCC_CANCELLED} is already announced on order ASN-3"], row
    with uow() as u:
        match = find_order(u, f"]C100{SSCC_CANCELLED}")
        assert match is not None and match.order.reference == "ASN-3"


def test_an_open_orders_pallet_sscc_is_still_refused_on_another_order(
        uow: Uow, cancelled: int) -> None:
    for column in ("order_sscc", "sscc"):
        row = {**ASN_1[0], "reference": "ASN-5", "order_sscc": "", column: SSCC_LIVE}
        refused = import_inbound_orders(uow, [row])
        assert refused.errors == [
            f"row 2: sscc: SSCC {SSCC_LIVE} is already announced on order ASN-2"], column
    with uow() as u:
        assert u.inbound.order_by_reference("ASN-5") is None
