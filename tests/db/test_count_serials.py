"""Serials in a count, on SQLite and PostgreSQL: when a count with serials posts (at once or on
approval), a serial the books had at the location and the count did not find is missing, and a
serial found there that the books had elsewhere or nowhere is put in stock there; a count
without serials leaves them as they were."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from tests.factories import Warehouse, saved_id
from wms_tui.db.tables import Item, ItemUom
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.counting import (
    CountPolicy,
    CountResult,
    CountStatus,
    CountTrigger,
    approve_count,
    create_count_task,
    submit_count,
)
from wms_tui.domain.errors import BadInput, InvalidQuantity
from wms_tui.domain.serials import serial_history
from wms_tui.domain.stock import Receive, ledger_mismatches, new_confirmation_key, post

Uow = Callable[[], SqlUnitOfWork]
Serials = Mapping[tuple[int, int | None], Sequence[str]]
# Recounts by the same operator, so one actor can take a task to approval.
SAME_OPERATOR = CountPolicy(recount_by_other_operator=False)


@pytest.fixture
def phone(engine: Engine, uow: Uow, wh: Warehouse) -> int:
    """PHONE, serial-tracked: SN-1..SN-3 at A1 and SN-9 at A2."""
    with Session(engine) as s:
        item = Item(sku="PHONE", description="Phone", base_uom="EA", serial_tracked=True)
        s.add(item)
        s.flush()
        phone_id = saved_id(item.id)
        s.add(ItemUom(item_id=phone_id, uom="EA", factor=1))
        s.commit()
    post(uow, wh.admin, Receive(phone_id, 3, wh.a1, "ASN-1", serials=("SN-1", "SN-2", "SN-3")))
    post(uow, wh.admin, Receive(phone_id, 1, wh.a2, "ASN-2", serials=("SN-9",)))
    return phone_id


def task_at(uow: Uow, wh: Warehouse, location: int) -> int:
    with uow() as u:
        task_id = create_count_task(u, location, CountTrigger.SUPERVISOR,
                                    requested_by=wh.supervisor.user_id)
        assert task_id is not None
        u.commit()
        return task_id


def count(uow: Uow, wh: Warehouse, task: int, phone: int, serials: Sequence[str] | None,
          qty: int | None = None, policy: CountPolicy = SAME_OPERATOR) -> CountResult:
    given: Serials | None = None if serials is None else {(phone, None): serials}
    keyed = len(serials or ()) if qty is None else qty
    return submit_count(uow, wh.operator, task, [(phone, None, keyed)], new_confirmation_key(),
                        policy=policy, serials=given)


def serials(engine: Engine) -> list[tuple[str, str, str | None]]:
    """(serial, status, location code) of every stored serial."""
    with engine.connect() as conn:
        return [(r.serial, r.status, r.code) for r in conn.execute(text(
            "SELECT s.serial, s.status, l.code FROM serial s "
            "LEFT JOIN location l ON l.id = s.location_id ORDER BY s.serial, s.id"))]


def exact(uow: Uow) -> bool:
    with uow() as u:
        return ledger_mismatches(u) == []


def test_a_matching_count_moves_a_unit_found_here_and_marks_the_unit_not_found_missing(
        engine: Engine, uow: Uow, wh: Warehouse, phone: int) -> None:
    task = task_at(uow, wh, wh.a1)
    # Three units, as the books say, but SN-9 (booked at A2) is here and SN-2 is not.
    result = count(uow, wh, task, phone, ["SN-1", "SN-3", "SN-9"])
    assert result.status == CountStatus.DONE and result.movement_ids == []
    assert serials(engine) == [("SN-1", "in_stock", "A-01-01-1"), ("SN-2", "missing", None),
                               ("SN-3", "in_stock", "A-01-01-1"),
                               ("SN-9", "in_stock", "A-01-01-1")]
    assert exact(uow)


def test_an_approved_shortage_marks_the_missing_unit_and_links_it_to_the_adjustment(
        engine: Engine, uow: Uow, wh: Warehouse, phone: int) -> None:
    task = task_at(uow, wh, wh.a1)
    assert count(uow, wh, task, phone, ["SN-3", "SN-1"]).status == CountStatus.RECOUNT
    # Nothing changes until the count posts.
    assert ("SN-2", "in_stock", "A-01-01-1") in serials(engine)
    assert count(uow, wh, task, phone, ["SN-1", "SN-3"]).status == CountStatus.PENDING_APPROVAL
    assert ("SN-2", "in_stock", "A-01-01-1") in serials(engine)
    approved = approve_count(uow, wh.supervisor, task, True, new_confirmation_key())
    assert approved.status == CountStatus.DONE and len(approved.movement_ids) == 1
    assert ("SN-2", "missing", None) in serials(engine)
    [history] = serial_history(uow, "SN-2", phone)
    assert [e.kind.value for e in history.events] == ["receive", "adjust"]
    assert history.events[-1].movement_id == approved.movement_ids[0]
    assert exact(uow)


def test_a_found_unit_within_tolerance_goes_into_stock_with_the_adjustment(
        engine: Engine, uow: Uow, wh: Warehouse, phone: int) -> None:
    task = task_at(uow, wh, wh.a1)
    policy = CountPolicy(recount_by_other_operator=False, tolerance_qty=2, tolerance_pct=50)
    found = ["SN-1", "SN-2", "SN-3", "SN-NEW"]
    assert count(uow, wh, task, phone, found, policy=policy).status == CountStatus.RECOUNT
    result = count(uow, wh, task, phone, found, policy=policy)
    assert result.status == CountStatus.DONE and len(result.movement_ids) == 1
    assert ("SN-NEW", "in_stock", "A-01-01-1") in serials(engine)
    [history] = serial_history(uow, "SN-NEW", phone)
    assert [e.movement_id for e in history.events] == result.movement_ids
    assert exact(uow)


def test_a_count_without_serials_leaves_them_as_they_were(
        engine: Engine, uow: Uow, wh: Warehouse, phone: int) -> None:
    before = serials(engine)
    task = task_at(uow, wh, wh.a1)
    assert count(uow, wh, task, phone, None, qty=3).status == CountStatus.DONE
    assert serials(engine) == before


@pytest.mark.parametrize(("given", "qty", "error"), [
    (["SN-1", "SN-3"], 3, InvalidQuantity),
    (["SN-1", "SN-1", "SN-3"], 3, BadInput),
    (["SN-1", "bad serial", "SN-3"], 3, BadInput),
], ids=["too-few", "twice", "invalid"])
def test_a_count_whose_serials_do_not_add_up_is_refused_and_changes_nothing(
        engine: Engine, uow: Uow, wh: Warehouse, phone: int, given: list[str], qty: int,
        error: type[Exception]) -> None:
    before = serials(engine)
    task = task_at(uow, wh, wh.a1)
    with pytest.raises(error):
        count(uow, wh, task, phone, given, qty=qty)
    assert serials(engine) == before
    with uow() as u:
        assert u.counting.task(task).status == CountStatus.OPEN
        assert u.counting.lines(task) == []


def test_serials_of_an_item_that_is_not_serial_tracked_are_refused(
        uow: Uow, wh: Warehouse, phone: int) -> None:
    post(uow, wh.admin, Receive(wh.widget, 2, wh.a1, "ASN-3"))
    task = task_at(uow, wh, wh.a1)
    with pytest.raises(BadInput, match="not serial-tracked"):
        submit_count(uow, wh.operator, task, [(wh.widget, None, 2), (phone, None, 3)],
                     new_confirmation_key(), policy=SAME_OPERATOR,
                     serials={(wh.widget, None): ["W-1", "W-2"],
                              (phone, None): ["SN-1", "SN-2", "SN-3"]})


def test_the_counted_serials_are_kept_with_the_count_line(
        uow: Uow, wh: Warehouse, phone: int) -> None:
    task = task_at(uow, wh, wh.a1)
    count(uow, wh, task, phone, ["SN-3", "SN-1"])
    with uow() as u:
        [line] = u.counting.lines(task)
    assert line.serials == ("SN-3", "SN-1")
