"""PostgreSQL connection slots (wms_tui/db/connection_slots.py): a bound on the connections of
many processes, freed by a killed holder, bounded waits, and the engine's events that take and
give back a slot. Real processes and the real server; no assertion on how long anything took."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from tests.conftest import PG_ADMIN_URL
from wms_tui.db.connection_slots import (
    GATE_SUFFIX,
    ConnectionSlots,
    connection_slots_for,
    create_slot_file,
)
from wms_tui.db.engine import make_engine
from wms_tui.domain.errors import DatabaseBusy

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("slots_child.py")
# Short enough that a test waits little; long enough that a free slot is never missed.
SHORT_WAIT = 0.3


def child(mode: str, **args: Any) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, str(CHILD), mode, json.dumps(args)], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, text=True)


@pytest.fixture
def children() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()


def first_line(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    return proc.stdout.readline().strip()


def killed(proc: subprocess.Popen[str]) -> None:
    """SIGKILL, and wait: the kernel has dropped its locks once wait returns."""
    proc.send_signal(signal.SIGKILL)
    proc.wait()


@pytest.mark.parametrize("linger", [False, True], ids=["unpooled", "lingering"])
def test_six_processes_never_hold_more_connections_than_the_slots(
        url: str, slot_file: Path, tmp_path: Path,
        children: list[subprocess.Popen[str]], linger: bool) -> None:
    counter = tmp_path / "open-connections.json"
    counter.write_text("")
    for _ in range(6):
        children.append(child("hammer", url=url, slots_path=str(slot_file), slots=2, wait=60.0,
                              counter=str(counter), rounds=60, app="wms-slots-test",
                              linger=linger))
    reports = [json.loads(first_line(proc)) for proc in children]
    assert [proc.wait() for proc in children] == [0] * 6
    state = json.loads(counter.read_text())
    assert state["now"] == 0
    assert 1 <= state["max"] <= 2
    assert reports == [{"busy": 0, "held": 0}] * 6


def test_a_killed_holder_frees_its_slot(url: str, slot_file: Path,
                                        children: list[subprocess.Popen[str]]) -> None:
    holder = child("hold", url=url, slots_path=str(slot_file), slots=1, wait=SHORT_WAIT,
                   connections=1)
    children.append(holder)
    assert first_line(holder) == "HELD 1"
    slots = ConnectionSlots(slot_file, 1, SHORT_WAIT)
    with pytest.raises(DatabaseBusy):
        slots.acquire()
    killed(holder)
    engine = make_engine(url, slots=slots, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT 1").scalar() == 1
            assert slots.held() == 1
        assert slots.held() == 0
    finally:
        engine.dispose()


def test_a_stuck_holder_makes_a_waiter_fail_busy_not_hang(
        url: str, slot_file: Path, children: list[subprocess.Popen[str]]) -> None:
    holder = child("hold", url=url, slots_path=str(slot_file), slots=2, wait=SHORT_WAIT,
                   connections=2)
    children.append(holder)
    assert first_line(holder) == "HELD 2"
    slots = ConnectionSlots(slot_file, 2, SHORT_WAIT)
    engine = make_engine(url, slots=slots, poolclass=NullPool)
    try:
        with pytest.raises(DatabaseBusy):
            engine.connect()
        # Another thread's wait queues behind the one given up on, and fails the same way.
        with pytest.raises(DatabaseBusy):
            engine.connect()
        assert slots.held() == 0
        killed(holder)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT 1").scalar() == 1
        assert slots.held() == 0
    finally:
        engine.dispose()


def test_a_forked_child_holds_none_of_its_parents_slots(
        slot_file: Path, children: list[subprocess.Popen[str]]) -> None:
    parent = child("fork", slots_path=str(slot_file), wait=SHORT_WAIT)
    children.append(parent)
    # The child did not inherit the lock (it waited and was refused), nor the parent's record
    # of it (it would have gone ahead without a slot, as a nested connection).
    assert first_line(parent) == "CHILD busy"
    # The child's exit closed its copy of the file; the parent's slot is still held.
    assert first_line(parent) == "HOLDING 1"
    with pytest.raises(DatabaseBusy):
        ConnectionSlots(slot_file, 1, SHORT_WAIT).acquire()
    killed(parent)
    assert ConnectionSlots(slot_file, 1, SHORT_WAIT).acquire() is not None


def test_a_connection_opened_while_holding_a_slot_does_not_wait_for_a_second(
        url: str, slot_file: Path) -> None:
    slots = ConnectionSlots(slot_file, 1, SHORT_WAIT)
    engine = make_engine(url, slots=slots, poolclass=NullPool)
    try:
        with engine.connect() as outer, engine.connect() as nested:
            assert slots.held() == 1
            assert outer.exec_driver_sql("SELECT 1").scalar() == 1
            assert nested.exec_driver_sql("SELECT 2").scalar() == 2
        assert slots.held() == 0
    finally:
        engine.dispose()


def test_no_slot_leaks_after_a_disconnect(url: str, slot_file: Path) -> None:
    slots = ConnectionSlots(slot_file, 1, SHORT_WAIT)
    engine = make_engine(url, slots=slots, poolclass=NullPool)
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with admin.connect() as other:
                other.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid or 0)})")
            with pytest.raises(OperationalError):
                conn.exec_driver_sql("SELECT 1")
            assert conn.invalidated
        assert slots.held() == 0
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    finally:
        engine.dispose()
        admin.dispose()


def test_a_pooled_connection_holds_its_slot_until_the_pool_closes_it(
        url: str, slot_file: Path) -> None:
    slots = ConnectionSlots(slot_file, 2, SHORT_WAIT)
    engine: Engine = make_engine(url, slots=slots)
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    assert slots.held() == 1
    engine.dispose()
    assert slots.held() == 0


def test_a_failed_connect_gives_its_slot_back(slot_file: Path) -> None:
    slots = ConnectionSlots(slot_file, 1, SHORT_WAIT)
    bad = PG_ADMIN_URL.rsplit("/", 1)[0] + "/wms_no_such_database"
    engine = make_engine(bad, slots=slots, poolclass=NullPool)
    try:
        with pytest.raises(OperationalError):
            engine.connect()
        assert slots.held() == 0
    finally:
        engine.dispose()


def test_one_slot_file_is_one_object_per_process(slot_file: Path) -> None:
    first = connection_slots_for(slot_file, 3, SHORT_WAIT)
    assert connection_slots_for(str(slot_file), 3, SHORT_WAIT) is first
    with pytest.raises(ValueError):
        connection_slots_for(slot_file, 4, SHORT_WAIT)
    with pytest.raises(ValueError):
        ConnectionSlots(slot_file, 0, SHORT_WAIT)


def test_the_slot_file_is_private(tmp_path: Path) -> None:
    (tmp_path / "pg-connection-slots").write_text("")
    os.chmod(tmp_path / "pg-connection-slots", 0o644)
    path = create_slot_file(tmp_path)
    assert path.stat().st_mode & 0o777 == 0o600


def _waiting_at_the_gate(slot_file: Path, pid: int) -> bool:
    """Whether pid is queued (blocked) on the slots' gate: /proc/locks lists a blocked request
    with "->" before its type, and names the file by its inode."""
    inode = os.stat(f"{slot_file}{GATE_SUFFIX}").st_ino
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "->" in fields and str(pid) in fields and any(
                f.endswith(f":{inode}") for f in fields):
            return True
    return False


def test_waiters_get_slots_in_the_order_they_asked(
        slot_file: Path, children: list[subprocess.Popen[str]]) -> None:
    """Two slots held; A asks, then B: the first slot freed goes to A and the next to B,
    whichever slot that is (a waiter blocked on one slot used to lose the other to a newcomer)."""

    def turn() -> subprocess.Popen[str]:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen(
            [sys.executable, str(CHILD), "turn",
             json.dumps({"slots_path": str(slot_file), "slots": 2, "wait": 60.0})],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        children.append(proc)
        return proc

    def let_go(proc: subprocess.Popen[str]) -> None:
        assert proc.stdin is not None
        proc.stdin.write("\n")
        proc.stdin.flush()

    holders = [turn(), turn()]
    assert sorted(first_line(h) for h in holders) == ["GOT 0", "GOT 1"]
    first = turn()
    gate = os.open(f"{slot_file}{GATE_SUFFIX}", os.O_RDWR)
    try:
        # A holds the gate while it looks for a slot.
        for _ in range(3000):
            try:
                fcntl.flock(gate, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                break
            fcntl.flock(gate, fcntl.LOCK_UN)
            threading.Event().wait(0.01)
        else:
            pytest.fail("the first waiter never came to the gate")
    finally:
        os.close(gate)
    second = turn()
    for _ in range(3000):
        if _waiting_at_the_gate(slot_file, second.pid):
            break
        threading.Event().wait(0.01)
    else:
        pytest.fail("the second waiter never queued at the gate")
    # Whichever slot comes free, and the one after: first, then second.
    for holder, waiter in zip(holders, (first, second), strict=True):
        let_go(holder)
        assert first_line(waiter).startswith("GOT ")
