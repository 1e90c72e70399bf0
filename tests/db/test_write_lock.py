"""SQLite writers queue on one lock per database file (wms_tui/db/write_lock.py), held from
BEGIN IMMEDIATE to COMMIT or ROLLBACK; readers take none; a writer that dies lets go."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tests.conftest import fresh_sqlite_engine
from tests.db.helpers import flock_is_free
from tests.factories import build_warehouse
from wms_tui.db.uow import SqlUnitOfWork, uow_factory
from wms_tui.db.write_lock import LOCK_SUFFIX, write_lock_for
from wms_tui.domain.errors import DatabaseBusy
from wms_tui.domain.stock import Pick, Receive, ledger_mismatches, post

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Engine]:
    engine = fresh_sqlite_engine(str(tmp_path / "wms.db"))
    yield engine
    engine.dispose()


def _lock_is_free(engine: Engine) -> bool:
    """Whether another process could take the writers' flock now."""
    return flock_is_free(f"{engine.url.database}{LOCK_SUFFIX}")


def test_a_write_transaction_holds_the_lock_until_it_commits(db: Engine) -> None:
    build_warehouse(db)
    with SqlUnitOfWork(db) as uow:
        uow.flow_state.save(1, "move", "{}", "RF01")
        assert not _lock_is_free(db)
        uow.commit()
        assert _lock_is_free(db)


def test_a_rolled_back_transaction_lets_go(db: Engine) -> None:
    build_warehouse(db)
    with SqlUnitOfWork(db) as uow:
        uow.flow_state.save(1, "move", "{}", "RF01")
        assert not _lock_is_free(db)
    assert _lock_is_free(db)


def test_a_reader_takes_no_lock(db: Engine) -> None:
    build_warehouse(db)
    with SqlUnitOfWork(db, readonly=True) as uow:
        assert uow.catalog.location_by_code("DOCK-1") is not None
        assert _lock_is_free(db)


def test_a_connection_closed_mid_transaction_lets_go(db: Engine) -> None:
    build_warehouse(db)
    conn = db.connect()
    conn.begin()
    conn.execute(text("UPDATE item SET description = 'x' WHERE sku = 'WIDGET'"))
    assert not _lock_is_free(db)
    # What the pool does with a connection an error broke: close it without a rollback.
    conn.invalidate()
    conn.close()
    assert _lock_is_free(db)
    with db.begin() as other:
        other.execute(text("UPDATE item SET description = 'y' WHERE sku = 'WIDGET'"))


