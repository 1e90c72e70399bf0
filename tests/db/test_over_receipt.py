"""Supervisor over-receipts against the real database: deliberate (confirmed, with a reason), on
the ledger with the approving supervisor, and listed among the supervisor's open exceptions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from tests.factories import Warehouse
from wms_tui.db.tables import IdempotencyRecord, Movement, ReasonCode
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.errors import BadInput
from wms_tui.domain.flows.base import Fact, InputKind, Tone
from wms_tui.domain.flows.receive import ReceiveFlow
from wms_tui.domain.inbound import (
    InboundServicesMixin,
    OverReceipt,
    ReceiveLine,
    UnconfirmedOverReceipt,
    import_inbound_orders,
    receive_line,
)
from wms_tui.domain.rf_services import WarehouseServices
from wms_tui.domain.stock import ledger_mismatches
from wms_tui.domain.supervisor import ExceptionKind, open_exceptions

Uow = Callable[[], SqlUnitOfWork]


class Services(InboundServicesMixin, WarehouseServices):
    pass


def import_po_36(uow: Uow) -> int:
    """The field report's order: 36 EA of WIDGET, no tolerance; and 10 BOLT."""
    report = import_inbound_orders(uow, [
        {"reference": "PO-36", "line_no": "1", "sku": "WIDGET", "quantity": "36"},
        {"reference": "PO-36", "line_no": "2", "sku": "BOLT", "quantity": "10"},
    ])
    assert report.ok, report.errors
    with uow() as u:
        order = u.inbound.order_by_reference("PO-36")
        assert order is not None
        return order.id


def movements(engine: Engine) -> list[Movement]:
    with Session(engine) as s:
        return list(s.execute(select(Movement).order_by(col(Movement.id))).scalars())


def received(uow: Uow, order_id: int) -> list[int]:
    with uow() as u:
        return [ln.received for ln in u.inbound.lines(order_id)]


def test_5000_against_36_is_confirmed_then_posted_with_its_reason_and_supervisor(
        uow: Uow, wh: Warehouse, engine: Engine) -> None:
    order_id = import_po_36(uow)
    flow = ReceiveFlow(wh.supervisor, Services(uow))
    flow.submit("PO-36")
    flow.submit("WIDGET")
    step = flow.submit("5000")
    assert (step.name, step.input, step.prompt) == ("over", InputKind.YESNO, "Receive over?")
    assert step.facts[0] == Fact("Over by", "4964 EA")
    assert movements(engine) == []
    step = flow.submit("1")
    assert (step.name, step.input) == ("reason", InputKind.CHOICE)
    assert movements(engine) == []
    step = flow.submit("1")
    assert (step.tone, step.message) == (Tone.SUCCESS, "Rcvd 5000 EA WIDGET")
    [movement] = movements(engine)
    assert (movement.kind, movement.quantity, movement.reference, movement.reason_code) == (
        "receive", 5000, "PO-36", "OVER-SHIP")
    assert movement.user_id == movement.approved_by == wh.supervisor.user_id
    assert received(uow, order_id) == [5000, 0]
    with uow() as u:
        assert ledger_mismatches(u) == []


def test_two_at_the_question_goes_back_to_the_quantity_and_posts_nothing(
        uow: Uow, wh: Warehouse, engine: Engine) -> None:
    order_id = import_po_36(uow)
    flow = ReceiveFlow(wh.supervisor, Services(uow))
    flow.submit("PO-36")
    flow.submit("WIDGET")
    flow.submit("5000")
    step = flow.submit("2")
    assert (step.name, step.tone) == ("qty", Tone.NONE)
    assert movements(engine) == []
    assert received(uow, order_id) == [0, 0]
    with Session(engine) as s:
        assert s.execute(select(func.count()).select_from(IdempotencyRecord)).scalar() == 0
    assert flow.submit("36").message == "Rcvd 36 EA WIDGET"
    assert [m.reason_code for m in movements(engine)] == [None]


def test_an_over_receipt_needs_a_supervisor_and_one_of_the_reasons(
        uow: Uow, wh: Warehouse, engine: Engine) -> None:
    order_id = import_po_36(uow)
    over = ReceiveLine(wh.widget, 5000, order_id=order_id)
    with pytest.raises(UnconfirmedOverReceipt, match="5000 EA of WIDGET is 4964 over line 1"):
        receive_line(uow, wh.supervisor, over, "K1")
    with pytest.raises(BadInput, match="COUNT is not an over-receipt reason"):
        receive_line(uow, wh.supervisor, ReceiveLine(wh.widget, 5000, order_id=order_id,
                                                     reason_code="COUNT"), "K2")
    with pytest.raises(OverReceipt):
        receive_line(uow, wh.operator, ReceiveLine(wh.widget, 5000, order_id=order_id,
                                                   reason_code="OVER-SHIP"), "K3")
    assert movements(engine) == []
    # Within the line a reason means nothing: no exception, no approver.
    receive_line(uow, wh.supervisor, ReceiveLine(wh.widget, 30, order_id=order_id,
                                                 reason_code="OVER-SHIP"), "K4")
    assert [(m.reason_code, m.approved_by) for m in movements(engine)] == [(None, None)]


def test_over_receipts_are_open_exceptions_with_expected_received_and_reason(
        uow: Uow, wh: Warehouse, engine: Engine) -> None:
    order_id = import_po_36(uow)
    receive_line(uow, wh.operator, ReceiveLine(wh.widget, 30, order_id=order_id), "K1")
    receive_line(uow, wh.supervisor, ReceiveLine(wh.widget, 4970, order_id=order_id,
                                                 reason_code="OVER-SHIP"), "K2")
    # The same reason again: its reason_code row is made once.
    receive_line(uow, wh.supervisor, ReceiveLine(wh.heavy, 12, order_id=order_id,
                                                 reason_code="OVER-SHIP"), "K3")
    with uow() as u:
        found = open_exceptions(u, datetime.now(UTC))
        later = open_exceptions(u, datetime.now(UTC) + timedelta(days=8))
    assert [(e.kind, e.reference, e.sku, e.location, e.quantity, e.expected, e.received,
             e.reason, e.user) for e in found] == [
        (ExceptionKind.OVER_RECEIPT, "PO-36", "WIDGET", "DOCK-1", 4970, 36, 5000, "OVER-SHIP",
         "SUP1"),
        (ExceptionKind.OVER_RECEIPT, "PO-36", "BOLT", "DOCK-1", 12, 10, 12, "OVER-SHIP", "SUP1"),
    ]
    assert later == []
    with Session(engine) as s:
        reason = s.get(ReasonCode, "OVER-SHIP")
        assert reason is not None and (reason.kind, reason.active) == ("over_receipt", True)
