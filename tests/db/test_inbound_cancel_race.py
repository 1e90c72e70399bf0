"""A receipt against an inbound order and a supervisor cancelling that order, each on their own
connection, at the same instant: whichever goes first, the other is refused. Before the receipt
took the order's lock, PostgreSQL could commit both: a cancelled order with stock received
against it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from tests.db.test_pick_race import together
from tests.factories import Warehouse
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.errors import BadInput
from wms_tui.domain.inbound import InboundStatus, ReceiveLine, import_inbound_orders, receive_line
from wms_tui.domain.inbound.cancels import cancel_inbound_order
from wms_tui.domain.stock import ledger_mismatches, new_confirmation_key

ROUNDS = 12
pytestmark = pytest.mark.slow


def outcome(work: Callable[[], object]) -> str:
    try:
        work()
    except BadInput as refused:
        return f"refused: {refused}"
    return "done"


def test_a_receipt_and_a_cancel_of_its_order_never_both_go_through(
        engine: Engine, wh: Warehouse, own_engines: list[Engine]) -> None:
    for round_no in range(ROUNDS):
        race(engine, wh, own_engines, f"ASN-R{round_no}")
    with SqlUnitOfWork(engine) as u:
        assert ledger_mismatches(u) == []


def race(engine: Engine, wh: Warehouse, own_engines: list[Engine], ref: str) -> None:
    """One receipt of 5 against a 100-unit order, racing a cancel of the order."""
    report = import_inbound_orders(lambda: SqlUnitOfWork(engine), [{
        "reference": ref, "line_no": "1", "sku": "WIDGET", "quantity": "100", "uom": "EA"}])
    assert report.ok, report.errors
    with SqlUnitOfWork(engine) as u:
        order = u.inbound.order_by_reference(ref)
        assert order is not None
    receiver, canceller = own_engines
    received, cancelled = together(
        lambda: outcome(lambda: receive_line(
            lambda: SqlUnitOfWork(receiver), wh.operator,
            ReceiveLine(wh.widget, 5, order_id=order.id), new_confirmation_key())),
        lambda: outcome(lambda: cancel_inbound_order(
            lambda: SqlUnitOfWork(canceller), wh.supervisor, ref)),
    )
    with SqlUnitOfWork(engine) as u:
        [line] = u.inbound.lines(order.id)
        status = u.inbound.order(order.id).status
    if cancelled == "done":
        assert received == f"refused: order {ref} is cancelled"
        assert (status, line.received) == (InboundStatus.CANCELLED, 0)
    else:
        assert received == "done"
        assert cancelled == (f"refused: order {ref} has 5 unit(s) received: "
                             "it cannot be cancelled")
        assert (status, line.received) == (InboundStatus.RECEIVING, 5)
