"""Two pickers emptying one pick face at once, each on its own connection: the face ends with
exactly one open replenishment, and only its reserve stock is reserved. Also: the migration
that adds the index closes the duplicates the race left before it.

Each picker takes a different lot from the face (so their picks touch different balance rows
and neither waits for the other) and leaves it below its minimum. Before the partial unique
index (ux_task_open_replenishment) PostgreSQL let both replenishments commit; SQLite queues
its writers and never showed it."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from tests.db.outbound_site import TODAY, Site
from tests.db.test_pick_race import second_operator, together
from tests.factories import Warehouse
from wms_tui.db.migrate import downgrade, upgrade
from wms_tui.db.tables import Balance, Item, ItemUom, Reservation, Task
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.model import Actor
from wms_tui.domain.outbound import (
    PickResult,
    PickScope,
    TaskKind,
    confirm_pick,
    next_task,
    release_wave,
)

ROUNDS = 8
pytestmark = pytest.mark.slow


@pytest.fixture
def site(engine: Engine, wh: Warehouse) -> Site:
    return Site.build(engine, wh)


def lotted_item(engine: Engine, sku: str) -> int:
    """A lot-tracked item in eaches with a pick-face minimum of 10 and maximum of 40."""
    with Session(engine) as s:
        item = Item(sku=sku, description=sku, lot_tracked=True, min_qty=10, max_qty=40)
        s.add(item)
        s.flush()
        assert item.id is not None
        s.add(ItemUom(item_id=item.id, uom="EA", factor=1))
        s.commit()
        return item.id


def open_replenishments(engine: Engine, item_id: int) -> list[Task]:
    with Session(engine) as s:
        return list(s.execute(
            select(Task).where(Task.kind == "replenish", Task.item_id == item_id,  # type: ignore[arg-type]
                               Task.status.in_(("open", "in_progress")))  # type: ignore[attr-defined]
        ).scalars())


def pick_all(engine: Engine, actor: Actor, wave_id: int, tote: int) -> PickResult:
    def uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(engine)

    task = next_task(uow, actor, TaskKind.PICK, PickScope("wave", wave_id, ""))
    assert task is not None
    return confirm_pick(uow, actor, task.id, task.remaining, to_location_id=tote, today=TODAY)


def test_two_pickers_emptying_one_face_leave_one_open_replenishment(
        site: Site, own_engines: list[Engine]) -> None:
    wh = site.wh
    op2 = second_operator(site.engine)
    for round_no in range(ROUNDS):
        sku = f"FACE{round_no}"
        item = lotted_item(site.engine, sku)
        # Two lots of 6 on the face (12, not below 10) and plenty in reserve.
        site.receive(item, 6, wh.pick, lot=f"{sku}-A")
        site.receive(item, 6, wh.pick, lot=f"{sku}-B")
        site.receive(item, 100, wh.a2, lot=f"{sku}-R")
        site.orders((f"A{round_no}", "", "", "", "1", sku, "6", "EA"),
                    (f"B{round_no}", "", "", "", "1", sku, "6", "EA"))
        # One wave per order, so the pickers lock different waves and orders.
        waves = [release_wave(site.uow, wh.supervisor, refs=[ref], today=TODAY)
                 for ref in (f"A{round_no}", f"B{round_no}")]
        assert [len(w.tasks) for w in waves] == [1, 1]
        totes = (site.add_tote(f"TA{round_no}"), site.add_tote(f"TB{round_no}"))
        results = together(*(
            (lambda eng=eng, actor=actor, w=w, tote=tote: pick_all(eng, actor, w.wave_id, tote))
            for eng, actor, w, tote in zip(own_engines, (wh.operator, op2), waves, totes,
                                           strict=True)
        ))
        made = [task_id for r in results for task_id in r.replenishment_task_ids]
        tasks = open_replenishments(site.engine, item)
        assert len(tasks) == 1, f"round {round_no}: open replenishments {made}"
        [task] = tasks
        assert made == [task.id] and task.to_location_id == wh.pick
        # Only the one task's stock is held in reserve; the other picker reserved nothing.
        assert site.reserved_refs(item) == {f"TASK-{task.id}": task.quantity}
        assert site.exact() == []


def test_the_migration_closes_duplicates_the_race_left_and_frees_their_stock(
        site: Site) -> None:
    """0011 keeps the claimed task of a face (else the oldest), cancels the rest, unreserves."""
    wh = site.wh
    site.receive(wh.widget, 100, wh.a2)
    downgrade(site.engine, "0010")
    ids = []
    with Session(site.engine) as s:
        balance = s.execute(select(Balance).where(Balance.item_id == wh.widget)).scalar_one()  # type: ignore[arg-type]
        for status in ("open", "in_progress", "open", "done"):
            task = Task(kind="replenish", status=status, item_id=wh.widget,
                        from_location_id=wh.a2, to_location_id=wh.pick, quantity=12)
            s.add(task)
            s.flush()
            assert task.id is not None
            task.reservation = f"TASK-{task.id}"
            if status != "done":
                s.add(Reservation(balance_id=balance.id, reference=task.reservation, quantity=12))
                balance.reserved += 12
            ids.append(task.id)
        s.commit()
    upgrade(site.engine)
    with Session(site.engine) as s:
        statuses = [s.get(Task, i).status for i in ids]  # type: ignore[union-attr]
    assert statuses == ["cancelled", "in_progress", "cancelled", "done"]
    assert site.reserved_refs(wh.widget) == {f"TASK-{ids[1]}": 12}
    assert site.balance(wh.widget, wh.a2) == (100, 12)
    assert site.exact() == []
