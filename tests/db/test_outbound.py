"""Outbound against the real database: import, wave release, picks, shorts, zero checks and
replenishment, each one transaction with the ledger exact afterwards."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from tests.db.outbound_site import TODAY, Site, rows
from tests.factories import Warehouse
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.errors import (
    BadInput,
    InvalidQuantity,
    NotFound,
    PermissionDenied,
    ScanRejected,
)
from wms_tui.domain.model import MovementKind, StockStatus
from wms_tui.domain.outbound import (
    OutboundStatus,
    PickScope,
    TaskKind,
    TaskRef,
    TaskStatus,
    WaveReport,
    WaveStatus,
    answer_zero_check,
    check_substitute,
    confirm_pick,
    confirm_replenishment,
    find_scope,
    import_outbound_orders,
    next_task,
    release_wave,
    short_pick,
)

EXPIRY = date(2099, 12, 31)


@pytest.fixture
def site(engine: Engine, wh: Warehouse) -> Site:
    return Site.build(engine, wh)


def release(site: Site, *refs: str) -> WaveReport:
    return release_wave(site.uow, site.wh.supervisor, refs=list(refs), today=TODAY)


def first_task(site: Site, scope: PickScope | None = None) -> TaskRef:
    task = next_task(site.uow, site.wh.operator, TaskKind.PICK, scope)
    assert task is not None
    return task


# Importing orders.


def test_import_stores_base_units_and_a_second_run_changes_nothing(site: Site) -> None:
    lines = [("so-1", "ACME", "2026-01-06", "2", "1", "WIDGET", "2", "CS"),
             ("SO-1", "ACME", "2026-01-06", "2", "2", "19501101530000", "1", ""),
             ("SO-2", "", "", "", "1", "SUP-W-1", "5", "")]
    first = import_outbound_orders(site.uow, rows(*lines))
    assert first.ok and (first.created, first.unchanged) == (3, 0), first.errors
    assert first.notes == ["orders: 2 created, 0 unchanged, 0 updated"]
    again = import_outbound_orders(site.uow, rows(*lines))
    assert (again.created, again.unchanged, again.updated) == (0, 3, 0)
    so1 = site.order("SO-1")
    assert (so1.customer, so1.ship_date, so1.priority, so1.status) == (
        "ACME", date(2026, 1, 6), 2, OutboundStatus.OPEN)
    assert [(ln.quantity, ln.uom, ln.factor) for ln in site.lines("SO-1")] == [
        (24, "CS", 12), (12, "CS", 12)]
    assert site.order("SO-2").priority == 5


def test_import_reports_every_bad_row_and_writes_nothing(site: Site) -> None:
    report = import_outbound_orders(site.uow, rows(
        ("SO-1", "", "2026-13-01", "0", "1", "NOPE", "2", "CS"),
        ("SO-1", "", "", "", "1", "WIDGET", "2", "XX"),
        ("SO 2", "", "", "", "1", "WIDGET", "0", ""),
    ))
    assert report.errors == [
        "row 2: ship_date: '2026-13-01' is not a date written YYYY-MM-DD",
        "row 2: priority: 0 is outside 1..9",
        "row 2: sku: no item with SKU, alias or GTIN 'NOPE'",
        "row 3: uom: unit 'XX' is not set up for this item (known: CS, EA)",
        # Found in the same run as the rest, not after they are mended (issue 14).
        "row 3: line_no: line 1 of order SO-1 is also on row 2",
        "row 4: reference: 'SO 2' may only hold letters, digits and . _ / -",
        "row 4: quantity: 0 is outside 1..1000000000",
    ]
    with site.uow() as u:
        assert u.outbound.order_by_reference("SO-1") is None


def test_a_released_order_cannot_change_but_reimports_unchanged(site: Site) -> None:
    site.receive(site.wh.widget, 30, site.wh.pick)
    line = ("SO-1", "", "", "", "1", "WIDGET", "5", "EA")
    site.orders(line)
    release(site, "SO-1")
    assert import_outbound_orders(site.uow, rows(line)).ok
    changed = import_outbound_orders(site.uow, rows((*line[:6], "6", "EA")))
    assert changed.errors == ["row 2: reference: order SO-1 is released: it cannot change"]


# Releasing waves.


def test_release_allocates_reserves_orders_in_walk_order_and_reports_the_rest(
        site: Site) -> None:
    wh = site.wh
    site.receive(wh.widget, 30, wh.pick)
    site.receive(wh.widget, 100, wh.a1)
    site.orders(("SO-1", "", "", "1", "1", "WIDGET", "2", "CS"),
                ("SO-1", "", "", "1", "2", "BOLT", "5", "EA"),
                ("SO-2", "", "", "3", "1", "WIDGET", "10", "EA"))
    report = release_wave(site.uow, wh.supervisor, today=TODAY)
    assert report.code == "W0001" and report.orders == ("SO-1", "SO-2")
    # The pick face first (24 of its 30 for SO-1, then 6 for SO-2), the rest from reserve;
    # tasks numbered in walk order: A-01-01-1 (walk 10) before P-01-01-1 (walk 30).
    assert [(t.seq, t.order, t.line_no, t.location, t.quantity) for t in report.tasks] == [
        (1, "SO-2", 1, "A-01-01-1", 4),
        (2, "SO-1", 1, "P-01-01-1", 24),
        (3, "SO-2", 1, "P-01-01-1", 6),
    ]
    [missing] = report.unallocated
    assert (missing.order, missing.line_no, missing.sku, missing.missing, missing.reason) == (
        "SO-1", 2, "BOLT", 5, "no stock on pick or reserve locations")
    assert site.balance(wh.widget, wh.pick) == (30, 30)
    assert site.balance(wh.widget, wh.a1) == (100, 4)
    assert sorted(site.reserved_refs(wh.widget).values()) == [4, 6, 24]
    assert [(ln.allocated, ln.unallocated) for ln in site.lines("SO-1")] == [(24, 0), (0, 5)]
    assert site.order("SO-1").status is OutboundStatus.RELEASED
    assert site.exact() == []


def test_release_never_allocates_reserved_or_held_stock(site: Site) -> None:
    wh = site.wh
    site.receive(wh.widget, 10, wh.pick)
    site.receive(wh.widget, 50, wh.a2, status=StockStatus.QC_HOLD)
    site.orders(("SO-1", "", "", "", "1", "WIDGET", "8", "EA"),
                ("SO-2", "", "", "", "1", "WIDGET", "8", "EA"))
    first = release(site, "SO-1")
    second = release(site, "SO-2")
    assert [t.quantity for t in first.tasks] == [8]
    assert [t.quantity for t in second.tasks] == [2]
    [missing] = second.unallocated
    assert (missing.missing, missing.reason) == (6, "only 2 EA free")
    third = import_outbound_orders(site.uow, rows(("SO-3", "", "", "", "1", "WIDGET", "1", "")))
    assert third.ok
    [none_left] = release(site, "SO-3").unallocated
    assert none_left.reason == "all stock is reserved for other tasks"
    assert second.code == "W0002"


def test_release_needs_a_supervisor_and_open_orders(site: Site) -> None:
    site.orders(("SO-1", "", "", "", "1", "WIDGET", "1", "EA"))
    with pytest.raises(PermissionDenied):
        release_wave(site.uow, site.wh.operator, refs=["SO-1"])
    with pytest.raises(NotFound, match="no outbound order SO-9"):
        release(site, "SO-9")
    release(site, "SO-1")
    with pytest.raises(BadInput, match="order SO-1 is released, not open"):
        release(site, "SO-1")
    with pytest.raises(NotFound, match="no open orders"):
        release_wave(site.uow, site.wh.supervisor)


def test_release_by_ship_date_and_priority(site: Site) -> None:
    site.receive(site.wh.widget, 100, site.wh.pick)
    site.orders(("SO-1", "", "2026-01-06", "1", "1", "WIDGET", "1", "EA"),
                ("SO-2", "", "2026-01-09", "1", "1", "WIDGET", "1", "EA"),
                ("SO-3", "", "2026-01-06", "7", "1", "WIDGET", "1", "EA"),
                ("SO-4", "", "", "1", "1", "WIDGET", "1", "EA"))
    report = release_wave(site.uow, site.wh.supervisor, ship_date=date(2026, 1, 7),
                          max_priority=5, today=TODAY)
    # Dated orders first; SO-4 has no ship date, so it is due now.
    assert report.orders == ("SO-1", "SO-4")


# Picking.


def test_pick_end_to_end_posts_ledger_task_line_order_and_wave_at_once(site: Site) -> None:
    wh = site.wh
    site.receive(wh.widget, 30, wh.pick)
    site.orders(("SO-1", "", "", "", "1", "WIDGET", "2", "CS"),
                ("SO-2", "", "", "", "1", "WIDGET", "6", "EA"))
    wave = release(site)
    scope = find_scope(site.uow, wave.code)
    assert scope == PickScope("wave", wave.wave_id, "W0001")
    task = first_task(site, scope)
    assert (task.order_ref, task.quantity, task.uom, task.factor, task.status) == (
        "SO-1", 24, "CS", 12, TaskStatus.IN_PROGRESS)
    # Asking again gives the operator the same task, already theirs.
    assert first_task(site).id == task.id
    result = confirm_pick(site.uow, wh.operator, task.id, 24, to_location_id=site.tote1,
                          key="PICK-1", today=TODAY)
    assert (result.task_status, result.order_status, result.location_empty) == (
        TaskStatus.DONE, OutboundStatus.PICKED, False)
    [_receipt, pick] = site.movements()
    assert (pick.kind, pick.quantity, pick.from_location_id, pick.to_location_id,
            pick.reference, pick.confirmation) == (MovementKind.PICK.value, 24, wh.pick,
                                                   site.tote1, "SO-1", "PICK-1")
    assert site.balance(wh.widget, wh.pick) == (6, 6)
    assert site.balance(wh.widget, site.tote1) == (24, 0)
    assert [(ln.picked, ln.allocated) for ln in site.lines("SO-1")] == [(24, 24)]
    with site.uow() as u:
        assert u.outbound.wave(wave.wave_id).status is WaveStatus.PICKING
    # The same key again posts nothing and answers the first result.
    again = confirm_pick(site.uow, wh.operator, task.id, 24, to_location_id=site.tote1,
                         key="PICK-1", today=TODAY)
    assert again.replayed and again.movement_ids == result.movement_ids
    assert len(site.movements()) == 2
    last = first_task(site)
    done = confirm_pick(site.uow, wh.operator, last.id, 6, to_location_id=site.tote2,
                        key="PICK-2", today=TODAY)
    assert done.location_empty and done.order_status is OutboundStatus.PICKED
    with site.uow() as u:
        assert u.outbound.wave(wave.wave_id).status is WaveStatus.DONE
    assert next_task(site.uow, wh.operator, TaskKind.PICK) is None
    assert site.exact() == []


def test_pick_refusals_post_nothing(site: Site) -> None:
    wh = site.wh
    site.receive(wh.widget, 30, wh.pick)
    site.orders(("SO-1", "", "", "", "1", "WIDGET", "5", "EA"))
    release(site)
    task = first_task(site)
    with pytest.raises(InvalidQuantity, match="Only 5 EA asked"):
        confirm_pick(site.uow, wh.operator, task.id, 6, to_location_id=site.tote1)
    with pytest.raises(BadInput, match="A-01-01-1 is not a tote or staging location"):
        confirm_pick(site.uow, wh.operator, task.id, 5, to_location_id=wh.a1)
    other = wh.admin.__class__(wh.operator.user_id + 99, "OP9", wh.operator.role, "T")
    with pytest.raises(Exception):  # noqa: B017 - the user does not exist nor own the task
        confirm_pick(site.uow, other, task.id, 5, to_location_id=site.tote1)
    assert len(site.movements()) == 1
    assert site.balance(wh.widget, wh.pick) == (30, 5)


def test_another_operators_task_is_refused(site: Site, engine: Engine) -> None:
    from sqlmodel import Session

    from wms_tui.db.tables import User
    from wms_tui.domain.model import Actor, Role
    with Session(engine) as s:
        user = User(login="OP2", name="Op2", role="operator", pin_hash="x")
        s.add(user)
        s.commit()
        op2 = Actor(user.id, "OP2", Role.OPERATOR, "T2")  # type: ignore[arg-type]
    site.receive(site.wh.widget, 30, site.wh.pick)
    site.orders(("SO-1", "", "", "", "1", "WIDGET", "5", "EA"))
    release(site)
    task = first_task(site)
    assert next_task(site.uow, op2, TaskKind.PICK) is None
    with pytest.raises(PermissionDenied, match="another operator"):
        confirm_pick(site.uow, op2, task.id, 5, to_location_id=site.tote1)
    # A supervisor may finish it for them.
    confirm_pick(site.uow, site.wh.supervisor, task.id, 5, to_location_id=site.tote1)


# Short picks.


def test_short_pick_posts_what_was_picked_reallocates_and_creates_a_count_task(
        site: Site) -> None:
    wh = site.wh
    site.receive(wh.widget, 30, wh.pick)
    site.receive(wh.widget, 100, wh.a1)
    site.orders(("SO-1", "", "", "", "1", "WIDGET", "10", "EA"))
    wave = release(site)
    task = first_task(site)
    assert task.location.id == wh.pick
    result = short_pick(site.uow, wh.operator, task.id, 4, "short", to_location_id=site.tote1,
                        key="SHORT-1", today=TODAY)
    assert (result.picked, result.reallocated, result.short) == (4, 6, 0)
    assert result.order_status is OutboundStatus.PICKING
    [count] = site.count_tasks()
    assert (count.id, count.location_id, count.item_id, count.trigger, count.status,
            count.requested_by) == (result.count_task_id, wh.pick, wh.widget, "short_pick",
                                    "open", wh.operator.user_id)
    with site.uow() as u:
        old = u.outbound.task(task.id)
        [new] = u.outbound.tasks(kind=TaskKind.PICK, statuses=(TaskStatus.OPEN,))
    assert (old.status, old.done_quantity, old.reason_code) == (TaskStatus.SHORT, 4, "SHORT")
    assert (new.wave_id, new.location.id, new.quantity, new.seq, new.id) == (
        wave.wave_id, wh.a1, 6, 1, result.new_task_ids[0])
    assert site.balance(wh.widget, wh.pick) == (26, 0)
    assert site.balance(wh.widget, wh.a1) == (100, 6)
    assert [(ln.allocated, ln.picked, ln.short) for ln in site.lines("SO-1")] == [(10, 4, 0)]
    again = short_pick(site.uow, wh.operator, task.id, 4, "SHORT", to_location_id=site.tote1,
                       key="SHORT-1", today=TODAY)
    assert again.replayed and len(site.count_tasks()) == 1
    confirm_pick(site.uow, wh.operator, new.id, 6, to_location_id=site.tote1, today=TODAY)
    assert site.order("SO-1").status is OutboundStatus.PICKED
    assert site.balance(wh.widget, site.tote1) == (10, 0)
    assert site.exact() == []


def test_short_pick_with_no_stock_elsewhere_reports_the_line_short(site: Site) -> None:
    wh = site.wh
    site.receive(wh.widget, 8, wh.pick)
    site.orders(("SO-1", "", "", "", "1", "WIDGET", "8", "EA"))
    release(site)
    task = first_task(site)
    result = short_pick(site.uow, wh.operator, task.id, 0, "DAMAGED", today=TODAY)
    assert (result.picked, result.reallocated, result.short, result.movement_ids) == (0, 0, 8, [])
    assert result.order_status is OutboundStatus.SHORT
    assert [(ln.allocated, ln.picked, ln.short) for ln in site.lines("SO-1")] == [(0, 0, 8)]
    assert site.balance(wh.widget, wh.pick) == (8, 0)
    # The same location short again: the open count task covers it.
    assert len(site.count_tasks()) == 1
    assert site.exact() == []


def test_short_pick_refusals(site: Site) -> None:
    wh = site.wh
    site.receive(wh.widget, 8, wh.pick)
    site.orders(("SO-1", "", "", "", "1", "WIDGET", "8", "EA"))
    release(site)
    task = first_task(site)
    with pytest.raises(InvalidQuantity, match="Short means less than 8"):
        short_pick(site.uow, wh.operator, task.id, 8, "SHORT", to_location_id=site.tote1)
    with pytest.raises(BadInput, match="unknown reason code 'NOPE'"):
        short_pick(site.uow, wh.operator, task.id, 0, "NOPE")
    with pytest.raises(BadInput, match="scan a tote"):
        short_pick(site.uow, wh.operator, task.id, 3, "SHORT")
    assert site.count_tasks() == [] and len(site.movements()) == 1


# Zero checks.


def test_zero_check_no_creates_one_count_task_yes_creates_none(site: Site) -> None:
    wh = site.wh
    site.receive(wh.widget, 5, wh.pick)
    site.orders(("SO-1", "", "", "", "1", "WIDGET", "5", "EA"))
    release(site)
    result = confirm_pick(site.uow, wh.operator, first_task(site).id, 5,
                          to_location_id=site.tote1, today=TODAY)
    assert result.location_empty
    assert answer_zero_check(site.uow, wh.operator, wh.pick, True, "Z-0") is None
    assert site.count_tasks() == []
    count_id = answer_zero_check(site.uow, wh.operator, wh.pick, False, "Z-1")
    assert answer_zero_check(site.uow, wh.operator, wh.pick, False, "Z-1") == count_id
    assert answer_zero_check(site.uow, wh.operator, wh.pick, False, "Z-2") == count_id
    [count] = site.count_tasks()
    assert (count.trigger, count.location_id, count.item_id) == ("zero_check", wh.pick, None)


# Lot substitution.


def test_an_earlier_lot_at_the_location_may_replace_the_allocated_one(site: Site) -> None:
    wh = site.wh
    site.receive(wh.lotted, 10, wh.pick, lot="L-MAR", expiry=date(2099, 3, 1))
    site.orders(("SO-1", "", "", "", "1", "MILK", "5", "EA"))
    release(site)
    site.receive(wh.lotted, 10, wh.pick, lot="L-JAN", expiry=date(2099, 1, 1))
    task = first_task(site)
    assert task.lot == "L-MAR"
    choice = check_substitute(site.uow, task.id, "L-JAN", 5, TODAY)
    assert (choice.lot, choice.expiry) == ("L-JAN", date(2099, 1, 1))
    result = confirm_pick(site.uow, wh.operator, task.id, 5, to_location_id=site.tote1,
                          lot_id=choice.lot_id, today=TODAY)
    assert result.task_status is TaskStatus.DONE
    with site.uow() as u:
        assert u.outbound.task(task.id).lot == "L-JAN"
        mar = u.stock.lot_id(wh.lotted, "L-MAR", None, create=False)
    assert site.balance(wh.lotted, wh.pick, choice.lot_id) == (5, 0)
    assert site.balance(wh.lotted, wh.pick, mar) == (10, 0)
    assert site.exact() == []


def test_a_later_lot_is_refused(site: Site) -> None:
    wh = site.wh
    site.receive(wh.lotted, 10, wh.pick, lot="L-JAN", expiry=date(2099, 1, 1))
    site.receive(wh.lotted, 10, wh.pick, lot="L-MAR", expiry=date(2099, 3, 1))
    site.orders(("SO-1", "", "", "", "1", "MILK", "5", "EA"))
    release(site)
    task = first_task(site)
    assert task.lot == "L-JAN"
    with pytest.raises(ScanRejected, match="Lot not allowed: take L-JAN"):
        check_substitute(site.uow, task.id, "L-MAR", 5, TODAY)
    with site.uow() as u:
        mar = u.stock.lot_id(wh.lotted, "L-MAR", None, create=False)
    with pytest.raises(ScanRejected):
        confirm_pick(site.uow, wh.operator, task.id, 5, to_location_id=site.tote1, lot_id=mar,
                     today=TODAY)
    with pytest.raises(ScanRejected, match="Unknown lot"):
        check_substitute(site.uow, task.id, "L-XYZ", 5, TODAY)
    assert site.exact() == []


# Replenishment.


def test_a_pick_below_the_minimum_creates_a_replenishment_in_whole_cases(site: Site) -> None:
    wh = site.wh
    site.levels(wh.widget, 10, 40)
    site.receive(wh.widget, 20, wh.pick)
    site.receive(wh.widget, 100, wh.a2)
    site.orders(("SO-1", "", "", "", "1", "WIDGET", "15", "EA"))
    release(site)
    result = confirm_pick(site.uow, wh.operator, first_task(site).id, 15,
                          to_location_id=site.tote1, today=TODAY)
    # 5 left, below 10: fill to 40 = 35, in whole cases of 12 = 24.
    [replenish_id] = result.replenishment_task_ids
    with site.uow() as u:
        task = u.outbound.task(replenish_id)
    assert (task.kind, task.location.id, task.to_location.id, task.quantity) == (  # type: ignore[union-attr]
        TaskKind.REPLENISH, wh.a2, wh.pick, 24)
    assert site.balance(wh.widget, wh.a2) == (100, 24)
    assert next_task(site.uow, wh.operator, TaskKind.PICK) is None
    claimed = next_task(site.uow, wh.operator, TaskKind.REPLENISH)
    assert claimed is not None and claimed.id == replenish_id
    with pytest.raises(InvalidQuantity):
        confirm_replenishment(site.uow, wh.operator, replenish_id, 25)
    done = confirm_replenishment(site.uow, wh.operator, replenish_id, 24, key="R-1")
    assert (done.quantity, done.from_location, done.to_location) == (24, "A-01-02-1",
                                                                      "P-01-01-1")
    assert confirm_replenishment(site.uow, wh.operator, replenish_id, 24, key="R-1").replayed
    move = site.movements()[-1]
    assert (move.kind, move.quantity, move.reference) == ("move", 24, f"TASK-{replenish_id}")
    assert site.balance(wh.widget, wh.a2) == (76, 0)
    assert site.balance(wh.widget, wh.pick) == (29, 0)
    with site.uow() as u:
        assert u.outbound.task(replenish_id).status is TaskStatus.DONE
    assert site.exact() == []


def test_no_second_replenishment_while_one_is_open(site: Site) -> None:
    wh = site.wh
    site.levels(wh.widget, 10, 40)
    site.receive(wh.widget, 12, wh.pick)
    site.receive(wh.widget, 100, wh.a2)
    site.orders(("SO-1", "", "", "", "1", "WIDGET", "6", "EA"),
                ("SO-1", "", "", "", "2", "WIDGET", "6", "EA"))
    release(site)
    first = confirm_pick(site.uow, wh.operator, first_task(site).id, 6,
                         to_location_id=site.tote1, today=TODAY)
    second = confirm_pick(site.uow, wh.operator, first_task(site).id, 6,
                          to_location_id=site.tote1, today=TODAY)
    assert len(first.replenishment_task_ids) == 1 and second.replenishment_task_ids == []


def test_a_smaller_replenishment_frees_the_rest(site: Site) -> None:
    wh = site.wh
    site.levels(wh.widget, 10, 40)
    site.receive(wh.widget, 12, wh.pick)
    site.receive(wh.widget, 100, wh.a2)
    site.orders(("SO-1", "", "", "", "1", "WIDGET", "12", "EA"))
    release(site)
    [task_id] = confirm_pick(site.uow, wh.operator, first_task(site).id, 12,
                             to_location_id=site.tote1, today=TODAY).replenishment_task_ids
    confirm_replenishment(site.uow, wh.operator, task_id, 10)
    assert site.balance(wh.widget, wh.a2) == (90, 0)
    assert site.exact() == []


def test_order_scope_limits_tasks_to_that_order(site: Site) -> None:
    site.receive(site.wh.widget, 30, site.wh.pick)
    site.orders(("SO-1", "", "", "", "1", "WIDGET", "5", "EA"),
                ("SO-2", "", "", "", "1", "WIDGET", "5", "EA"))
    release(site)
    scope = find_scope(site.uow, "so-2")
    assert scope is not None and scope.kind == "order"
    assert first_task(site, scope).order_ref == "SO-2"
    assert find_scope(site.uow, "NOPE") is None


def test_sql_unit_of_work_has_the_outbound_repository(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as u:
        assert u.outbound.next_wave_code() == "W0001"
