"""Cancelling outbound orders, waves and tasks and inbound orders, on SQLite and PostgreSQL:
reservations released whole, lines given back, picked units accounted for, once per key."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from tests.db.outbound_site import TODAY, Site
from tests.factories import Warehouse
from wms_tui.db.tables import AuditEvent, Movement, OutboxEvent
from wms_tui.domain.errors import BadInput, NotFound, PermissionDenied
from wms_tui.domain.inbound import ReceiveLine, import_inbound_orders, receive_line
from wms_tui.domain.inbound.cancels import cancel_inbound_order
from wms_tui.domain.outbound import (
    OutboundStatus,
    PickScope,
    TaskKind,
    TaskStatus,
    WaveReport,
    WaveStatus,
    confirm_pick,
    next_task,
    release_wave,
)
from wms_tui.domain.outbound.cancels import PickedUnits, cancel_order, cancel_task, cancel_wave


@pytest.fixture
def site(engine: Engine, wh: Warehouse) -> Site:
    return Site.build(engine, wh)


def released(site: Site, ref: str = "SO-1", qty: int = 6) -> WaveReport:
    """An order for qty widgets, released: one pick task on the pick face."""
    site.receive(site.wh.widget, 10, site.wh.pick)
    site.orders((ref, "ACME", "", "", "1", "WIDGET", str(qty), "EA"))
    return release_wave(site.uow, site.wh.supervisor, refs=[ref], today=TODAY)


def pick(site: Site, wave: WaveReport, qty: int | None = None) -> None:
    """Pick qty (default: all) of the wave's next task into TOTE-1."""
    task = next_task(site.uow, site.wh.operator, TaskKind.PICK,
                     PickScope("wave", wave.wave_id, wave.code))
    assert task is not None
    confirm_pick(site.uow, site.wh.operator, task.id, qty or task.remaining,
                 to_location_id=site.tote1, today=TODAY)


def audit_details(engine: Engine) -> list[str]:
    with Session(engine) as s:
        return [e.detail for e in s.execute(
            select(AuditEvent).where(col(AuditEvent.event) == "cancel")).scalars()]


def test_cancelling_a_released_order_releases_its_tasks_once(site: Site) -> None:
    wave = released(site)
    assert site.balance(site.wh.widget, site.wh.pick) == (10, 6)
    result = cancel_order(site.uow, site.wh.supervisor, "so-1", reason="customer called")
    assert (result.tasks, result.released) == ([wave.tasks[0].task_id], 6)
    assert site.balance(site.wh.widget, site.wh.pick) == (10, 0)
    assert site.reserved_refs(site.wh.widget) == {}
    assert site.order("SO-1").status is OutboundStatus.CANCELLED
    assert [ln.allocated for ln in site.lines("SO-1")] == [0]
    with site.uow() as u:
        assert u.outbound.wave(wave.wave_id).status is WaveStatus.DONE
        assert u.outbound.task(wave.tasks[0].task_id).status is TaskStatus.CANCELLED
    assert audit_details(site.engine) == [
        "order SO-1: 1 task(s) cancelled, 6 released; reason: customer called"]
    again = cancel_order(site.uow, site.wh.supervisor, "SO-1")
    assert again.replayed and again.tasks == result.tasks
    assert len(audit_details(site.engine)) == 1
    assert site.exact() == []


def test_an_order_with_picked_units_is_refused_until_told_what_happens_to_them(
        site: Site) -> None:
    wave = released(site)
    pick(site, wave, 4)
    with pytest.raises(BadInput) as refused:
        cancel_order(site.uow, site.wh.supervisor, "SO-1")
    assert str(refused.value) == (
        "order SO-1 has 4 picked unit(s) in TOTE-1: add --picked return-to-stock --to "
        "LOCATION, or --picked keep")
    assert site.order("SO-1").status is OutboundStatus.PICKING
    assert site.balance(site.wh.widget, site.wh.pick) == (6, 2)
    with pytest.raises(BadInput, match="--to LOCATION"):
        cancel_order(site.uow, site.wh.supervisor, "SO-1",
                     picked=PickedUnits.RETURN_TO_STOCK)
    with pytest.raises(BadInput, match="TOTE-2 is a tote or staging location"):
        cancel_order(site.uow, site.wh.supervisor, "SO-1",
                     picked=PickedUnits.RETURN_TO_STOCK, to_location="TOTE-2")
    assert site.balance(site.wh.widget, site.tote1) == (4, 0)
    assert site.exact() == []


