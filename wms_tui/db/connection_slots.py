"""A bound on PostgreSQL connections shared by every process of one `wms serve` on this host.

Each RF session is its own process and opens a connection per transaction, so without a
shared bound 500 terminals ask the server for more connections than its `max_connections`
and the overflow is refused ("too many clients"). Here a connection first takes one of N
slots: byte i of one slot file, locked with a POSIX record lock (`fcntl.lockf`). Such a lock
belongs to the process, is dropped by the kernel when the process dies (a session killed
mid-post frees its slot) and is not inherited across fork. A process with no slot free waits
on one slot for at most the writers' wait, then fails with DatabaseBusy ("Database busy: try
again."), never a hang.

Two rules of POSIX record locks shape the code: locks one process takes on the same byte
merge (so a process must never lock a slot it already holds: an in-process set keeps track),
and closing any descriptor of the file drops all of the process's locks on it (so the file is
opened once per process, through `connection_slots_for`).
"""

from __future__ import annotations

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
        # Guards the two sets; never held while blocking in the kernel. Re-entrant, as a
        # collected connection's finalizer gives its slot back wherever the collector runs.
        self._guard = threading.RLock()
        self._held: set[int] = set()
        # A slot the waiter thread is blocking on is ours once granted: no one here may take
        # it meanwhile, or the waiter's later unlock of an abandoned wait would drop their lock.
        self._reserved: set[int] = set()
        # One blocking wait at a time in this process (BoundedWaiter serves one request).
        self._queue = threading.Lock()
        self._waiter: BoundedWaiter | None = None

    def forget_inherited(self) -> None:
        """In a forked child: it holds none of the parent's locks, and the parent's waiter
        thread did not come along; the inherited descriptor is kept, as record locks belong
        to the process, not to the descriptor."""
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
        deadline = time.monotonic() + self.wait_seconds
        fd = self._file()
        with self._guard:
            nested = bool(self._held)
            slot = self._try_free(fd)
        if slot is not None or nested:
            return slot
        if not self._queue.acquire(timeout=self.wait_seconds):
            raise DatabaseBusy(f"no PostgreSQL connection slot of {self.count} free in "
                               f"{self.wait_seconds:g} s (another wait is still pending)")
        try:
            with self._guard:
                # One may have come free while this thread queued.
                slot = self._try_free(fd)
                if slot is None:
                    index = random.choice([i for i in range(self.count)
                                           if i not in self._held and i not in self._reserved])
                    self._reserved.add(index)
        except BaseException:
            self._queue.release()
            raise
        if slot is not None:
            self._queue.release()
            return slot
        return self._wait_for(fd, index, max(deadline - time.monotonic(), 0.0))

    def _wait_for(self, fd: int, index: int, seconds: float) -> Slot:
        """Block on one slot in the waiter thread for at most seconds; the queue is held."""
        if self._waiter is None:
            self._waiter = BoundedWaiter()

        def abandoned() -> None:
            # Runs in the waiter thread once the slot it got for no one is let go again.
            with self._guard:
                self._reserved.discard(index)
            self._queue.release()

        try:
            granted = self._waiter.take(lambda: fcntl.lockf(fd, fcntl.LOCK_EX, 1, index),
                                        lambda: fcntl.lockf(fd, fcntl.LOCK_UN, 1, index),
                                        seconds, after_abandoned=abandoned)
        except BaseException:
            with self._guard:
                self._reserved.discard(index)
            self._queue.release()
            raise
        if not granted:
            raise DatabaseBusy(f"no PostgreSQL connection slot of {self.count} free in "
                               f"{self.wait_seconds:g} s")
        with self._guard:
            self._reserved.discard(index)
            self._held.add(index)
        self._queue.release()
        return Slot(self, index)

    def _try_free(self, fd: int) -> Slot | None:
        """Any slot no process holds, tried without waiting from a random start so that
        processes do not all contend for slot 0; the guard is held."""
        start = random.randrange(self.count)
        for step in range(self.count):
            index = (start + step) % self.count
            if index in self._held or index in self._reserved:
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


def create_slot_file(directory: Path) -> Path:
    """The slot file in directory (the server's data directory), readable by its owner only;
    the caller must hold no slot of it, since closing a descriptor drops a process's locks."""
    path = directory / SLOT_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
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
