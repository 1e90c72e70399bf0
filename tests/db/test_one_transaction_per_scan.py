"""A scan step that posts nothing forces no durable write: the resume point is saved by commits
that do not wait for the disk (SQLite synchronous=NORMAL in WAL, PostgreSQL synchronous_commit
off), while postings stay durable; a killed session still resumes where it was."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text, update
from sqlmodel import col

from tests.factories import Warehouse
from wms_tui.bootstrap import Site, wire
from wms_tui.db.tables import ItemUom
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.stock import Pick, Receive, post

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def site(engine: Engine) -> Iterator[Site]:
    wired = wire(engine)
    yield wired
    wired.close()


def _commit_setting(factory: object, engine: Engine) -> str:
    """How the factory's transactions commit: SQLite's synchronous level or PostgreSQL's
    synchronous_commit, read inside one of its write transactions."""
    sql = "PRAGMA synchronous" if engine.dialect.name == "sqlite" else "SHOW synchronous_commit"
    assert callable(factory)
    with factory() as uow:
        assert isinstance(uow, SqlUnitOfWork)
        uow.flow_state.save(_operator_id(engine), "move", "{}", "RF01")
        setting = str(uow.session.execute(text(sql)).scalar())
        uow.commit()
    return {"1": "normal", "2": "full"}.get(setting, setting)


def _operator_id(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT id FROM wms_user WHERE login = 'OP1'")).scalar_one())


def test_the_resume_point_is_saved_without_waiting_for_the_disk(
    site: Site, engine: Engine, wh: Warehouse
) -> None:
    relaxed = _commit_setting(site.services.state_factory, engine)
    durable = _commit_setting(site.uow_factory, engine)
    if engine.dialect.name == "sqlite":
        assert (relaxed, durable) == ("normal", "full")
    else:
        assert (relaxed, durable) == ("off", "on")


def test_a_saved_step_survives_the_session_being_killed(engine: Engine, wh: Warehouse) -> None:
    """The save returned, then kill -9: the resume point is there for the next session."""
    url = engine.url.render_as_string(hide_password=False)
    state = {"step": "confirm", "key": "K-RESUME-1", "qty": 5}
    child = subprocess.Popen(
        [sys.executable, "-c", (
            "import json, sys, time\n"
            "from wms_tui.bootstrap import wire\n"
            "site = wire(sys.argv[1])\n"
            "site.services.save_flow(int(sys.argv[2]), 'move', json.loads(sys.argv[3]), 'RF01')\n"
            "print('SAVED', flush=True)\n"
            "time.sleep(600)\n"
        ), url, str(wh.operator.user_id), json.dumps(state)],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout is not None
    try:
        assert child.stdout.readline() == "SAVED\n"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
    finally:
        child.stdout.close()
        if child.poll() is None:
            child.kill()
            child.wait()
    later = wire(url)
    try:
        assert later.services.saved_flow(wh.operator.user_id) == ("move", state)
    finally:
        later.close()


def test_a_confirming_scan_posts_durably_and_its_step_is_saved(
    site: Site, wh: Warehouse
) -> None:
    services = site.services
    post(site.uow_factory, wh.operator, Receive(wh.widget, 10, wh.a1, "ASN-1"))
    result = services.post(wh.operator, Pick(wh.widget, 3, wh.a1, "SO-1"), "K-PICK-1")
    services.save_flow(wh.operator.user_id, "pick", {"step": "start"}, "RF01")
    stored = services.posted("K-PICK-1")
    assert stored is not None and stored.replayed
    assert stored.movement_ids == result.movement_ids
    assert services.saved_flow(wh.operator.user_id) == ("pick", {"step": "start"})


def test_a_post_reads_the_units_as_they_are_now(engine: Engine, wh: Warehouse) -> None:
    """Units are read with their item once per transaction, never kept across posts: a case
    made bigger between two posts counts at its new size in the second."""
    uow = lambda: SqlUnitOfWork(engine)  # noqa: E731
    post(uow, wh.operator, Receive(wh.widget, 2, wh.a1, "ASN-1", uom="CS"))
    with engine.begin() as conn:
        conn.execute(update(ItemUom).where(col(ItemUom.item_id) == wh.widget,
                                           col(ItemUom.uom) == "CS").values(factor=24))
    post(uow, wh.operator, Receive(wh.widget, 1, wh.a1, "ASN-2", uom="CS"))
    with SqlUnitOfWork(engine, readonly=True) as u:
        assert [m.quantity for m in u.stock.movements(item_id=wh.widget)] == [24, 24]
