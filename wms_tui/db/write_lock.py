"""Fair waiting for SQLite's write lock: writers queue on a lock instead of sleeping.

SQLite's busy handler sleeps a waiting writer in 1, 2, 5 … 100 ms steps, so under load a
writer can sleep long after the lock came free. Here each writing transaction first takes a
thread lock (one per database file in this process) and then an `flock` on a file next to the
database (shared by every process), and holds both from just before `BEGIN IMMEDIATE` until
its `COMMIT` or `ROLLBACK` returns: a waiter is woken as soon as the lock is free. The kernel
drops an `flock` when its holder's file is closed or the process dies, so a writer killed
mid-transaction never leaves the others waiting. A writer waits for the file lock at most the
busy timeout, then fails with DatabaseBusy (a process stopped while holding it must not hang
every terminal). The busy timeout stays as the backstop for writers outside this scheme (the
sqlite3 shell, a backup).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import weakref
from collections.abc import Callable

from wms_tui.domain.errors import DatabaseBusy

LOCK_SUFFIX = "-writer"


class WriteLock:
    """One database file's writer queue within this process."""

    def __init__(self, database: str, wait_seconds: float) -> None:
        self.path = f"{database}{LOCK_SUFFIX}"
        self.wait_seconds = wait_seconds
        self._reset()
        _LOCKS.add(self)

    def _reset(self) -> None:
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._waiter: BoundedWaiter | None = None

    def forget_inherited(self) -> None:
        """In a forked child: the parent's open file would share its flock, so open our own."""
        if self._fd is not None:
            # Closing our copy leaves the parent's lock alone: it holds its own descriptor.
            os.close(self._fd)
        self._reset()

    def acquire(self) -> bool:
        """Wait for our turn; False (no lock taken) when the thread queue waited too long, so
        the caller falls back on SQLite's own busy wait; DatabaseBusy when another process held
        the file lock for wait_seconds (or still holds it since a writer here gave up), so a
        post fails by name instead of hanging."""
        if not self._threads.acquire(timeout=self.wait_seconds):
            waiter = self._waiter
            if waiter is not None and waiter.gave_up_waiting():
                raise DatabaseBusy(f"another process holds the writers' lock of {self.path}")
            return False
        if not self._lock_file():
            # The waiter gives the thread queue back once it has the file and let it go.
            raise DatabaseBusy(f"no turn to write in {self.wait_seconds:g} s")
        return True

    def _lock_file(self) -> bool:
        """Take the file lock within wait_seconds, woken as soon as it is free: flock has no
        timeout, so a contended wait blocks in this lock's waiter thread, which the caller
        can leave. The thread queue is held on entry; on any outcome but True it is given
        back (here, or by the waiter once it has let the file go)."""
        try:
            opened = self._file()
            if opened is None:
                return True
            fd = opened
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            pass
        except BaseException:
            self._threads.release()
            raise
        if self._waiter is None:
            self._waiter = BoundedWaiter()
        return self._waiter.take(lambda: fcntl.flock(fd, fcntl.LOCK_EX),
                                 lambda: fcntl.flock(fd, fcntl.LOCK_UN),
                                 self.wait_seconds, after_abandoned=self._threads.release)

    def release(self) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def _file(self) -> int | None:
        """The lock file, opened once per process; None where it cannot be opened (a read-only
        directory), which leaves the cross-process order to SQLite's busy wait."""
        if self._fd is None:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            except OSError:
                try:
                    self._fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
                except OSError:
                    return None
        return self._fd


class BoundedWaiter:
    """A thread that blocks in a lock call (flock, lockf) for whoever asks, so a wait for a
    lock with no timeout of its own can be given up; kept for the next wait, since starting a
    thread per contended wait cost more than the post. One request at a time: callers hold
    their own queue (a thread lock) while they ask.

    If the asker gives up before the lock is granted, the waiter lets the lock go as soon as it
    gets it (`unlock`) and then calls `after_abandoned` (to give back what the asker held).
    """

    def __init__(self) -> None:
        self.changed = threading.Condition(threading.Lock())
        self.request: tuple[Callable[[], None], Callable[[], None],
                            Callable[[], None] | None] | None = None
        self.granted = self.abandoned = False
        self.error: OSError | None = None
        threading.Thread(target=self._serve, name="wms-lock-wait", daemon=True).start()

    def take(self, lock: Callable[[], None], unlock: Callable[[], None], seconds: float,
             after_abandoned: Callable[[], None] | None = None) -> bool:
        """True once `lock` returned. Otherwise (timed out, `lock` failed, or the wait itself
        interrupted, e.g. by KeyboardInterrupt) `after_abandoned` is called exactly once,
        here or by the waiter once it has let the lock go, and False is returned or the
        error raised: the asker hands over what it holds when it asks."""
        with self.changed:
            self.request = (lock, unlock, after_abandoned)
            self.granted, self.error = False, None
            self.changed.notify_all()
            interrupted: BaseException | None = None
            try:
                self.changed.wait_for(lambda: self.granted, seconds)
            except BaseException as exc:
                interrupted = exc
            if self.granted and self.error is None and interrupted is None:
                return True
            if self.granted or self.request is not None:
                # Nothing is left for the waiter to do: the lock failed, is ours to let go,
                # or the request was never picked up.
                if self.granted and self.error is None:
                    unlock()
                self.request = None
                if after_abandoned is not None:
                    after_abandoned()
            else:
                self.abandoned = True
            if interrupted is not None:
                raise interrupted
            if self.granted and self.error is not None:
                raise self.error
            return False

    def gave_up_waiting(self) -> bool:
        """Whether an asker gave up and the lock it asked for is not yet let go."""
        with self.changed:
            return self.abandoned

    def _serve(self) -> None:
        while True:
            with self.changed:
                self.changed.wait_for(lambda: self.request is not None)
                assert self.request is not None
                lock, unlock, after_abandoned = self.request
                self.request = None
            error: OSError | None = None
            try:
                lock()
            except OSError as failed:
                error = failed
            with self.changed:
                if not self.abandoned:
                    self.granted, self.error = True, error
                    self.changed.notify_all()
                    continue
                self.abandoned = False
            if error is None:
                unlock()
            if after_abandoned is not None:
                after_abandoned()


_LOCKS: weakref.WeakSet[WriteLock] = weakref.WeakSet()
_BY_FILE: dict[str, WriteLock] = {}
_BY_FILE_GUARD = threading.Lock()


def write_lock_for(database: str, wait_seconds: float) -> WriteLock:
    """The one lock of this database file in this process, whichever engine asks."""
    path = os.path.realpath(database)
    with _BY_FILE_GUARD:
        lock = _BY_FILE.get(path)
        if lock is None:
            lock = _BY_FILE[path] = WriteLock(path, wait_seconds)
        return lock


def _after_fork_in_child() -> None:
    global _BY_FILE_GUARD
    _BY_FILE_GUARD = threading.Lock()
    for lock in list(_LOCKS):
        lock.forget_inherited()


os.register_at_fork(after_in_child=_after_fork_in_child)


class QueuedConnection(sqlite3.Connection):
    """A sqlite3 connection that gives its write lock back when its transaction ends, however
    it ends (commit, rollback, or the connection closed by the pool or an error)."""

    write_lock: WriteLock | None = None
    holding = False

    def take_write_lock(self) -> None:
        if self.write_lock is not None and not self.holding:
            self.holding = self.write_lock.acquire()

    def drop_write_lock(self) -> None:
        if self.holding:
            self.holding = False
            assert self.write_lock is not None
            self.write_lock.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.drop_write_lock()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.drop_write_lock()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.drop_write_lock()