def test_return_to_stock_moves_the_picked_units_back_through_the_ledger(site: Site) -> None:
    wave = released(site)
    pick(site, wave, 4)
    before = {m.id for m in site.movements()}
    result = cancel_order(site.uow, site.wh.supervisor, "SO-1",
                          picked=PickedUnits.RETURN_TO_STOCK, to_location="A-01-01-1")
    assert (result.picked, result.returned, result.returned_to) == (4, 4, "A-01-01-1")
    assert result.released == 2
    assert site.balance(site.wh.widget, site.tote1) == (0, 0)
    assert site.balance(site.wh.widget, site.wh.a1) == (4, 0)
    assert site.balance(site.wh.widget, site.wh.pick) == (6, 0)
    [back] = [m for m in site.movements() if m.id not in before]
    assert (back.kind, back.quantity, back.from_location_id, back.to_location_id,
            back.reference) == ("move", 4, site.tote1, site.wh.a1, "SO-1")
    assert back.id in result.movement_ids
    with Session(site.engine) as s:
        assert s.execute(select(OutboxEvent).where(
            col(OutboxEvent.movement_id) == back.id)).first() is not None
    assert site.order("SO-1").status is OutboundStatus.CANCELLED
    assert site.exact() == []


def test_keep_leaves_the_picked_units_in_the_tote(site: Site) -> None:
    wave = released(site)
    pick(site, wave, 4)
    moves = len(site.movements())
    result = cancel_order(site.uow, site.wh.supervisor, "SO-1", picked=PickedUnits.KEEP)
    assert (result.picked, result.kept_in, result.movement_ids) == (4, ["TOTE-1"], [])
    assert len(site.movements()) == moves
    assert site.balance(site.wh.widget, site.tote1) == (4, 0)
    assert site.balance(site.wh.widget, site.wh.pick) == (6, 0)
    assert site.exact() == []


def test_a_shipped_or_cancelled_order_and_an_operator_are_refused(site: Site) -> None:
    released(site)
    with pytest.raises(PermissionDenied):
        cancel_order(site.uow, site.wh.operator, "SO-1")
    with pytest.raises(NotFound, match="no outbound order NOPE"):
        cancel_order(site.uow, site.wh.supervisor, "NOPE")
    cancel_order(site.uow, site.wh.supervisor, "SO-1")
    with pytest.raises(BadInput, match="order SO-1 is cancelled: nothing to cancel"):
        cancel_order(site.uow, site.wh.supervisor, "SO-1", key="another key")