def test_a_writer_killed_mid_transaction_lets_the_others_write(db: Engine) -> None:
    build_warehouse(db)
    child = subprocess.Popen(
        [sys.executable, "-c", (
            "import sys, time\n"
            "from sqlalchemy import text\n"
            "from wms_tui.db.engine import make_engine\n"
            "engine = make_engine(sys.argv[1])\n"
            "conn = engine.connect()\n"
            "conn.begin()\n"
            "conn.execute(text(\"UPDATE item SET description = 'held' WHERE sku = 'BOLT'\"))\n"
            "print('HOLDING', flush=True)\n"
            "time.sleep(600)\n"
        ), db.url.render_as_string(hide_password=False)],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout is not None
    try:
        assert child.stdout.readline() == "HOLDING\n"
        assert not _lock_is_free(db)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
    finally:
        child.stdout.close()
        if child.poll() is None:
            child.kill()
            child.wait()
    assert _lock_is_free(db)
    with db.begin() as conn:
        conn.execute(text("UPDATE item SET description = 'after' WHERE sku = 'BOLT'"))
    with db.connect() as conn:
        # The killed transaction never committed.
        assert conn.execute(text("SELECT description FROM item WHERE sku = 'BOLT'")).scalar() \
            == "after"


def test_a_forked_child_queues_behind_its_parent(db: Engine) -> None:
    """A zygote forks sessions: a child must not share its parent's lock file (and so its
    flock), or both would think they hold the lock."""
    build_warehouse(db)
    path = str(db.url.database)
    lock = write_lock_for(path, 10.0)
    with SqlUnitOfWork(db) as uow:
        uow.flow_state.save(1, "move", "{}", "RF01")
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                # Private on purpose: a non-blocking try is the one way to ask "is it taken?".
                fcntl.flock(lock._file() or -1, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                code = 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        uow.commit()
    assert os.waitstatus_to_exitcode(status) == 0


def test_threads_posting_at_once_queue_and_stay_exact(db: Engine) -> None:
    """Eight threads sharing one engine post against the same balance: each post is one
    queued transaction, none fails for the lock, and the stock adds up."""
    wh = build_warehouse(db)
    uow = uow_factory(db)
    post(uow, wh.operator, Receive(wh.widget, 400, wh.a1, "ASN-1"))
    failures: list[BaseException] = []

    def picker(n: int) -> None:
        try:
            for i in range(25):
                post(uow, wh.operator, Pick(wh.widget, 1, wh.a1, f"SO-{n}"), key=f"k-{n}-{i}")
        except Exception as exc:
            failures.append(exc)

    threads = [threading.Thread(target=picker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with SqlUnitOfWork(db, readonly=True) as u:
        assert ledger_mismatches(u) == []
        assert sum(r.quantity for r in u.stock.balances(item_id=wh.widget)) == 200


def test_a_writer_waits_for_a_stuck_holder_only_so_long_then_fails_by_name(db: Engine) -> None:
    """Another process holding the writers' lock (stopped mid-transaction, say) makes a post
    fail as DatabaseBusy after the wait, never hang; once it lets go, writing works again."""
    wh = build_warehouse(db)
    uow = uow_factory(db)
    path = str(db.url.database)
    holder = _hold_lock_file(path)
    assert holder.stdin is not None and holder.stdout is not None
    lock = write_lock_for(path, 10)
    try:
        lock.wait_seconds = 0.2
        with pytest.raises(DatabaseBusy) as busy:
            post(uow, wh.operator, Receive(wh.widget, 5, wh.a1, "ASN-1"))
        assert busy.value.render(lambda s: s) == "Database busy: try again."
        # The next writer here waits its turn behind the wait given up on, then fails too.
        with pytest.raises(DatabaseBusy):
            post(uow, wh.operator, Receive(wh.widget, 5, wh.a1, "ASN-1"), key="again")
        lock.wait_seconds = 10
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.wait(timeout=60) == 0
    finally:
        lock.wait_seconds = 10
        holder.stdin.close()
        holder.stdout.close()
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    # The waiter left behind takes the lock once it is free and gives it back at once.
    post(uow, wh.operator, Receive(wh.widget, 5, wh.a1, "ASN-1"), key="after")
    assert _lock_is_free(db)
    with SqlUnitOfWork(db, readonly=True) as u:
        assert sum(r.quantity for r in u.stock.balances(item_id=wh.widget)) == 5


def _hold_lock_file(path: str) -> subprocess.Popen[str]:
    """Another process holding the writers' flock until a line is written to its stdin."""
    holder = subprocess.Popen(
        [sys.executable, "-c", (
            "import fcntl, os, sys\n"
            "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('HOLDING', flush=True)\n"
            "sys.stdin.readline()\n"
        ), f"{path}{LOCK_SUFFIX}"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "HOLDING\n"
    return holder


def test_contended_waits_reuse_one_waiter_thread(db: Engine) -> None:
    """Each wait for a lock another process holds is served by the same waiter thread, which
    hands the lock over once the other process lets go (a thread per wait cost more than a post)."""
    wh = build_warehouse(db)
    uow = uow_factory(db)
    lock = write_lock_for(str(db.url.database), 10)
    waiters = set()
    for round_ in range(3):
        holder = _hold_lock_file(str(db.url.database))
        done: list[BaseException | None] = []

        def receive(round_: int = round_, done: list[BaseException | None] = done) -> None:
            try:
                post(uow, wh.operator, Receive(wh.widget, 1, wh.a1, "ASN-1"), key=f"r{round_}")
                done.append(None)
            except BaseException as error:  # the test reports it below
                done.append(error)

        poster = threading.Thread(target=receive)
        poster.start()
        # The post cannot finish while the other process holds the lock.
        poster.join(timeout=0.3)
        assert poster.is_alive() and not done
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        assert holder.wait(timeout=60) == 0
        assert holder.stdout is not None
        holder.stdout.close()
        poster.join(timeout=60)
        assert done == [None]
        waiters.add(id(lock._waiter))
    assert len(waiters) == 1 and lock._waiter is not None
    assert _lock_is_free(db)
    with SqlUnitOfWork(db, readonly=True) as u:
        assert sum(r.quantity for r in u.stock.balances(item_id=wh.widget)) == 3
