"""A picker and a supervisor, each on their own connection, confirming a pick and cancelling its
order (or its wave) at the same instant: whichever goes first, the other sees what it did, and
no reservation is left half released."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from tests.db.outbound_site import TODAY, Site
from tests.db.test_pick_race import new_item, together
from tests.factories import Warehouse
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.errors import BadInput
from wms_tui.domain.outbound import (
    OutboundStatus,
    PickScope,
    TaskKind,
    TaskStatus,
    confirm_pick,
    next_task,
    release_wave,
)
from wms_tui.domain.outbound.cancels import PickedUnits, cancel_order, cancel_wave

ROUNDS = 6
pytestmark = pytest.mark.slow


@pytest.fixture
def site(engine: Engine, wh: Warehouse) -> Site:
    return Site.build(engine, wh)


def outcome(work: Callable[[], object]) -> str:
    """What one side saw: done, or the refusal's words."""
    try:
        work()
    except BadInput as refused:
        return f"refused: {refused}"
    return "done"


def test_a_pick_and_an_order_cancel_at_once_leave_no_reservation_behind(
        site: Site, own_engines: list[Engine]) -> None:
    for round_no in range(ROUNDS):
        order_round(site, own_engines, round_no)
    assert site.exact() == []


def order_round(site: Site, own_engines: list[Engine], round_no: int) -> None:
    """One race of a 3-unit pick against cancelling its order, keeping what was picked."""
    wh = site.wh
    sku, ref = f"RACE{round_no}", f"SO-R{round_no}"
    item = new_item(site.engine, sku)
    site.receive(item, 10, wh.pick)
    site.orders((ref, "", "", "", "1", sku, "6", "EA"))
    wave = release_wave(site.uow, wh.supervisor, refs=[ref], today=TODAY)
    picker, canceller = own_engines
    task = next_task(lambda: SqlUnitOfWork(picker), wh.operator, TaskKind.PICK,
                     PickScope("wave", wave.wave_id, wave.code))
    assert task is not None
    tote = site.add_tote(f"TR{round_no}")
    picked, cancelled = together(
        lambda: outcome(lambda: confirm_pick(
            lambda: SqlUnitOfWork(picker), wh.operator, task.id, 3, to_location_id=tote,
            today=TODAY)),
        lambda: outcome(lambda: cancel_order(
            lambda: SqlUnitOfWork(canceller), wh.supervisor, ref, picked=PickedUnits.KEEP)),
    )
    assert cancelled == "done"
    assert site.order(ref).status is OutboundStatus.CANCELLED
    with site.uow() as u:
        assert u.outbound.task(task.id).status is TaskStatus.CANCELLED
    [line] = site.lines(ref)
    if picked == "done":
        assert (line.picked, line.allocated) == (3, 3)
        assert site.balance(item, tote) == (3, 0)
        assert site.balance(item, wh.pick) == (7, 0)
    else:
        assert picked == f"refused: task {task.id} is cancelled already"
        assert (line.picked, line.allocated) == (0, 0)
        assert site.balance(item, wh.pick) == (10, 0)
    assert site.reserved_refs(item) == {}


def test_a_pick_and_a_wave_cancel_at_once_leave_no_reservation_behind(
        site: Site, own_engines: list[Engine]) -> None:
    for round_no in range(ROUNDS):
        wave_round(site, own_engines, round_no)
    assert site.exact() == []


def wave_round(site: Site, own_engines: list[Engine], round_no: int) -> None:
    """One race of a whole pick against cancelling its wave."""
    wh = site.wh
    sku, ref = f"WAVE{round_no}", f"SO-W{round_no}"
    item = new_item(site.engine, sku)
    site.receive(item, 10, wh.pick)
    site.orders((ref, "", "", "", "1", sku, "6", "EA"))
    wave = release_wave(site.uow, wh.supervisor, refs=[ref], today=TODAY)
    picker, canceller = own_engines
    task = next_task(lambda: SqlUnitOfWork(picker), wh.operator, TaskKind.PICK,
                     PickScope("wave", wave.wave_id, wave.code))
    assert task is not None
    tote = site.add_tote(f"TW{round_no}")
    picked, cancelled = together(
        lambda: outcome(lambda: confirm_pick(
            lambda: SqlUnitOfWork(picker), wh.operator, task.id, 6, to_location_id=tote,
            today=TODAY)),
        lambda: outcome(lambda: cancel_wave(
            lambda: SqlUnitOfWork(canceller), wh.supervisor, wave.code)),
    )
    [line] = site.lines(ref)
    if picked == "done":
        # The pick finished the wave first: nothing was left open to cancel.
        assert cancelled == f"refused: wave {wave.code} is done: nothing open to cancel"
        assert site.order(ref).status is OutboundStatus.PICKED
        assert (line.picked, line.allocated) == (6, 6)
    else:
        assert cancelled == "done"
        assert picked == f"refused: task {task.id} is cancelled already"
        assert site.order(ref).status is OutboundStatus.OPEN
        assert (line.picked, line.allocated) == (0, 0)
    assert site.reserved_refs(item) == {}
