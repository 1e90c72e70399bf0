"""Two operators, each on their own database connection, racing for the last units of an item
from different waves (nothing is over-picked and reservations never exceed stock) or for one
tote for two orders (one order gets it, the other picker is told to scan another)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tests.db.outbound_site import TODAY, Site
from tests.factories import Warehouse, saved_id
from wms_tui.db.tables import Item, ItemUom, User
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.errors import NotFound, ScanRejected
from wms_tui.domain.model import Actor, Role
from wms_tui.domain.outbound import (
    PickScope,
    TaskKind,
    confirm_pick,
    next_task,
    release_wave,
    short_pick,
)
from wms_tui.domain.stock import Move, post

ROUNDS = 6
pytestmark = pytest.mark.slow


@pytest.fixture
def site(engine: Engine, wh: Warehouse) -> Site:
    return Site.build(engine, wh)


def together(*work: Callable[[], Any]) -> list[Any]:
    """Run each callable in its own thread, released at the same instant; re-raise failures."""
    start = threading.Barrier(len(work))
    results: list[Any] = [None] * len(work)
    errors: list[BaseException] = []

    def run(index: int, fn: Callable[[], Any]) -> None:
        start.wait()
        try:
            results[index] = fn()
        except BaseException as exc:  # reported in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    return results


def new_item(engine: Engine, sku: str) -> int:
    with Session(engine) as s:
        item = Item(sku=sku, description=sku)
        s.add(item)
        s.flush()
        s.add(ItemUom(item_id=saved_id(item.id), uom="EA", factor=1))
        s.commit()
        assert item.id is not None
        return item.id


def second_operator(engine: Engine) -> Actor:
    with Session(engine) as s:
        user = User(login="OP2", name="Op2", role="operator", pin_hash="x")
        s.add(user)
        s.commit()
        assert user.id is not None
        return Actor(user.id, "OP2", Role.OPERATOR, "T-2")


def pick_everything(engine: Engine, actor: Actor, wave_id: int, tote: int) -> int:
    """Confirm every task of the wave in full; returns the units picked."""
    def uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(engine)

    picked = 0
    scope = PickScope("wave", wave_id, "")
    while (task := next_task(uow, actor, TaskKind.PICK, scope)) is not None:
        confirm_pick(uow, actor, task.id, task.remaining, to_location_id=tote, today=TODAY)
        picked += task.remaining
    return picked


def test_two_waves_released_and_picked_at_once_never_oversell(
        site: Site, own_engines: list[Engine]) -> None:
    wh = site.wh
    op2 = second_operator(site.engine)
    for round_no in range(ROUNDS):
        sku = f"LAST{round_no}"
        item = new_item(site.engine, sku)
        site.receive(item, 10, wh.pick)
        site.orders((f"A{round_no}", "", "", "", "1", sku, "8", "EA"),
                    (f"B{round_no}", "", "", "", "1", sku, "8", "EA"))
        waves = together(*(
            (lambda eng=eng, ref=ref: release_wave(
                lambda: SqlUnitOfWork(eng), wh.supervisor, refs=[ref], today=TODAY))
            for eng, ref in zip(own_engines, (f"A{round_no}", f"B{round_no}"), strict=True)
        ))
        allocated = [sum(t.quantity for t in w.tasks) for w in waves]
        assert sorted(allocated) == [2, 8], allocated
        assert site.balance(item, wh.pick) == (10, 10)
        # A tote holds one order: each round's two orders get two new totes.
        totes = (site.add_tote(f"TA{round_no}"), site.add_tote(f"TB{round_no}"))
        picked = together(*(
            (lambda eng=eng, actor=actor, w=w, tote=tote: pick_everything(
                eng, actor, w.wave_id, tote))
            for eng, actor, w, tote in zip(own_engines, (wh.operator, op2), waves, totes,
                                           strict=True)
        ))
        assert picked == allocated
        assert site.balance(item, wh.pick) == (0, 0)
        assert site.balance(item, totes[0])[0] + site.balance(item, totes[1])[0] == 10
        lines = site.lines(f"A{round_no}") + site.lines(f"B{round_no}")
        assert sum(ln.picked for ln in lines) == 10
        assert all(ln.picked <= ln.allocated <= ln.quantity for ln in lines)
    assert site.exact() == []


def test_two_short_picks_reallocating_the_same_last_units(
        site: Site, own_engines: list[Engine]) -> None:
    wh = site.wh
    op2 = second_operator(site.engine)
    for round_no in range(ROUNDS):
        sku = f"SHORT{round_no}"
        item = new_item(site.engine, sku)
        site.receive(item, 10, wh.pick)
        site.receive(item, 4, wh.a1)
        site.orders((f"A{round_no}", "", "", "", "1", sku, "5", "EA"),
                    (f"B{round_no}", "", "", "", "1", sku, "5", "EA"))
        waves = [release_wave(site.uow, wh.supervisor, refs=[ref], today=TODAY)
                 for ref in (f"A{round_no}", f"B{round_no}")]
        actors = (wh.operator, op2)
        tasks = [next_task(partial(SqlUnitOfWork, eng), actor, TaskKind.PICK,
                           PickScope("wave", w.wave_id, w.code))
                 for eng, actor, w in zip(own_engines, actors, waves, strict=True)]
        assert all(t is not None and t.location.id == wh.pick for t in tasks)
        totes = (site.add_tote(f"TA{round_no}"), site.add_tote(f"TB{round_no}"))
        # Both find only 1 of 5 and want the other 4 from the reserve, which has 4 in all.
        results = together(*(
            (lambda eng=eng, actor=actor, task=task, tote=tote: short_pick(
                lambda: SqlUnitOfWork(eng), actor, task.id, 1, "SHORT", to_location_id=tote,
                today=TODAY))
            for eng, actor, task, tote in zip(own_engines, actors, tasks, totes, strict=True)
        ))
        assert sorted((r.reallocated, r.short) for r in results) == [(0, 4), (4, 0)]
        assert site.balance(item, wh.a1) == (4, 4)
        picked = together(*(
            (lambda eng=eng, actor=actor, w=w, tote=tote: pick_everything(
                eng, actor, w.wave_id, tote))
            for eng, actor, w, tote in zip(own_engines, actors, waves, totes, strict=True)
        ))
        assert sorted(picked) == [0, 4]
        assert site.balance(item, wh.a1) == (0, 0)
        assert site.balance(item, wh.pick) == (8, 0)
        lines = site.lines(f"A{round_no}") + site.lines(f"B{round_no}")
        assert sorted((ln.picked, ln.short) for ln in lines) == [(1, 4), (5, 0)]
    assert site.exact() == []


def claim_for(engine: Engine, actor: Actor, wave_id: int) -> int:
    task = next_task(lambda: SqlUnitOfWork(engine), actor, TaskKind.PICK,
                     PickScope("wave", wave_id, ""))
    assert task is not None
    return task.id


def pick_or_refusal(engine: Engine, actor: Actor, task_id: int, tote: int) -> str:
    """The order picked into the tote, or the refusal the picker saw."""
    try:
        return confirm_pick(lambda: SqlUnitOfWork(engine), actor, task_id, 4,
                            to_location_id=tote, today=TODAY).order
    except ScanRejected as refused:
        return f"refused: {refused}"


@pytest.mark.parametrize("tote_was", ["new", "emptied"])
def test_two_pickers_taking_one_tote_for_two_orders_at_once_one_order_gets_it(
        site: Site, own_engines: list[Engine], tote_was: str) -> None:
    wh = site.wh
    op2 = second_operator(site.engine)
    for round_no in range(ROUNDS):
        sku = f"TOTE{round_no}"
        item = new_item(site.engine, sku)
        site.receive(item, 9, wh.pick)
        tote = site.add_tote(f"TR{round_no}")
        if tote_was == "emptied":
            # An earlier order's tote, packed since: bound to that order but empty.
            site.orders((f"E{round_no}", "", "", "", "1", sku, "1", "EA"))
            earlier = release_wave(site.uow, wh.supervisor, refs=[f"E{round_no}"], today=TODAY)
            confirm_pick(site.uow, wh.operator, claim_for(site.engine, wh.operator,
                                                          earlier.wave_id), 1,
                         to_location_id=tote, today=TODAY)
            post(site.uow, wh.operator, Move(item, 1, tote, wh.dock, f"PACK-{round_no}"))
        refs = (f"A{round_no}", f"B{round_no}")
        site.orders(*((ref, "", "", "", "1", sku, "4", "EA") for ref in refs))
        waves = [release_wave(site.uow, wh.supervisor, refs=[ref], today=TODAY) for ref in refs]
        actors = (wh.operator, op2)
        tasks = [claim_for(eng, actor, w.wave_id)
                 for eng, actor, w in zip(own_engines, actors, waves, strict=True)]
        results = together(*(
            (lambda eng=eng, actor=actor, task=task, tote=tote: pick_or_refusal(
                eng, actor, task, tote))
            for eng, actor, task in zip(own_engines, actors, tasks, strict=True)
        ))
        [winner] = [r for r in results if r in refs]
        assert sorted(results) == sorted(
            [winner, f"refused: Tote TR{round_no} holds {winner}: scan another"]), results
        assert site.balance(item, tote) == (4, 0)
        order_ids = {ref: site.order(ref).id for ref in refs}
        with site.uow() as u:
            assert {ref: u.outbound.order_tote(order_id) for ref, order_id in
                    order_ids.items()} == {ref: tote if ref == winner else None for ref in refs}
    assert site.exact() == []


def test_two_supervisors_releasing_the_same_orders_release_each_once(
        site: Site, own_engines: list[Engine]) -> None:
    wh = site.wh
    for round_no in range(ROUNDS):
        sku = f"SAME{round_no}"
        item = new_item(site.engine, sku)
        site.receive(item, 10, wh.pick)
        site.orders(*((f"S{round_no}-{n}", "", "", "", "1", sku, "4", "EA") for n in range(3)))

        def release(eng: Engine) -> object:
            try:
                return release_wave(lambda: SqlUnitOfWork(eng), wh.supervisor, today=TODAY)
            except NotFound:
                return None

        waves = [w for w in together(*(lambda eng=eng: release(eng) for eng in own_engines))
                 if w is not None]
        assert len(waves) == 1, "both supervisors released the same orders"
        [wave] = waves
        assert len(wave.orders) == 3
        assert sum(t.quantity for t in wave.tasks) == 10
        assert site.balance(item, wh.pick) == (10, 10)
    assert site.exact() == []
