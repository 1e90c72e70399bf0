"""A wait for a lock given up in any way (timed out, the lock call failing, or the wait itself
interrupted by KeyboardInterrupt) hands back what the asker held exactly once and never leaves
the lock held by nobody (wms_tui/db/write_lock.py BoundedWaiter)."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.db.helpers import eventually, flock_is_free
from wms_tui.db.write_lock import BoundedWaiter, WriteLock


class Calls:
    """What the waiter did with the lock: how often it let it go and gave the queue back."""

    def __init__(self) -> None:
        self.unlocked = 0
        self.given_back = 0

    def unlock(self) -> None:
        self.unlocked += 1

    def give_back(self) -> None:
        self.given_back += 1


def _blocks_until(free: threading.Event) -> Callable[[], None]:
    """A lock call that blocks until `free` is set, as flock does while another holds it."""

    def lock() -> None:
        free.wait()

    return lock


def _interrupt_wait(waiter: BoundedWaiter, *, after_grant: bool) -> None:
    """Make the asker's next wait raise KeyboardInterrupt: before the lock is granted (once the
    waiter thread has picked the request up) or just after it was."""
    real_wait_for, asker = waiter.changed.wait_for, threading.current_thread()

    def wait_for(predicate: Callable[[], bool], timeout: float | None = None) -> Any:
        if threading.current_thread() is not asker:  # the waiter thread's own waits
            return real_wait_for(predicate, timeout)
        if after_grant:
            real_wait_for(predicate, timeout)
        else:
            # The waiter thread takes the request without a notify: look again and again.
            while not real_wait_for(lambda: waiter.request is None, 0.005):
                pass
        raise KeyboardInterrupt

    waiter.changed.wait_for = wait_for  # type: ignore[method-assign,assignment]


def test_an_interrupted_wait_lets_the_lock_go_once_granted_and_gives_back_once() -> None:
    waiter, calls, free = BoundedWaiter(), Calls(), threading.Event()
    _interrupt_wait(waiter, after_grant=False)
    with pytest.raises(KeyboardInterrupt):
        waiter.take(_blocks_until(free), calls.unlock, 5, after_abandoned=calls.give_back)
    assert (calls.unlocked, calls.given_back) == (0, 0) and waiter.gave_up_waiting()
    free.set()
    assert eventually(lambda: calls.given_back == 1)
    assert calls.unlocked == 1 and not waiter.gave_up_waiting()
    del waiter.changed.wait_for
    # The waiter serves the next request as usual.
    assert waiter.take(lambda: None, calls.unlock, 5, after_abandoned=calls.give_back)
    assert (calls.unlocked, calls.given_back) == (1, 1)


def test_a_wait_interrupted_just_after_the_grant_lets_go_at_once() -> None:
    waiter, calls = BoundedWaiter(), Calls()
    _interrupt_wait(waiter, after_grant=True)
    with pytest.raises(KeyboardInterrupt):
        waiter.take(lambda: None, calls.unlock, 5, after_abandoned=calls.give_back)
    assert (calls.unlocked, calls.given_back) == (1, 1) and not waiter.gave_up_waiting()


def test_a_failing_lock_call_raises_and_gives_back_once() -> None:
    waiter, calls = BoundedWaiter(), Calls()

    def broken() -> None:
        raise OSError(9, "Bad file descriptor")

    with pytest.raises(OSError, match="Bad file descriptor"):
        waiter.take(broken, calls.unlock, 5, after_abandoned=calls.give_back)
    assert (calls.unlocked, calls.given_back) == (0, 1)


def test_a_timed_out_wait_gives_back_once_after_the_lock_is_let_go() -> None:
    waiter, calls, free = BoundedWaiter(), Calls(), threading.Event()
    assert not waiter.take(_blocks_until(free), calls.unlock, 0.05, after_abandoned=calls.give_back)
    assert calls.given_back == 0
    free.set()
    assert eventually(lambda: calls.given_back == 1) and calls.unlocked == 1


def test_a_writer_interrupted_while_queued_leaves_the_file_lock_free(tmp_path: Path) -> None:
    """Ctrl-C while a writer waits for another process's file lock: once that process lets go,
    the lock is free for every process, and the next writer here takes it in turn."""
    lock = WriteLock(str(tmp_path / "wms.db"), 5)
    other = os.open(lock.path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(other, fcntl.LOCK_EX)
    waiter = lock._waiter = BoundedWaiter()
    _interrupt_wait(waiter, after_grant=False)
    with pytest.raises(KeyboardInterrupt):
        lock.acquire()
    fcntl.flock(other, fcntl.LOCK_UN)
    os.close(other)
    assert eventually(lambda: flock_is_free(lock.path) and not waiter.gave_up_waiting())
    del waiter.changed.wait_for
    assert lock.acquire()
    assert not flock_is_free(lock.path)
    lock.release()
    assert flock_is_free(lock.path)
