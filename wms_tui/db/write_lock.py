"""Fair waiting for SQLite's write lock: writers queue on a lock instead of sleeping.

SQLite's busy handler sleeps a waiting writer in 1, 2, 5 … 100 ms steps, so under load a
writer can sleep long after the lock came free. Here each writing transaction first takes a
thread lock (one per database file in this process) and then an `flock` on a file next to the
database (shared by every process), and holds both from just before `BEGIN IMMEDIATE` until
its `COMMIT` or `ROLLBACK` returns: a waiter is woken as soon as the lock is free. The kernel
drops an `flock` when its holder's file is closed or the process dies, so a writer killed
mid-transaction never leaves the others waiting. The busy timeout stays as the backstop for
writers outside this scheme (the sqlite3 shell, a backup).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import weakref

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

    def forget_inherited(self) -> None:
        """In a forked child: the parent's open file would share its flock, so open our own."""
        if self._fd is not None:
            # Closing our copy leaves the parent's lock alone: it holds its own descriptor.
            os.close(self._fd)
        self._reset()

    def acquire(self) -> bool:
        """Wait for our turn; False (no lock taken) when the thread queue waited too long, so
        the caller falls back on SQLite's own busy wait."""
        if not self._threads.acquire(timeout=self.wait_seconds):
            return False
        try:
            fd = self._file()
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise
        return True

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