def test_cancelling_a_wave_reopens_its_orders_for_a_new_wave(site: Site) -> None:
    site.receive(site.wh.widget, 10, site.wh.pick)
    site.orders(("SO-1", "", "", "", "1", "WIDGET", "3", "EA"),
                ("SO-2", "", "", "", "1", "WIDGET", "4", "EA"))
    wave = release_wave(site.uow, site.wh.supervisor, refs=["SO-1", "SO-2"], today=TODAY)
    pick(site, wave)  # the walk's first task, all of its order
    picked_ref = next(ref for ref in ("SO-1", "SO-2") if site.lines(ref)[0].picked)
    other = "SO-2" if picked_ref == "SO-1" else "SO-1"
    left = site.lines(other)[0].quantity
    result = cancel_wave(site.uow, site.wh.supervisor, wave.code)
    assert len(result.tasks) == 1 and result.released == left
    assert result.reopened == [other]
    assert site.order(other).status is OutboundStatus.OPEN
    assert site.order(other).wave_id is None
    assert site.order(picked_ref).status is OutboundStatus.PICKED
    assert site.reserved_refs(site.wh.widget) == {}
    with site.uow() as u:
        assert u.outbound.wave(wave.wave_id).status is WaveStatus.CANCELLED
    again = release_wave(site.uow, site.wh.supervisor, refs=[other], today=TODAY)
    assert [t.quantity for t in again.tasks] == [left]
    with pytest.raises(BadInput,
                       match=f"wave {wave.code} is cancelled: nothing open to cancel"):
        cancel_wave(site.uow, site.wh.supervisor, wave.code, key="second")
    # The picked order still names the wave; cancelling it leaves the wave cancelled.
    cancel_order(site.uow, site.wh.supervisor, picked_ref, picked=PickedUnits.KEEP)
    with site.uow() as u:
        assert u.outbound.wave(wave.wave_id).status is WaveStatus.CANCELLED
    assert site.exact() == []


def test_cancelling_a_task_gives_its_rest_back_to_the_line(site: Site) -> None:
    wave = released(site)
    pick(site, wave, 2)
    task_id = wave.tasks[0].task_id
    result = cancel_task(site.uow, site.wh.supervisor, task_id)
    assert (result.tasks, result.released) == ([task_id], 4)
    [line] = site.lines("SO-1")
    assert (line.allocated, line.picked, line.unallocated) == (2, 2, 4)
    assert site.balance(site.wh.widget, site.wh.pick) == (8, 0)
    assert cancel_task(site.uow, site.wh.supervisor, task_id).replayed
    with pytest.raises(BadInput, match=f"task {task_id} is cancelled already"):
        cancel_task(site.uow, site.wh.supervisor, task_id, key="other")
    with pytest.raises(NotFound, match="no task 999999"):
        cancel_task(site.uow, site.wh.supervisor, 999999)
    assert site.exact() == []


def test_an_inbound_order_is_cancelled_unless_something_was_received(site: Site) -> None:
    cols = ("reference", "supplier", "expected_date", "line_no", "sku", "quantity", "uom")
    report = import_inbound_orders(site.uow, [
        dict(zip(cols, ("PO-1", "ACME", "", "1", "WIDGET", "5", "EA"), strict=True)),
        dict(zip(cols, ("PO-2", "ACME", "", "1", "WIDGET", "5", "EA"), strict=True)),
    ])
    assert report.ok, report.errors
    with site.uow() as u:
        po1, po2 = (u.inbound.order_by_reference(r) for r in ("PO-1", "PO-2"))
        assert po1 is not None and po2 is not None
    receive_line(site.uow, site.wh.operator, ReceiveLine(site.wh.widget, 1, order_id=po2.id))
    result = cancel_inbound_order(site.uow, site.wh.supervisor, "PO-1", reason="dup")
    assert result.cancelled == "inbound order PO-1"
    with pytest.raises(BadInput, match="order PO-2 has 1 unit\\(s\\) received"):
        cancel_inbound_order(site.uow, site.wh.supervisor, "PO-2")
    with pytest.raises(BadInput, match="order PO-1 is cancelled"):
        receive_line(site.uow, site.wh.operator, ReceiveLine(site.wh.widget, 1,
                                                             order_id=po1.id))
    with pytest.raises(BadInput, match="order PO-1 is cancelled: nothing to cancel"):
        cancel_inbound_order(site.uow, site.wh.supervisor, "PO-1", key="second")
    with site.uow() as u:
        assert [u.inbound.order_by_reference(r).status.value  # type: ignore[union-attr]
                for r in ("PO-1", "PO-2")] == ["cancelled", "receiving"]
    assert audit_details(site.engine) == ["inbound order PO-1: cancelled; reason: dup"]
    with Session(site.engine) as s:
        assert s.execute(select(Movement).where(
            col(Movement.reference) == "PO-1")).first() is None
