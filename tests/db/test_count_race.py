"""A supervisor's count request racing a picker's "location not empty" answer, each on its own
connection: the location ends with exactly one open count task, and both sides get its id.

Before the partial unique index (ux_count_task_open_location) PostgreSQL let both inserts
commit (two open tasks in 31 of 40 rounds); SQLite queued its writers and never showed it."""

from __future__ import annotations

from functools import partial

import pytest
from sqlalchemy import Engine, select, update
from sqlmodel import Session, col

from tests.db.test_pick_race import together
from tests.factories import Warehouse
from wms_tui.db.tables import CountTask, Location
from wms_tui.db.uow import uow_factory
from wms_tui.domain.counting import request_count
from wms_tui.domain.outbound import answer_zero_check

ROUNDS = 12
pytestmark = pytest.mark.slow


def open_tasks(engine: Engine, location_id: int) -> list[int]:
    with Session(engine) as s:
        return list(s.execute(
            select(col(CountTask.id)).where(col(CountTask.location_id) == location_id,
                                            col(CountTask.status).in_(("open", "recount",
                                                                       "pending_approval")))
        ).scalars())


def close_all(engine: Engine, location_id: int) -> None:
    with Session(engine) as s:
        s.execute(update(CountTask).where(col(CountTask.location_id) == location_id)
                  .values(status="cancelled"))
        s.commit()


def test_a_count_request_and_a_zero_check_leave_one_open_task(
        engine: Engine, wh: Warehouse, own_engines: list[Engine]) -> None:
    with Session(engine) as s:
        pick = s.get(Location, wh.pick)
        assert pick is not None
        code = pick.code
    supervisor_side, picker_side = (uow_factory(e) for e in own_engines)
    for round_no in range(ROUNDS):
        requested, checked = together(
            lambda: request_count(supervisor_side, wh.supervisor, location=code),
            partial(answer_zero_check, picker_side, wh.operator, wh.pick, empty=False,
                    key=f"zero-{round_no}"),
        )
        tasks = open_tasks(engine, wh.pick)
        assert len(tasks) == 1, f"round {round_no}: open tasks {tasks}"
        # Whoever lost the race was handed the winner's task, never a second one.
        ids = [t.id for t in requested.created]
        assert checked == tasks[0] and ids in ([], tasks)
        assert bool(ids) or requested.already_open == [code]
        close_all(engine, wh.pick)
