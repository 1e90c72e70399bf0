"""Units of work in different threads never wait on each other to make their sessions and
repositories: Python 3.11's functools.cached_property held one lock per property across every
instance, so an API thread waiting for a connection inside it stalled all the others (32 API
clients on SQLite fell to 0.5 orders a second, each waiting out the writers' 10 s)."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import text

from tests.conftest import fresh_sqlite_engine
from wms_tui.db.engine import make_engine
from wms_tui.db.uow import SqlUnitOfWork


def test_a_unit_of_work_waiting_for_a_connection_holds_up_no_other(tmp_path: Path) -> None:
    path = str(tmp_path / "wms.db")
    fresh_sqlite_engine(path).dispose()
    # One connection in this pool, held here, so the first thread waits inside `session`.
    starved = make_engine(f"sqlite:///{path}", pool_size=1, max_overflow=0, pool_timeout=60)
    other = make_engine(f"sqlite:///{path}")
    held = starved.connect()
    waiting, done = threading.Event(), threading.Event()
    results: list[object] = []

    def starved_thread() -> None:
        with SqlUnitOfWork(starved, readonly=True) as uow:
            waiting.set()
            results.append(uow.session.execute(text("SELECT 1")).scalar())

    def other_thread() -> None:
        with SqlUnitOfWork(other, readonly=True) as uow:
            results.append(uow.session.execute(text("SELECT 2")).scalar())
        done.set()

    first = threading.Thread(target=starved_thread)
    first.start()
    assert waiting.wait(30)
    second = threading.Thread(target=other_thread)
    second.start()
    try:
        # The second unit of work makes its session while the first still waits for its own.
        assert done.wait(30)
        assert first.is_alive() and results == [2]
    finally:
        held.close()
        first.join(60)
        second.join(60)
        starved.dispose()
        other.dispose()
    assert results == [2, 1]
