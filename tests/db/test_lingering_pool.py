"""A `wms serve` session's PostgreSQL engine (wms_tui/db/lingering_pool.py via bootstrap):
the next step reuses the connection the last one gave back while `wms serve` has no more
sessions than connection slots (its LingerSwitch); otherwise, and once the few seconds are up,
the connection is closed and its slot given back. Real server, real slots."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine

from tests.conftest import PG_ADMIN_URL
from tests.db.helpers import eventually
from wms_tui.bootstrap import open_engine
from wms_tui.db.connection_slots import (
    LINGER_SUFFIX,
    ConnectionSlots,
    LingerSwitch,
)
from wms_tui.db.lingering_pool import LingeringPool

pytestmark = pytest.mark.postgres


def _backend(engine: Engine) -> int:
    with engine.begin() as conn:
        return int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


@pytest.fixture
def session_engine(url: str, slot_file: Path) -> Iterator[tuple[Engine, ConnectionSlots]]:
    slots = ConnectionSlots(slot_file, 4, 0.3)
    LingerSwitch(str(slot_file), 4).sessions(4)
    engine = open_engine(url, pooled=False, slots=slots)
    assert isinstance(engine.pool, LingeringPool)
    engine.pool.linger = 0.5
    yield engine, slots
    engine.dispose()


def test_the_next_step_reuses_the_connection_then_it_is_closed(
        session_engine: tuple[Engine, ConnectionSlots]) -> None:
    engine, slots = session_engine
    first = _backend(engine)
    assert slots.held() == 1
    assert _backend(engine) == first
    # Nothing more within the linger: the connection is closed and its slot given back.
    assert eventually(lambda: slots.held() == 0, seconds=15)
    assert _backend(engine) != first


def test_no_connection_is_kept_while_serve_has_more_sessions_than_slots(
        session_engine: tuple[Engine, ConnectionSlots], slot_file: Path) -> None:
    engine, slots = session_engine
    switch = LingerSwitch(str(slot_file), 4)
    switch.sessions(5)
    first = _backend(engine)
    assert slots.held() == 0
    assert _backend(engine) != first
    switch.sessions(4)
    kept = _backend(engine)
    assert slots.held() == 1 and _backend(engine) == kept


def test_the_switch_touches_its_file_only_when_the_answer_changes(tmp_path: Path) -> None:
    flag = tmp_path / f"slots{LINGER_SUFFIX}"
    switch = LingerSwitch(str(tmp_path / "slots"), 2)
    assert flag.exists() and flag.stat().st_mode & 0o777 == 0o600
    switch.sessions(2)
    assert flag.exists()
    switch.sessions(3)
    assert not flag.exists()
    flag.write_text("")  # a stale file is left alone until the answer changes again
    switch.sessions(4)
    assert flag.exists()
    switch.sessions(1)
    switch.sessions(3)
    assert not flag.exists()


def test_a_kept_connection_the_server_dropped_is_replaced(
        session_engine: tuple[Engine, ConnectionSlots]) -> None:
    engine, slots = session_engine
    assert isinstance(engine.pool, LingeringPool)
    engine.pool.linger = 30
    first = _backend(engine)
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_terminate_backend({first})")
    finally:
        admin.dispose()
    # Idle past the ping threshold: the ping finds it dead and a new connection is made.
    time.sleep(1.2)
    assert _backend(engine) != first
    assert slots.held() == 1
    engine.dispose()
    assert slots.held() == 0
