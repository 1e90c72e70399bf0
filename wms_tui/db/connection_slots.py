"""A bound on PostgreSQL connections shared by every process of one `wms serve` on this host.

Each RF session is its own process and opens a connection per transaction, so without a
shared bound 500 terminals ask the server for more connections than its `max_connections`
and the overflow is refused ("too many clients"). Here a connection first takes one of N
slots: byte i of one slot file, locked with a POSIX record lock (`fcntl.lockf`). Such a lock
belongs to the process, is dropped by the kernel when the process dies (a session killed
mid-post frees its slot) and is not inherited across fork.

Waiting is fair: a connection first passes a gate (an `flock` on a second file, which the
kernel grants in the order asked), then takes any free slot. When none is free, it keeps the
gate and looks again every few milliseconds, so later arrivals queue behind it instead of
overtaking it (a waiter blocked on one slot lost every race for the others to newcomers), and
only one process polls at a time. A wait lasts at most the writers' wait, then fails with
DatabaseBusy ("Database busy: try again."), never a hang.

Two rules of POSIX record locks shape the code: locks one process takes on the same byte
merge (so a process must never lock a slot it already holds: an in-process set keeps track),
and closing any descriptor of the file drops all of the process's locks on it (so the file is
opened once per process, through `connection_slots_for`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import random
import threading
import time
import weakref
from pathlib import Path

from wms_tui.db.write_lock import BoundedWaiter
from wms_tui.domain.errors import DatabaseBusy

SLOT_FILE = "pg-connection-slots"
GATE_SUFFIX = "-gate"
# Present while every session of the `wms serve` can hold a slot at once, so a session may keep
# its connection between steps without making another wait (db/lingering_pool.py).
LINGER_SUFFIX = "-linger"
# How often the connection at the gate looks for a free slot: soon at first, then every 2 ms.
FIRST_PAUSE = 0.0002
LONGEST_PAUSE = 0.002


class Slot:
    """One slot this process holds; `release` gives it back once, however often it is called."""

    def __init__(self, owner: ConnectionSlots, index: int) -> None:
        self.owner = owner
        self.index = index
        self._released = False

    def release(self) -> None:
        if not self._released:
            self._released = True
            self.owner._give_back(self.index)


class ConnectionSlots:
    """The N slots of one slot file, as seen from this process."""

    def __init__(self, path: str | os.PathLike[str], count: int, wait_seconds: float) -> None:
        if count < 1:
            raise ValueError(f"connection slots must be 1 or more, not {count}")
        self.path = os.fspath(path)
        self.count = count
        self.wait_seconds = wait_seconds
        self._fd: int | None = None
        self._reset()
        _ALL.add(self)

    def _reset(self) -> None:
        # Guards the held set; never held while blocking in the kernel. Re-entrant, as a
        # collected connection's finalizer gives its slot back wherever the collector runs.
        self._guard = threading.RLock()
        self._held: set[int] = set()
        # One thread of this process at the gate at a time (the gate is a per-process flock).
        self._queue = threading.Lock()
        self._gate: int | None = None
        self._waiter: BoundedWaiter | None = None

    def forget_inherited(self) -> None:
        """In a forked child: it holds none of the parent's locks, and the parent's waiter
        thread did not come along. The slot file's descriptor is kept (record locks belong to
        the process); the gate's is not, as an flock belongs to the open file, which the
        parent shares: the child opens its own."""
        if self._gate is not None:
            os.close(self._gate)
        self._reset()

    def held(self) -> int:
        """How many slots this process holds now."""
        with self._guard:
            return len(self._held)

    def acquire(self) -> Slot | None:
        """A slot for one new connection, or None for a connection opened while this process
        already holds a slot and none is free (it goes ahead without one).

        Such a connection is a nested transaction or another thread's (an audit row written
        while a post commits): waiting for a second slot could wait on ourselves, as every
        holder might be doing the same. A session does one step at a time, so they are rare,
        short and few at once; the margin `wms serve` keeps below the server's
        max_connections is for them. Raises DatabaseBusy when no slot came free within
        wait_seconds.
        """
        fd = self._file()
        with self._guard:
            if self._held:
                return self._try_free(fd)
        deadline = time.monotonic() + self.wait_seconds
        if not self._queue.acquire(timeout=self.wait_seconds):
            raise DatabaseBusy(f"no PostgreSQL connection slot of {self.count} free in "
                               f"{self.wait_seconds:g} s (another wait is still pending)")
        try:
            gate = self._gate_file()
        except BaseException:
            self._queue.release()
            raise
        if not self._enter(gate, deadline):
            # The queue is given back already, or by the waiter once it has the gate and lets
            # it go.
            raise DatabaseBusy(f"no turn for a PostgreSQL connection in {self.wait_seconds:g} s")
        try:
            return self._poll(fd, deadline)
        finally:
            fcntl.flock(gate, fcntl.LOCK_UN)
            self._queue.release()

    def _enter(self, gate: int, deadline: float) -> bool:
        """Pass the gate by the deadline: at once when no one waits, else in turn, blocking in
        the waiter thread (flock has no timeout of its own)."""
        try:
            fcntl.flock(gate, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            pass
        except BaseException:
            self._queue.release()
            raise
        if self._waiter is None:
            self._waiter = BoundedWaiter()
        return self._waiter.take(lambda: fcntl.flock(gate, fcntl.LOCK_EX),
                                 lambda: fcntl.flock(gate, fcntl.LOCK_UN),
                                 max(deadline - time.monotonic(), 0.0),
                                 after_abandoned=self._queue.release)

    def _poll(self, fd: int, deadline: float) -> Slot:
        """Any free slot, looked for again and again (more slowly as the wait grows) until the
        deadline; the gate is ours, so no one else is looking meanwhile."""
        pause = FIRST_PAUSE
        while True:
            with self._guard:
                slot = self._try_free(fd)
            if slot is not None:
                return slot
            left = deadline - time.monotonic()
            if left <= 0:
                raise DatabaseBusy(f"no PostgreSQL connection slot of {self.count} free in "
                                   f"{self.wait_seconds:g} s")
            time.sleep(min(pause, left))
            pause = min(pause * 2, LONGEST_PAUSE)

    def _try_free(self, fd: int) -> Slot | None:
        """Any slot no process holds, tried without waiting from a random start so that
        processes do not all contend for slot 0; the guard is held."""
        start = random.randrange(self.count)
        for step in range(self.count):
            index = (start + step) % self.count
            if index in self._held:
                continue
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, index)
            except (BlockingIOError, PermissionError):
                continue
            self._held.add(index)
            return Slot(self, index)
        return None

    def _give_back(self, index: int) -> None:
        with self._guard:
            if index not in self._held:
                return
            self._held.discard(index)
            if self._fd is not None:
                fcntl.lockf(self._fd, fcntl.LOCK_UN, 1, index)

    def _file(self) -> int:
        """The slot file, opened once per process (closing a second descriptor of it would drop
        every lock this process holds on it)."""
        with self._guard:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CLOEXEC)
            return self._fd

    def _gate_file(self) -> int:
        """The gate, opened once per process (after a fork, again)."""
        if self._gate is None:
            self._gate = os.open(f"{self.path}{GATE_SUFFIX}",
                                 os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        return self._gate


def create_slot_file(directory: Path) -> Path:
    """The slot file in directory (the server's data directory), readable by its owner only;
    the caller must hold no slot of it, since closing a descriptor drops a process's locks."""
    path = directory / SLOT_FILE
    for name in (path, Path(f"{path}{GATE_SUFFIX}")):
        fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            # An existing file may have been made with other modes; the slots are ours alone.
            os.fchmod(fd, 0o600)
        finally:
            os.close(fd)
    return path


_ALL: weakref.WeakSet[ConnectionSlots] = weakref.WeakSet()
_BY_FILE: dict[str, ConnectionSlots] = {}
_BY_FILE_GUARD = threading.Lock()


def connection_slots_for(path: str | os.PathLike[str], count: int,
                         wait_seconds: float) -> ConnectionSlots:
    """The one ConnectionSlots of this slot file in this process, whichever engine asks."""
    real = os.path.realpath(path)
    with _BY_FILE_GUARD:
        slots = _BY_FILE.get(real)
        if slots is None:
            slots = _BY_FILE[real] = ConnectionSlots(real, count, wait_seconds)
        elif slots.count != count:
            # A second object on the file would take locks that merge with the first's.
            raise ValueError(f"{real} is in use here with {slots.count} slots, not {count}")
        return slots


def _after_fork_in_child() -> None:
    global _BY_FILE_GUARD
    _BY_FILE_GUARD = threading.Lock()
    for slots in list(_ALL):
        slots.forget_inherited()


os.register_at_fork(after_in_child=_after_fork_in_child)


def linger_flag(slots_path: str) -> str:
    """The file whose presence lets a session keep its connection between steps."""
    return f"{slots_path}{LINGER_SUFFIX}"


class LingerSwitch:
    """Kept by `wms serve`: allows lingering while its sessions are no more than the slots,
    each session holding at most one connection at a time; touches the file only on a change."""

    def __init__(self, slots_path: str, slots: int) -> None:
        self.path = linger_flag(slots_path)
        self.slots = slots
        self.allowed: bool | None = None
        self.sessions(0)

    def sessions(self, count: int) -> None:
        allowed = count <= self.slots
        if allowed == self.allowed:
            return
        self.allowed = allowed
        if allowed:
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600))
        else:
            # Sessions keeping a connection give it up within the linger (5 s); a step that
            # needs a slot meanwhile waits for one, within the busy timeout (10 s).
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
